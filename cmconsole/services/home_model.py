"""What the home screen shows: every alias a person works, what waits there, most urgent first."""

from dataclasses import dataclass
from datetime import datetime

from cmconsole.domain.model import Alias, Role
from cmconsole.services.desk_model import WAITING_COUNTED


def counted(count: int) -> str:
    """A count as shown: "1000+" past what the home counts."""
    return f"{WAITING_COUNTED}+" if count > WAITING_COUNTED else str(count)


def age(since: datetime | None, now: datetime) -> str:
    """How long ago, in the largest whole unit: "45s", "12m", "3h", "2d" ("-" for never)."""
    if since is None:
        return "-"
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class AliasHome:
    """One alias as its home row shows it, for the person who reads it."""

    alias: Alias
    role: Role
    unanswered: int  # threads whose fan waits and no reply is written (counted to 1001)
    oldest_wait: datetime | None  # since when the longest-waiting of those fans waits
    awaiting: int  # replies written, waiting for a lead's approval
    failed: int  # posts the channel refused
    promises_due: int  # promises (follow-ups) due within the desk's horizon
    promises_overdue: int  # of those, the ones already late
    on_shift: list[str]  # who is on shift there now (stale shifts left out)
    mine: bool  # the reader is on shift there
    handovers_unread: int  # handovers the reader must read before speaking there
    guide_unread: bool  # the reader never acknowledged the alias's guide
    guide_changes: int  # guide versions saved since the reader's previous shift ended

    @property
    def urgency(self) -> int:
        """0: something is broken or late (a failed post, an overdue promise); 1: fans wait
        (unanswered or for approval); 2: something to read or a promise due soon; 3: quiet."""
        if self.failed or self.promises_overdue:
            return 0
        if self.unanswered or self.awaiting:
            return 1
        if self.promises_due or self.handovers_unread or self.guide_unread or self.guide_changes:
            return 2
        return 3

    @property
    def unattended(self) -> bool:
        """Fans wait and nobody is on shift to answer them."""
        return not self.on_shift and (self.unanswered > 0 or self.awaiting > 0)

    @property
    def must_read(self) -> bool:
        """The gates the reader passes before speaking there: handovers, the guide."""
        return self.handovers_unread > 0 or self.guide_unread


def urgency_order(row: AliasHome) -> tuple[int, bool, float, int, str]:
    """Most urgent first: by kind, unattended before attended, the longest wait, the backlog."""
    waited = -row.oldest_wait.timestamp() if row.oldest_wait else float("-inf")
    return (row.urgency, not row.unattended, -waited, -row.unanswered, row.alias.handle.lower())


@dataclass(frozen=True)
class HomeModel:
    """Every alias the person works, most urgent first, at one snapshot (`version`)."""

    person: str
    read_at: datetime
    version: int
    aliases: list[AliasHome]

    @property
    def alias_ids(self) -> list[int]:
        return [row.alias.id for row in self.aliases]

    @property
    def led(self) -> list[AliasHome]:
        """The lead's overview: the aliases the reader leads."""
        return [row for row in self.aliases if row.role is Role.LEAD]

    @property
    def unattended(self) -> list[AliasHome]:
        """Aliases the reader leads where fans wait and nobody is on shift."""
        return [row for row in self.led if row.unattended]

    def row(self, alias_id: int) -> AliasHome | None:
        return next((row for row in self.aliases if row.alias.id == alias_id), None)
