"""A contact's conversation with the alias, who is answering it, and the box for the next reply."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Header, Static, TextArea
from textual.worker import Worker, WorkerState

from cmconsole.domain.channel_limits import PostLimits
from cmconsole.domain.checker import CheckResult, check
from cmconsole.domain.errors import CmconsoleError, HandoversUnread
from cmconsole.domain.guide import Guide, Severity
from cmconsole.domain.model import (
    FollowUp,
    InboundMessage,
    Membership,
    Post,
    PostStatus,
    SavedReply,
)
from cmconsole.services.claims import ClaimHeld, ClaimState
from cmconsole.services.guard import SignedIn
from cmconsole.services.inbox import Conversation
from cmconsole.tui.dialogs.choose import ChooseDialog
from cmconsole.tui.dialogs.prompt import Field, PromptDialog
from cmconsole.tui.panes.conversation import (
    STATUS_WORDS,
    ConversationPane,
    answering_line,
    claim_line,
)
from cmconsole.tui.safe import content, inert
from cmconsole.tui.screens.base import service_work
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.tui.screens.thread_contact import ThreadContact
from cmconsole.tui.screens.thread_follow_ups import Accepted
from cmconsole.tui.widgets.compose import ComposeBox
from cmconsole.tui.widgets.speaker import Speaker

# One wait on the alias's change counter lasts this long at most, then the next begins: the
# conversation and the claim are read again only when the counter moved (a new message, a
# colleague's claim, a reply settled).
LIVE_WAIT_SECONDS = 0.5
# Relative times tick from what was read, without reading.
TICK_SECONDS = 1.0
# A claim lapses after minutes idle (claims.CLAIM_IDLE): typing renews it this often at most.
RENEW_SECONDS = 30.0


class ThreadScreen(ThreadContact):
    """Read the conversation, write the reply, send it as the alias. Opening it claims the
    contact; leaving it (it dismisses with the contact) lets the alias screen release the claim.
    """

    # At 80 columns the footer holds the keys of the loop (send, fix, promise, pick, back) with
    # `?` and ^q; the rest are under `?`, where each short label is followed by its tooltip.
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", tooltip="as the alias", priority=True),
        Binding("f2", "fix", "Fix", tooltip="apply the first fix", priority=True),
        Binding("ctrl+f", "promise", "Promise", tooltip="a follow-up", priority=True),
        Binding("f3", "pick_message", "Pick", tooltip="the message to answer", priority=True),
        Binding("ctrl+r", "saved_reply", "Insert a saved reply", priority=True, show=False),
        Binding("ctrl+o", "take_over", "Take the claim over", priority=True, show=False),
        Binding("ctrl+d", "follow_up_done", "Follow-up done", priority=True, show=False),
        Binding("f4", "toggle_card", "Show or hide the contact card", priority=True, show=False),
        Binding("f5", "write_note", "Write a note about the contact", priority=True, show=False),
        Binding("escape", "back", "Back", tooltip="to the inbox"),
        Binding("f1", "app.toggle_help", "Keys", tooltip="(also ? where no text is typed)"),
    ]

    class ThreadLoaded(Message):
        """What the compose box needs once: the guide to check with, saved replies."""

        def __init__(
            self,
            guide: Guide | None,
            initials: str,
            saved: list[SavedReply],
            limits: dict[str, PostLimits | None] | None = None,
        ) -> None:
            super().__init__()
            self.guide = guide
            self.initials = initials
            self.saved = saved
            # Per channel the alias speaks on: what its server there allows, if it said.
            self.limits = limits or {}

    class ConversationLoaded(Message):
        def __init__(self, conversation: Conversation, follow_ups: list[FollowUp]) -> None:
            super().__init__()
            self.conversation = conversation
            self.follow_ups = follow_ups

    class ClaimChanged(Message):
        def __init__(self, state: ClaimState) -> None:
            super().__init__()
            self.state = state

    class ReplySent(Message):
        def __init__(self, post: Post, follow_ups_refused: list[str]) -> None:
            super().__init__()
            self.post = post
            self.follow_ups_refused = follow_ups_refused

    class ReplyRefused(Message):
        def __init__(self, reason: str, *, handovers_unread: bool = False) -> None:
            super().__init__()
            self.reason = reason
            self.handovers_unread = handovers_unread

    def __init__(
        self, who: SignedIn, membership: Membership, contact: str, at: int | None = None
    ) -> None:
        super().__init__()
        self.who = who
        self.alias = membership.alias
        self.contact = contact
        self.at = at  # a message to open at (a search found it): shown around it, marked
        self._conversation: Conversation | None = None
        self._version: int | None = None  # the alias's change counter when last read
        # The message the operator picked to answer (f3, or the one a search opened the thread
        # at: never an older one of the window unseen); None: the newest unanswered one.
        self._picked: int | None = at
        self._follow_ups: list[FollowUp] = []
        self._saved: list[SavedReply] = []
        self._sending = False
        self._sent = False
        self._typed_since_renewal = False
        self._claim = ClaimState(None, False)
        # Where the reply goes out, and so how it is counted: the channel of the message it
        # answers (the alias's own until the conversation is read).
        self._channel = self.alias.channel
        self._limits: dict[str, PostLimits | None] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="claim", markup=False)
        with Horizontal(id="thread-row"):
            yield ConversationPane(
                self.contact, found=self.at, time_zone=self.alias.time_zone, id="thread"
            )
            yield self.contact_card()
        yield Static("", id="answering", markup=False)
        yield Speaker(self.alias, "Reply as", id="speaking-as")
        yield ComposeBox(id="compose")
        yield Static(
            "ctrl+s send · f2 fix · f3 pick message · ctrl+r saved reply · ctrl+f follow-up",
            id="compose-status",
            markup=False,
        )
        yield Footer()

    def on_mount(self) -> None:
        reply = self.query_one("#reply", TextArea)
        reply.focus()
        # A draft belongs to its alias and thread: left unsent here before, it is here again.
        draft = self.console.drafts.get((self.alias.id, self.contact))
        if draft:
            reply.load_text(draft)
            reply.move_cursor(reply.document.end)
        self.fold_card_to_fit()
        self._load_setup()
        self._watch_claim()
        self._wait_for_change()
        self.set_interval(TICK_SECONDS, self._tick)
        self.set_interval(RENEW_SECONDS, self._renew)

    @service_work(group="thread-wait", exclusive=True)
    def _wait_for_change(self) -> None:
        """One wait on the alias's counter; read the conversation and the claim if it moved.
        When the wait ends the next begins (on_worker_state_changed)."""
        desk, alias_id, since = self.services.desk, self.alias.id, self._version
        if since is not None and desk.wait_for_change(alias_id, since, LIVE_WAIT_SECONDS) == since:
            return
        # The counter before the read: a change during it is read on the next wait.
        self._version = desk.version(alias_id)
        self._read_conversation()
        self.post_message(
            self.ClaimChanged(self.services.claims.state(self.who, alias_id, self.contact))
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "thread-wait" or not event.worker.is_finished:
            return
        if event.state is WorkerState.ERROR:
            self.set_timer(LIVE_WAIT_SECONDS * 4, self._wait_for_change)
        elif self.is_attached:
            self._wait_for_change()

    def _renew(self) -> None:
        if self._claim.mine and self._typed_since_renewal:
            self._typed_since_renewal = False
            self._renew_claim()

    @service_work(group="claim-renew", exclusive=True)
    def _renew_claim(self) -> None:
        self.services.claims.renew(self.who, self.alias.id, self.contact)

    @service_work(exclusive=True, group="thread-setup")
    def _load_setup(self) -> None:
        guide = self.services.guides.for_checking(self.who, self.alias.id)
        # Every channel's: the message answered (f3 picks another) may have come from any.
        limits = {
            channel: self.services.guides.limits_for_checking(self.who, self.alias.id, channel)
            for channel in self.services.accounts.channels(self.alias.id)
        }
        initials = self.services.accounts.operator(self.who).initials
        saved = self.services.saved_replies.replies(self.who, self.alias.id)
        self.services.follow_ups.get_ready(self.alias)  # so ctrl+s proposes without a pause
        self.read_contact()  # before the guide: no reply is sent before its warning is known
        self.post_message(self.ThreadLoaded(guide, initials, saved, limits))

    @service_work(exclusive=True, group="thread")
    def _load(self) -> None:
        self._read_conversation()

    def _read_conversation(self) -> None:
        """From a worker: the conversation and its follow-ups, posted to the screen."""
        conversation = self.services.inbox.conversation(
            self.who, self.alias.id, self.contact, self.at
        )
        latest = conversation.latest
        follow_ups = self.services.follow_ups.for_thread(self.who, latest.id) if latest else []
        self.post_message(self.ConversationLoaded(conversation, follow_ups))
        self.read_contact()

    @property
    def answering(self) -> InboundMessage | None:
        """The message the reply will answer: the one picked, else the newest unanswered."""
        conversation = self._conversation
        if conversation is None:
            return None
        picked = [m for m in conversation.messages if m.id == self._picked]
        if picked:
            return picked[0]
        default = conversation.answer_to
        return next((m for m in conversation.messages if m.id == default), None)

    @property
    def inbound_id(self) -> int | None:
        message = self.answering
        return message.id if message else None

    def action_pick_message(self) -> None:
        """Answer the next older message (wrapping round to the newest)."""
        conversation, current = self._conversation, self.answering
        if conversation is None or current is None:
            return
        newest_first = list(reversed(conversation.messages))
        at = next(i for i, m in enumerate(newest_first) if m.id == current.id)
        self._picked = newest_first[(at + 1) % len(newest_first)].id
        self._tick()
        self._follow_channel()

    def _follow_channel(self) -> None:
        """The reply goes out where the message it answers came from: say so, count it so."""
        message = self.answering
        channel = (message.channel if message is not None else "") or self.alias.channel
        if channel == self._channel:
            return
        self._channel = channel
        self.query_one("#speaking-as", Speaker).speak_on(channel)
        self.query_one(ComposeBox).recheck()

    def _tick(self) -> None:
        now = self.console.clock()
        if self._conversation is not None:
            self.query_one(ConversationPane).show(
                self._conversation, self._follow_ups, self.inbound_id, now
            )
        self.tick_card()
        message = self.answering
        picked = message is not None and message.id == self._picked
        self.query_one("#answering", Static).update(content(answering_line(message, now, picked)))

    @service_work(exclusive=True, group="claim")
    def _watch_claim(self) -> None:
        """Claim (on opening, or when writing in a thread nobody holds)."""
        state = self.services.claims.claim(self.who, self.alias.id, self.contact)
        self.post_message(self.ClaimChanged(state))

    def on_thread_screen_claim_changed(self, message: ClaimChanged) -> None:
        self._claim = state = message.state
        banner = self.query_one("#claim", Static)
        banner.update(content(claim_line(state, self.contact)))
        banner.set_class(state.claim is not None and not state.mine, "warning")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._typed_since_renewal = True
        if self._claim.claim is None:
            self._watch_claim()

    def on_thread_screen_thread_loaded(self, message: ThreadLoaded) -> None:
        guide, initials = message.guide, message.initials
        self._limits = message.limits
        # Read at each check: picking a message from another channel counts the draft anew.
        self.query_one(ComposeBox).use_checker(
            lambda text: check(
                text,
                guide,
                author_initials=initials,
                channel=self._channel,
                limits=self._limits.get(self._channel),
            )
        )
        self._saved = message.saved

    def on_thread_screen_conversation_loaded(self, message: ConversationLoaded) -> None:
        self._conversation = message.conversation
        self._follow_ups = message.follow_ups
        self._tick()
        self._follow_channel()

    def action_saved_reply(self) -> None:
        if not self._saved:
            self._status("This alias has no saved replies yet (a lead adds them).")
            return

        def chosen(text: str | None) -> None:
            if text is not None:
                self.query_one("#reply", TextArea).insert(text)

        self.app.push_screen(
            ChooseDialog("Insert a saved reply", [(s.name, s.text) for s in self._saved]), chosen
        )

    def action_take_over(self) -> None:
        self._take_over()

    @service_work(exclusive=True, group="claim")
    def _take_over(self) -> None:
        self.services.claims.take_over(self.who, self.alias.id, self.contact)
        state = self.services.claims.state(self.who, self.alias.id, self.contact)
        self.post_message(self.ClaimChanged(state))

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
        self.confirm_engagement(lambda: self._send_checked(text, result))

    def _send_checked(self, text: str, result: CheckResult) -> None:
        warnings = sorted({f.rule for f in result.findings if f.severity is Severity.WARNING})
        if not warnings:
            self._propose_then_send(text, {})
            return

        def explained(values: list[str] | None) -> None:
            if values is not None:
                self._propose_then_send(text, dict(zip(warnings, values, strict=True)))

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

    def _propose_then_send(self, text: str, overrides: dict[str, str]) -> None:
        """The follow-ups the reply promises are proposed first; it is sent either way."""
        if self._sending:
            return
        self._sending = True  # a second ctrl+s while a proposal is open must not send twice

        def send(accepted: list[Accepted]) -> None:
            self._status("Sending…")
            self._send_in_background(text, overrides, accepted)

        self.propose_follow_ups(text, send)

    @service_work(group="send")
    def _send_in_background(
        self, text: str, overrides: dict[str, str], accepted: list[Accepted]
    ) -> None:
        inbound_id = self.inbound_id
        if inbound_id is None:
            self.post_message(self.ReplyRefused("There is no message to answer yet."))
            return
        try:
            # Returns once the post is settled, or queued (for approval, for later, or for a
            # dispatcher elsewhere): nothing to poll here.
            post = self.services.pump.send(
                self.who, inbound_id, text, overrides, dispatch=self.console.dispatches
            )
        except ClaimHeld as error:
            self.post_message(self.ClaimChanged(ClaimState(error.claim, False)))
            self.post_message(self.ReplyRefused(f"Not sent: {error}"))
        except HandoversUnread as error:
            self.post_message(self.ReplyRefused(str(error), handovers_unread=True))
        except CmconsoleError as error:
            self.post_message(self.ReplyRefused(str(error)))
        else:
            # The accepted follow-ups are kept once the reply is on its way (a refused reply
            # stays in the box, and proposes them again when sent).
            self.post_message(self.ReplySent(post, self.record_accepted(inbound_id, accepted)))

    def on_thread_screen_reply_sent(self, message: ReplySent) -> None:
        self._sending = False
        post = message.post
        for refused in message.follow_ups_refused:
            self.notify(inert(refused), severity="error", markup=False)
        if post.status is PostStatus.FAILED:
            self._status(
                f"Not published: {post.failure_reason}. It stays in the Outbox tab to resend.",
                error=True,
            )
            self._load()
            return
        words = {
            PostStatus.PUBLISHED: f"Published as {self.alias.display_name}.",
            PostStatus.AWAITING_APPROVAL: "Sent for approval: someone on shift will review it.",
        }.get(post.status, f"Reply {STATUS_WORDS[post.status]}: see the Outbox tab.")
        self.notify(inert(words), markup=False)
        self._sent = True
        self.console.drafts.pop((self.alias.id, self.contact), None)
        self.dismiss(self.contact)

    def show_problem(self, reason: str) -> None:
        self._sending = False
        self._status(reason, error=True)

    def on_thread_screen_reply_refused(self, message: ReplyRefused) -> None:
        self.show_problem(message.reason)
        if message.handovers_unread:
            # Take them to what they must read; their reply stays in the box meanwhile.
            self.app.push_screen(HandoverReadScreen(self.who, self.alias))

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#compose-status", Static)
        status.update(content(text))
        status.set_class(error, "error")

    def action_back(self) -> None:
        self._keep_draft()
        self.dismiss(self.contact)

    def _keep_draft(self) -> None:
        """What is typed and unsent is the thread's draft (kept by the console, by alias and
        contact): leaving the thread or switching aliases loses nothing."""
        key = (self.alias.id, self.contact)
        text = self.query_one("#reply", TextArea).text
        if text.strip() and not self._sent:
            self.console.drafts[key] = text
        else:
            self.console.drafts.pop(key, None)
