"""One message from the public, the alias's replies to it, and the box to write the next one."""

from datetime import datetime, timedelta

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Label, Static, TextArea

from cmconsole.domain.checker import check
from cmconsole.domain.errors import CmconsoleError, HandoversUnread
from cmconsole.domain.guide import Guide, Severity
from cmconsole.domain.model import FollowUp, Membership, Post, PostStatus
from cmconsole.services.guard import SignedIn
from cmconsole.services.inbox import Thread
from cmconsole.tui.clock import ago
from cmconsole.tui.dialogs.prompt import Field, PromptDialog
from cmconsole.tui.safe import content
from cmconsole.tui.screens.base import ConsoleScreen
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.tui.widgets.compose import ComposeBox

MAX_FOLLOW_UP_HOURS = 24 * 365

_STATUS_WORDS = {
    PostStatus.AWAITING_APPROVAL: "waiting for approval",
    PostStatus.QUEUED: "queued",
    PostStatus.SENDING: "sending",
    PostStatus.PUBLISHED: "published",
    PostStatus.FAILED: "FAILED",
    PostStatus.REJECTED: "rejected",
}


class ThreadScreen(ConsoleScreen[None]):
    """Read the message, write the reply, send it as the alias."""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send as the alias", priority=True),
        Binding("f2", "fix", "Apply the first fix", priority=True),
        Binding("ctrl+f", "promise", "Promise a follow-up", priority=True),
        Binding("ctrl+d", "follow_up_done", "Follow-up done", priority=True),
        Binding("escape", "back", "Back to inbox"),
    ]

    class ThreadLoaded(Message):
        def __init__(
            self,
            thread: Thread,
            follow_ups: list[FollowUp],
            guide: Guide | None,
            initials: str,
        ) -> None:
            super().__init__()
            self.thread = thread
            self.follow_ups = follow_ups
            self.guide = guide
            self.initials = initials

    class ReplySent(Message):
        def __init__(self, post: Post) -> None:
            super().__init__()
            self.post = post

    class ReplyRefused(Message):
        def __init__(self, reason: str, *, handovers_unread: bool = False) -> None:
            super().__init__()
            self.reason = reason
            self.handovers_unread = handovers_unread

    def __init__(self, who: SignedIn, membership: Membership, inbound_id: int) -> None:
        super().__init__()
        self.who = who
        self.alias = membership.alias
        self.inbound_id = inbound_id
        self._follow_ups: list[FollowUp] = []
        self._sending = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="thread"):
            yield Static("", id="message-meta", markup=False)
            yield Static("", id="message-text", markup=False)
            yield Static("", id="replies", markup=False)
            yield Static("", id="follow-ups", markup=False)
        yield Label(f"Reply as {self.alias.display_name} ({self.alias.handle}):", markup=False)
        yield ComposeBox(id="compose")
        yield Static(
            "ctrl+s sends · f2 fixes · ctrl+f promises a follow-up · esc goes back",
            id="compose-status",
            markup=False,
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reply", TextArea).focus()
        self._load()

    @work(thread=True, exclusive=True, group="thread")
    def _load(self) -> None:
        try:
            thread = self.services.inbox.thread(self.who, self.inbound_id)
            follow_ups = self.services.follow_ups.for_thread(self.who, self.inbound_id)
            guide = self.services.guides.for_checking(self.who, self.alias.id)
            initials = self.services.accounts.operator(self.who).initials
        except CmconsoleError as error:
            self.post_message(self.ReplyRefused(str(error)))
            return
        if thread is not None:
            self.post_message(self.ThreadLoaded(thread, follow_ups, guide, initials))

    def on_thread_screen_thread_loaded(self, message: ThreadLoaded) -> None:
        thread, now = message.thread, self.console.clock()
        guide, initials = message.guide, message.initials
        self.query_one(ComposeBox).use_checker(
            lambda text: check(text, guide, author_initials=initials)
        )
        self.query_one("#message-meta", Static).update(
            content(
                f"{thread.message.author_handle} wrote {ago(thread.message.received_at, now)} ago:"
            )
        )
        self.query_one("#message-text", Static).update(content(thread.message.text))
        replies = [
            f"  ↳ {_STATUS_WORDS[post.status]}: {post.text}"
            + (f"  ({post.failure_reason})" if post.failure_reason else "")
            + (f"\n     reviewer: {post.review_comment}" if post.review_comment else "")
            for post in thread.replies
        ]
        self.query_one("#replies", Static).update(
            content("\n".join(replies) if replies else "No reply yet.")
        )
        self._follow_ups = message.follow_ups
        promises = [f"  ⏰ {_when(f)}: {f.promise}" for f in message.follow_ups]
        self.query_one("#follow-ups", Static).update(
            content("Follow-ups:\n" + "\n".join(promises) if promises else "")
        )

    def action_send(self) -> None:
        if self._sending:
            return  # one reply at a time: a second ctrl+s must not publish it twice
        box = self.query_one(ComposeBox)
        text, result = box.text, box.result
        if not text.strip():
            self._status("The reply is empty: write something before sending.", error=True)
            return
        if result is None:
            self._status("Still loading the alias's guide: try again in a moment.")
            return
        if not result.ok:
            errors = ", ".join(f.rule for f in result.findings if f.severity is Severity.ERROR)
            self._status(f"Not sent: fix what the guide calls errors first ({errors}).", error=True)
            return
        warnings = sorted({f.rule for f in result.findings if f.severity is Severity.WARNING})
        if not warnings:
            self._send(text, {})
            return

        def explained(values: list[str] | None) -> None:
            if values is not None:
                self._send(text, dict(zip(warnings, values, strict=True)))

        self.app.push_screen(
            PromptDialog(
                "The guide warns about this reply. Send it anyway? Say why (the audit keeps it).",
                [Field(f"Why pass {rule}?") for rule in warnings],
            ),
            explained,
        )

    def action_fix(self) -> None:
        if self.query_one(ComposeBox).apply_first_fix() is None:
            self._status("No finding has a fix to apply: rewrite it yourself.")

    def _send(self, text: str, overrides: dict[str, str]) -> None:
        if self._sending:
            return
        self._sending = True
        self._status("Sending…")
        self._send_in_background(text, overrides)

    @work(thread=True, group="send")
    def _send_in_background(self, text: str, overrides: dict[str, str]) -> None:
        try:
            post = self.services.posting.reply(self.who, self.inbound_id, text, overrides)
            if post.status is PostStatus.QUEUED:
                sent = [p for p in self.services.dispatcher.dispatch_pending() if p.id == post.id]
                post = sent[0] if sent else post
        except HandoversUnread as error:
            self.post_message(self.ReplyRefused(str(error), handovers_unread=True))
        except CmconsoleError as error:
            self.post_message(self.ReplyRefused(str(error)))
        else:
            self.post_message(self.ReplySent(post))

    def on_thread_screen_reply_sent(self, message: ReplySent) -> None:
        self._sending = False
        post = message.post
        if post.status is PostStatus.FAILED:
            self._status(f"Not published: {post.failure_reason}. Your text is kept.", error=True)
            self._load()
            return
        words = {
            PostStatus.PUBLISHED: f"Published as {self.alias.display_name}.",
            PostStatus.AWAITING_APPROVAL: "Sent for approval: someone on shift will review it.",
        }.get(post.status, f"Reply {_STATUS_WORDS[post.status]}.")
        self.notify(words, markup=False)
        self.dismiss()

    def on_thread_screen_reply_refused(self, message: ReplyRefused) -> None:
        self._sending = False
        self._status(message.reason, error=True)
        if message.handovers_unread:
            # Take them to what they must read; their reply stays in the box meanwhile.
            self.app.push_screen(HandoverReadScreen(self.who, self.alias))

    def action_promise(self) -> None:
        def promised(values: list[str] | None) -> None:
            if not values:
                return
            try:
                hours = float(values[1].replace(",", "."))
            except ValueError:
                hours = -1.0
            if not 0 < hours <= MAX_FOLLOW_UP_HOURS:  # also refuses nan and inf
                self._status(
                    f"Say in how many hours the follow-up is due: 1 to {MAX_FOLLOW_UP_HOURS}.",
                    error=True,
                )
                return
            self._promise(values[0], self.console.clock() + timedelta(hours=hours))

        self.app.push_screen(
            PromptDialog(
                "Promise a follow-up to this person",
                [Field("What did we promise?"), Field("Due in how many hours?", value="24")],
            ),
            promised,
        )

    @work(thread=True, exclusive=True, group="follow-up")
    def _promise(self, promise: str, due_at: datetime) -> None:
        try:
            self.services.follow_ups.promise(self.who, self.inbound_id, promise, due_at)
        except CmconsoleError as error:
            self.post_message(self.ReplyRefused(str(error)))
        else:
            self.app.call_from_thread(self._load)

    def action_follow_up_done(self) -> None:
        open_ones = [f for f in self._follow_ups if f.done_at is None]
        if open_ones:
            self._complete(open_ones[0].id)

    @work(thread=True, exclusive=True, group="follow-up")
    def _complete(self, follow_up_id: int) -> None:
        try:
            self.services.follow_ups.complete(self.who, follow_up_id)
        except CmconsoleError as error:
            self.post_message(self.ReplyRefused(str(error)))
        else:
            self.app.call_from_thread(self._load)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#compose-status", Static)
        status.update(text)
        status.set_class(error, "error")

    def action_back(self) -> None:
        self.dismiss()


def _when(follow_up: FollowUp) -> str:
    return "done" if follow_up.done_at else f"due {follow_up.due_at:%Y-%m-%d %H:%M} UTC"
