"""The alias's lists: inbox, public timeline and audit, each a read-only table fed plain records."""

from dataclasses import dataclass
from datetime import datetime

from textual.widgets import DataTable

from cmconsole.domain.model import AuditEntry, InboundMessage, Post, PublicPost
from cmconsole.tui.clock import ago
from cmconsole.tui.safe import cell


class _RecordTable(DataTable[object]):
    """A table that is refilled wholesale and keeps the cursor on the same record."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.add_columns(*self.COLUMNS)

    def _refill(self, rows: list[tuple[str, list[object]]]) -> None:
        keep = self.cursor_row
        self.clear()
        for key, values in rows:
            self.add_row(*values, key=key)
        if rows:
            self.move_cursor(row=min(keep, len(rows) - 1))


class InboxTable(_RecordTable):
    """Messages from the public, newest first; unanswered ones stand out, with their wait."""

    COLUMNS = ("", "waited", "from", "message")
    _FIXED_WIDTH = 40  # the first three columns and the cell padding

    def show(self, messages: list[InboundMessage], now: datetime) -> None:
        width = max(20, self.size.width - self._FIXED_WIDTH)
        self._refill(
            [
                (
                    str(m.id),
                    [
                        cell("answered", style="green")
                        if m.answered
                        else cell(" NEW ", style="reverse"),
                        cell(ago(m.received_at, now)),
                        cell(m.author_handle, 20),
                        cell(m.text, width, "" if m.answered else "bold"),
                    ],
                )
                for m in messages
            ]
        )


@dataclass(frozen=True)
class Awaiting:
    """A reply waiting for review, with who wrote it and what it answers."""

    post: Post
    author: str
    asked: str


class ApprovalTable(_RecordTable):
    """Trainees' replies waiting for someone on shift to approve or send back."""

    COLUMNS = ("waiting", "by", "answering", "reply")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.awaiting: dict[str, Awaiting] = {}

    def show(self, awaiting: list[Awaiting], now: datetime) -> None:
        self.awaiting = {str(a.post.id): a for a in awaiting}
        self._refill(
            [
                (
                    str(a.post.id),
                    [
                        cell(ago(a.post.created_at, now)),
                        cell(a.author, 12, "bold"),
                        cell(a.asked, 36),
                        cell(a.post.text, 60),
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


def _about(entry: AuditEntry) -> str:
    details = entry.event.details
    if "text" in details:
        return f"{entry.event.subject}: {details['text']}"
    return entry.event.subject


def _who(entry: AuditEntry) -> str:
    # The dispatcher publishes on the author's behalf: show the person, not the machine.
    author = entry.event.details.get("author")
    return entry.actor_name or (str(author) if isinstance(author, str) else "system")
