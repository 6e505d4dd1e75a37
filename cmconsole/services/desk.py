"""The desk: everything an alias screen shows, read in one transaction, and told when it moved."""

from dataclasses import replace
from datetime import datetime

from cmconsole.domain.model import Alias, Operator, Role
from cmconsole.domain.triage import WAITING_STATES
from cmconsole.services.desk_model import (
    DESK_AUDIT_LEAVES_OUT,
    WAITING_COUNTED,
    AwaitingApproval,
    DeskFilters,
    DeskModel,
    DeskThread,
    HandoverFilter,
)
from cmconsole.services.guard import (
    SignedIn,
    active_operator,
    existing_alias,
    role_on,
    unread_guide,
    unread_handovers,
)
from cmconsole.services.guides import changes_since_last_shift, current_guide
from cmconsole.services.handover import FOLLOW_UPS_HORIZON, HandoverRecord
from cmconsole.services.inbox import INBOX_PAGE, page_threads
from cmconsole.services.onboarding import trainee_tracks
from cmconsole.services.ports import (
    Channel,
    ChannelError,
    Clock,
    DeskSignals,
    Transaction,
    Workspace,
    channel_for,
)
from cmconsole.services.shifts import STALE_AFTER

# As many rows as the screen's lists held when each was read on its own.
OUTBOX_PAGE = 200
AWAITING_PAGE = 200
HISTORY_PAGE = 200
AUDIT_PAGE = 200
TIMELINE_PAGE = 50


class Desk:
    """Reads an alias's desk for one operator, in one transaction at one snapshot."""

    def __init__(
        self,
        workspace: Workspace,
        channels: dict[str, Channel],
        clock: Clock,
        signals: DeskSignals,
    ) -> None:
        self._workspace = workspace
        self._channels = channels
        self._clock = clock
        self._signals = signals

    def version(self, alias_id: int) -> int:
        """The alias's change counter: when it equals the shown model's `version`, nothing the
        desk shows changed (one cheap query: an idle refresh costs only this)."""
        return self._signals.version(alias_id)

    def wait_for_change(self, alias_id: int, since_version: int, timeout: float) -> int:
        """Block until the alias's counter moves from `since_version` (return the new one) or
        `timeout` seconds pass (return `since_version`). Run it on a worker thread; on
        PostgreSQL a colleague's write wakes it within milliseconds, and waiting costs no query."""
        return self._signals.wait(alias_id, since_version, timeout)

    def close(self) -> None:
        self._signals.close()

    def read(self, who: SignedIn, alias_id: int, filters: DeskFilters | None = None) -> DeskModel:
        """Everything the alias screen shows. Only the public timeline comes from the channel,
        after the transaction (a network must never hold the database)."""
        filters = filters or DeskFilters()
        now = self._clock()
        with self._workspace.reading() as tx:
            model = _read(tx, who, alias_id, filters, now)
        if not filters.timeline:
            return model
        try:
            channel = channel_for(self._channels, model.alias)
            timeline = channel.recent_posts(model.alias, TIMELINE_PAGE)
        except ChannelError as error:
            return replace(model, timeline_problem=str(error))
        return replace(model, timeline=timeline)


def _read(
    tx: Transaction, who: SignedIn, alias_id: int, filters: DeskFilters, now: datetime
) -> DeskModel:
    operator = active_operator(tx, who)
    alias = existing_alias(tx, alias_id)
    role = role_on(tx, operator, alias)
    version = tx.desk.version(alias.id)
    found = tx.desk.awaiting(alias.id, AWAITING_PAGE)
    awaiting = [AwaitingApproval(post, author, asked) for post, author, asked, _ in found]
    threads, stale_at = _threads(tx, operator, alias, filters, now)
    handovers, handovers_problem = _handovers(tx, alias, filters.handovers)
    shift = tx.shifts.open_for(operator.id, alias.id)
    unread = len(unread_handovers(tx, operator, alias, shift))
    unread += unread_guide(tx, operator, alias) is not None
    return DeskModel(
        alias=alias,
        role=role,
        version=version,
        read_at=now,
        threads=threads,
        outbox=tx.posts.unsettled(alias.id, OUTBOX_PAGE),
        awaiting=awaiting,
        timeline=[],
        handovers=handovers,
        waiting=tx.threads.count(alias.id, WAITING_STATES, WAITING_COUNTED + 1),
        audit=tx.audit.recent(
            alias.id,
            AUDIT_PAGE,
            None if role is Role.LEAD else operator.id,
            leave_out=DESK_AUDIT_LEAVES_OUT,
        ),
        on_shift=[
            person.name
            for s, person in tx.shifts.open_on_alias(alias.id)
            if now - (s.heartbeat_at or s.started_at) <= STALE_AFTER
        ],
        follow_ups_due=len(tx.follow_ups.open_due_before(alias.id, now + FOLLOW_UPS_HORIZON)),
        handovers_unread=unread,
        guide=current_guide(tx, alias),
        guide_changes=changes_since_last_shift(tx, operator, alias, now),
        tracks=trainee_tracks(tx, operator, alias, role),
        handovers_problem=handovers_problem,
        stale_at=stale_at,
    )


def _threads(
    tx: Transaction,
    operator: Operator,
    alias: Alias,
    filters: DeskFilters,
    now: datetime,
) -> tuple[list[DeskThread], datetime | None]:
    """One page of threads, newest activity first, and when the first live claim lapses."""
    claims = {claim.contact_handle: claim for claim in tx.claims.live(alias.id, now)}
    page = page_threads(
        tx, alias.id, operator.id, filters.inbox, INBOX_PAGE, now, filters.sort, filters.tag
    )
    threads = [
        DeskThread(
            thread,
            claims.get(thread.contact_handle),
        )
        for thread in page
    ]
    return threads, min((claim.expires_at for claim in claims.values()), default=None)


def _handovers(
    tx: Transaction, alias: Alias, wanted: HandoverFilter
) -> tuple[list[HandoverRecord], str | None]:
    author_id = None
    if wanted.author.strip():
        found = tx.operators.by_name(wanted.author.strip().lower())
        if found is None:
            # A login half typed in the filter: show nothing and say why, keep refreshing.
            return [], f"there is no operator {wanted.author.strip()!r}"
        author_id = found.id
    handovers = tx.handovers.history(alias.id, author_id, wanted.since, wanted.until, HISTORY_PAGE)
    acks = tx.desk.acknowledgements([h.id for h in handovers])
    return [HandoverRecord(h, acks.get(h.id, [])) for h in handovers], None
