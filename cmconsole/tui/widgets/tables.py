"""The alias's lists: inbox, public timeline and audit, each a read-only table fed plain records."""

from datetime import datetime

from textual.widgets import DataTable

from cmconsole.domain.display import one_line
from cmconsole.domain.model import AuditEntry, ContactThread, Post, PostStatus, PublicPost
from cmconsole.domain.triage import ThreadState
from cmconsole.services.desk_model import AwaitingApproval, DeskThread, OutboxPost
from cmconsole.tui.clock import ago
from cmconsole.tui.safe import cell, private_cell


class _RecordTable(DataTable[object]):
    """A table that is refilled wholesale and keeps the cursor on the same record."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.add_columns(*self.COLUMNS)

    @property
    def highlighted_key(self) -> str | None:
        """The key of the record under the cursor (a thread's contact, a post's id)."""
        if not self.row_count:
            return None
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)

    def _refill(self, rows: list[tuple[str, list[object]]]) -> None:
        # The cursor follows the record, not the row number: a row arriving above the one the
        # operator highlighted must not slide another record under Enter.
        keep, key = self.cursor_row, self.highlighted_key
        self.clear()
        for row_key, values in rows:
            self.add_row(*values, key=row_key)
        if not rows:
            return
        keys = [row_key for row_key, _ in rows]
        row = keys.index(key) if key in keys else min(keep, len(rows) - 1)
        self.move_cursor(row=row, animate=False)


class InboxTable(_RecordTable):
    """Contacts' threads, newest activity first: each one's state, how long the fan has waited,
    who answers it now (or was handed it), and which the operator selected; for an alias on
    several channels, the channel each thread is on (its newest message's)."""

    COLUMNS = ("", "waited", "from", "answering", "latest message")
    WITH_CHANNEL = ("", "waited", "from", "on", "answering", "latest message")
    _FIXED_WIDTH = 53  # the first four columns and the cell padding
    _CHANNEL_WIDTH = 10  # "mastodon" and its padding

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.selected: set[str] = set()
        self._shown: tuple[list[DeskThread], datetime, int, bool] = ([], datetime.min, 0, False)
        self._with_channel = False

    def show(
        self, threads: list[DeskThread], now: datetime, me: int, channels: bool = False
    ) -> None:
        """`channels`: the alias speaks on several, so each row says which one it is on."""
        self._shown = (threads, now, me, channels)
        self.selected &= {t.key for t in threads}
        if channels != self._with_channel:
            self._with_channel = channels
            self.clear(columns=True)
            self.add_columns(*(self.WITH_CHANNEL if channels else self.COLUMNS))
        fixed = self._FIXED_WIDTH + (self._CHANNEL_WIDTH if channels else 0)
        width = max(20, self.size.width - fixed)
        self._refill(
            [
                (t.key, self._row(t, now, me, width, t.key in self.selected, channels))
                for t in threads
            ]
        )

    def toggle_selected(self) -> None:
        """Select the highlighted thread, or leave it out of the selection again."""
        key = self.highlighted_key
        if key is None:
            return
        self.selected ^= {key}
        self.show(*self._shown)

    def chosen(self) -> list[str]:
        """The selected threads' contacts, else the highlighted one's."""
        if self.selected:
            return sorted(self.selected)
        key = self.highlighted_key
        return [key] if key is not None else []

    @staticmethod
    def _row(
        listed: DeskThread, now: datetime, me: int, width: int, selected: bool, channels: bool
    ) -> list[object]:
        thread = listed.thread
        waiting = thread.waiting_since if thread.waiting else None
        on = [cell(thread.last_channel, 8)] if channels else []
        return [
            _state(listed, selected),
            cell(ago(waiting or thread.last_activity_at, now)),
            _sender(thread),
            *on,
            _answering(listed, me),
            _latest(thread, width, waiting is not None),
        ]


FROM_WIDTH = 18


def _sender(thread: ContactThread) -> object:
    """The contact's handle and how many messages the thread holds; a long handle (a fediverse
    `@user@instance`) is cut, never the count."""
    count = f" ({thread.message_count})"
    return cell(one_line(thread.contact_handle, FROM_WIDTH - len(count)) + count, FROM_WIDTH)


def _latest(thread: ContactThread, width: int, waiting: bool) -> object:
    """The newest message's text; a private one (Mastodon's `direct`) says so first."""
    return private_cell(
        thread.last_text, width, "bold" if waiting else "", private=thread.last_private
    )


def _answering(listed: DeskThread, me: int) -> object:
    claim, handing = listed.claim, listed.thread.handing
    if claim is not None:
        if claim.operator_id == me:
            return cell("you", style="bold green")
        return cell(claim.operator_name, 10, "bold yellow")
    if handing is not None and listed.thread.waiting:
        name = "you" if handing.to_id == me else handing.to_name
        return cell(f"→{name}", 10, "bold magenta")
    return cell("")


_STATE_STYLE = {
    ThreadState.NEW: "reverse",
    ThreadState.OPEN: "bold",
    ThreadState.AWAITING_APPROVAL: "italic yellow",
    ThreadState.ANSWERED: "green",
    ThreadState.CLOSED: "dim",
    ThreadState.SPAM: "dim red",
}


def _state(listed: DeskThread, selected: bool) -> object:
    mark = "✓" if selected else " "
    state = listed.state
    label = f" {state.label.upper()} " if state is ThreadState.NEW else state.label
    return cell(f"{mark}{label}", style=_STATE_STYLE[state])


class OutboxTable(_RecordTable):
    """Posts on their way or stuck, with the channel's reason: Enter on a failed one resends it."""

    COLUMNS = ("status", "tries", "next try", "reason", "reply")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.posts: dict[str, Post] = {}

    def show(self, outbox: list[OutboxPost], now: datetime) -> None:
        self.posts = {str(o.post.id): o.post for o in outbox}
        self._refill([(str(o.post.id), self._row(o, now)) for o in outbox])

    @staticmethod
    def _row(listed: OutboxPost, now: datetime) -> list[object]:
        p = listed.post
        return [
            cell(p.status.value.upper(), style=_OUTBOX_STYLE.get(p.status, "")),
            cell(str(p.attempts)),
            cell(f"in {ago(now, p.retry_at)}" if p.retry_at and p.retry_at > now else ""),
            cell(p.failure_reason or "", 48),
            # A reply to a private message goes out in private: it says so first.
            private_cell(p.text, 48, private=listed.private),
        ]


_OUTBOX_STYLE = {
    PostStatus.FAILED: "bold red",
    PostStatus.UNKNOWN: "bold yellow",
    PostStatus.QUEUED: "",
    PostStatus.SENDING: "italic",
}


class ApprovalTable(_RecordTable):
    """Trainees' replies waiting for someone on shift to approve or send back."""

    COLUMNS = ("waiting", "by", "answering", "reply")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.awaiting: dict[str, AwaitingApproval] = {}

    def show(self, awaiting: list[AwaitingApproval], now: datetime) -> None:
        self.awaiting = {str(a.post.id): a for a in awaiting}
        self._refill(
            [
                (
                    str(a.post.id),
                    [
                        cell(ago(a.post.created_at, now)),
                        cell(a.author, 12, "bold"),
                        # A reply to a private message, and the message: both private.
                        private_cell(a.asked, 36, private=a.private),
                        private_cell(a.post.text, 60, private=a.private),
                    ],
                )
                for a in awaiting
            ]
        )


class TimelineTable(_RecordTable):
    """What the public sees: posts signed by the alias's name, never by a person."""

    COLUMNS = ("when", "by", "post")

    def show(self, posts: list[PublicPost], now: datetime) -> None:
        self._refill(
            [
                (
                    p.channel_post_id,
                    [
                        cell(ago(p.published_at, now)),
                        cell(p.author_name, 24, "bold"),
                        cell(p.text, 100),
                    ],
                )
                for p in posts
            ]
        )


class AuditTable(_RecordTable):
    """Who did what on the alias, newest first."""

    COLUMNS = ("#", "when (UTC)", "who", "what", "about")

    def show(self, entries: list[AuditEntry]) -> None:
        self._refill(
            [
                (
                    str(e.event.seq),
                    [
                        cell(str(e.event.seq)),
                        cell(f"{e.event.occurred_at:%Y-%m-%d %H:%M:%S}"),
                        cell(_who(e), 16, "bold"),
                        cell(e.event.kind, 24),
                        cell(_about(e), 70),
                    ],
                )
                for e in entries
            ]
        )


# The events that show the post's text: those that recorded it, in the ledger before it held
# only stamps (an old event's details keep it) and from the post's row since.
_TEXT_KINDS = frozenset(
    {"post.queued", "post.awaiting_approval", "post.published", "post.edited_and_approved"}
    | {"post.resent"}
)


def _about(entry: AuditEntry) -> str:
    details = entry.event.details
    if "text" in details:
        return f"{entry.event.subject}: {details['text']}"
    if entry.post_text is not None and entry.event.kind in _TEXT_KINDS:
        return f"{entry.event.subject}: {entry.post_text or '(text erased)'}"
    return entry.event.subject


def _who(entry: AuditEntry) -> str:
    # The dispatcher publishes on the author's behalf: show the person, not the machine.
    author = entry.event.details.get("author")
    return entry.actor_name or (str(author) if isinstance(author, str) else "system")
