"""What an alias screen shows, read in one transaction: plain frozen values for the screens."""

from dataclasses import dataclass, field
from datetime import datetime

from cmconsole.domain.contacts import Facet
from cmconsole.domain.desk_panes import DeskPane
from cmconsole.domain.model import (
    Alias,
    AuditEntry,
    Claim,
    ContactThread,
    GuideVersion,
    Post,
    PublicPost,
    Role,
)
from cmconsole.domain.triage import ThreadState
from cmconsole.services.guides import CurrentGuide
from cmconsole.services.handover import HandoverRecord
from cmconsole.services.inbox import InboxFilter
from cmconsole.services.onboarding import TrackState

# Audit kinds the desk's audit list leaves out: machine bookkeeping that would drown what people
# did (one `inbox.synced` per sync). The ledger keeps them; `cmconsole audit` shows them.
DESK_AUDIT_LEAVES_OUT = frozenset({"inbox.synced"})
# Waiting threads are counted up to this many (shown as "1000+ waiting" beyond): an exact count
# of a busy alias's backlog read 81,000 rows at every refresh (190 ms on PostgreSQL).
WAITING_COUNTED = 1000


@dataclass(frozen=True)
class HandoverFilter:
    """Which handovers the desk's history lists."""

    author: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class DeskFilters:
    """What the screen asked to see: the inbox's filter and the handover history's."""

    inbox: InboxFilter = InboxFilter.ALL
    handovers: HandoverFilter = field(default_factory=HandoverFilter)
    timeline: bool = True  # read the alias's public timeline from its channel (network for X)
    sort: Facet | None = None  # the inbox by the contacts' rating of a facet, highest first
    tag: str | None = None  # only the threads of contacts bearing this tag
    channel: str | None = None  # only the threads whose newest message came from this channel


@dataclass(frozen=True)
class DeskThread:
    """A contact's thread as the inbox lists it, and who answers it now."""

    thread: ContactThread
    claim: Claim | None

    @property
    def state(self) -> ThreadState:
        return self.thread.state

    @property
    def key(self) -> str:
        """Stable across reads (row positions are not): the contact the thread is with."""
        return self.thread.contact_handle

    @property
    def thread_id(self) -> int:
        return self.thread.id


@dataclass(frozen=True)
class AwaitingApproval:
    """A reply waiting for review, with who wrote it and the text it answers."""

    post: Post
    author: str
    asked: str
    private: bool = False  # it answers a private message (Mastodon's `direct`): both are private


@dataclass(frozen=True)
class OutboxPost:
    """A post on its way or stuck in the outbox."""

    post: Post
    private: bool = False  # it answers a private message (Mastodon's `direct`): it is private


@dataclass(frozen=True)
class DeskModel:
    """Everything the alias screen shows, at one snapshot of the workspace (`version`)."""

    alias: Alias
    role: Role  # the reader's role as the database holds it now (a promotion shows at once)
    version: int  # the alias's change counter, read in the same transaction
    read_at: datetime
    threads: list[DeskThread]
    outbox: list[OutboxPost]
    awaiting: list[AwaitingApproval]
    timeline: list[PublicPost]
    handovers: list[HandoverRecord]
    waiting: int  # threads whose fan waits (the whole alias's, not the page's; see waiting_text)
    audit: list[AuditEntry]
    on_shift: list[str]
    follow_ups_due: int
    handovers_unread: int
    guide: CurrentGuide | None
    guide_changes: list[GuideVersion]
    tracks: list[TrackState]
    # Why a part is empty when it could not be read (a handover author not found, the channel
    # down); None when it was read.
    handovers_problem: str | None = None
    timeline_problem: str | None = None
    # When the desk goes stale with no write (the first live claim lapses): re-read by then.
    stale_at: datetime | None = None
    # The channels the alias speaks on, its own first (the inbox names each thread's channel
    # when there are several).
    channels: list[str] = field(default_factory=list)
    # What was read, for whom, and each pane's version then: a refresh reads again only the
    # panes whose version moved.
    filters: DeskFilters = field(default_factory=DeskFilters)
    reader_id: int = 0
    panes: dict[DeskPane, int] = field(default_factory=dict)
    # How this model was made: the panes read for it (the others are its predecessor's), and
    # when the whole desk was last read (parts that age with no write are read again by then).
    reread: frozenset[DeskPane] = field(default=frozenset(DeskPane), compare=False)
    whole_at: datetime | None = field(default=None, compare=False)

    @property
    def waiting_text(self) -> str:
        """ "12 waiting", or "1000+ waiting" past what the desk counts."""
        if self.waiting > WAITING_COUNTED:
            return f"{WAITING_COUNTED}+ waiting"
        return f"{self.waiting} waiting"

    @property
    def may_edit_guide(self) -> bool:
        return self.role is Role.LEAD

    @property
    def may_review(self) -> bool:
        return self.role.publishes_without_approval

    def thread(self, key: str) -> DeskThread | None:
        """The thread with this contact, if the desk lists it."""
        return next((t for t in self.threads if t.key == key), None)
