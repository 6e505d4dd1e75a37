"""A contact's conversation, oldest first so the newest sits at the bottom by the compose box."""

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cmconsole.domain.model import ContactThread, FollowUp, InboundMessage, PostStatus
from cmconsole.domain.triage import ThreadState
from cmconsole.services.claims import ClaimState
from cmconsole.services.inbox import Conversation
from cmconsole.tui.clock import ago, on_clock
from cmconsole.tui.safe import content

STATUS_WORDS = {
    PostStatus.AWAITING_APPROVAL: "waiting for approval",
    PostStatus.QUEUED: "queued",
    PostStatus.SENDING: "sending",
    PostStatus.PUBLISHED: "published",
    PostStatus.FAILED: "FAILED",
    PostStatus.REJECTED: "rejected",
    PostStatus.UNKNOWN: "outcome unknown, being checked",
}

_PARTS = ("#conversation", "#found", "#conversation-after")


class ConversationPane(VerticalScroll):
    """The messages and the replies to each, the one being answered marked; times tick. Opened
    at a message a search found (`found`), that one stands out and is scrolled to."""

    def __init__(
        self,
        contact: str,
        *,
        found: int | None = None,
        time_zone: str = "UTC",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.contact = contact
        self.time_zone = time_zone  # the alias's: follow-ups fall due on its clock
        self.found = found
        self._conversation: Conversation | None = None
        self._follow_ups: list[FollowUp] = []
        self._target: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="message-meta", markup=False)
        yield Static("", id="conversation", markup=False)
        yield Static("", id="found", markup=False)
        yield Static("", id="conversation-after", markup=False)
        yield Static("", id="follow-ups", markup=False)

    def show(
        self,
        conversation: Conversation,
        follow_ups: list[FollowUp],
        target: int | None,
        now: datetime,
    ) -> None:
        """Render what was read; a message that arrived since scrolls the end into view."""
        before = self._conversation
        grew = before is None or [m.id for m in before.messages] != [
            m.id for m in conversation.messages
        ]
        self._conversation, self._follow_ups, self._target = conversation, follow_ups, target
        self.tick(now)
        if grew and before is None and self.found is not None:
            found = self.query_one("#found", Static)
            self.call_after_refresh(self.scroll_to_center, found, animate=False)
        elif grew:
            self.call_after_refresh(self.scroll_end, animate=False)

    def tick(self, now: datetime) -> None:
        """Render again at `now`: relative times move on without reading anything."""
        conversation = self._conversation
        if conversation is None:
            return
        latest = conversation.latest
        meta = (
            f"{self.contact}: {_messages(len(conversation.messages))}, oldest first; the "
            f"latest {ago(latest.received_at, now)} ago."
            if latest
            else f"{self.contact} has written nothing yet."
        )
        self.query_one("#message-meta", Static).update(
            content(_triage_lines(conversation.thread, now) + meta)
        )
        # Before the message found (or all of them), the message found, after it.
        parts: list[list[str]] = [[], [], []]
        part = 0
        for each in conversation.messages:
            if each.id == self.found:
                part = 1
            lines = parts[part]
            mark = "▶ " if each.id == self._target else ""
            private = " · private message" if each.private else ""
            lines.append(f"{mark}{each.author_handle}{private} · {ago(each.received_at, now)} ago")
            lines.append(f"  {each.text}")
            for post in conversation.replies.get(each.id, []):
                lines.append(
                    f"  ↳ {STATUS_WORDS[post.status]}: {post.text}"
                    + (f"  ({post.failure_reason})" if post.failure_reason else "")
                    + (f"\n     reviewer: {post.review_comment}" if post.review_comment else "")
                )
            part = 2 if part else 0
        for at, lines in zip(
            ("#conversation", "#found", "#conversation-after"), parts, strict=True
        ):
            shown = self.query_one(at, Static)
            shown.update(content("\n".join(lines)))
            shown.display = at == "#conversation" or bool(lines)
        promises = [f"  ⏰ {_when(f, self.time_zone)}: {f.promise}" for f in self._follow_ups]
        self.query_one("#follow-ups", Static).update(
            content("Follow-ups:\n" + "\n".join(promises) if promises else "")
        )


def _triage_lines(thread: ContactThread | None, now: datetime) -> str:
    """What the team decided about the thread, read before anything else: who handed it to
    whom with which note, and a closing without reply."""
    if thread is None:
        return ""
    lines = ""
    handing = thread.handing
    if handing is not None and thread.waiting:
        note = f": {handing.note}" if handing.note else ""
        lines += (
            f"Handed to {handing.to_name} by {handing.by_name} {ago(handing.at, now)} ago{note}\n"
        )
    closing = thread.closing
    if closing is not None and thread.state in (ThreadState.CLOSED, ThreadState.SPAM):
        note = f": {closing.note}" if closing.note else ""
        lines += f"Closed without a reply ({closing.reason.label}){note}\n"
    return lines


def answering_line(message: InboundMessage | None, now: datetime, picked: bool) -> str:
    """The line above the compose box: which message the reply will answer."""
    if message is None:
        return "Nothing to answer yet."
    how = "you picked" if picked else "the newest unanswered" if not message.answered else "latest"
    # First, where a long message cannot push it out of the box's three lines.
    private = "private message: the reply stays private; " if message.private else ""
    return (
        f"{private}answering ({how}; f3 picks another): {message.author_handle} · "
        f"{ago(message.received_at, now)} ago: {message.text}"
    )


def claim_line(state: ClaimState, contact: str) -> str:
    """The banner atop the thread: who is answering the contact."""
    if state.claim is None:
        return f"Nobody is answering {contact}: writing here claims it."
    if state.mine:
        return f"You are answering {contact}; the others see it."
    return (
        f"Being answered by {state.claim.operator_name} (since "
        f"{state.claim.claimed_at:%H:%M} UTC): ctrl+o takes it over."
    )


def _when(follow_up: FollowUp, time_zone: str) -> str:
    return "done" if follow_up.done_at else f"due {on_clock(follow_up.due_at, time_zone)}"


def _messages(count: int) -> str:
    return "1 message" if count == 1 else f"{count} recent messages"
