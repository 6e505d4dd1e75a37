"""The desk: everything an alias screen shows, read in one transaction, and told when it moved."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from cmconsole.domain.desk_panes import DeskPane
from cmconsole.domain.model import Alias, AuditEntry, Operator, Role
from cmconsole.domain.triage import WAITING_STATES
from cmconsole.services.desk_model import (
    DESK_AUDIT_LEAVES_OUT,
    WAITING_COUNTED,
    AwaitingApproval,
    DeskFilters,
    DeskModel,
    DeskThread,
    HandoverFilter,
    OutboxPost,
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
from cmconsole.services.inbox import INBOX_PAGE, InboxFilter, page_threads
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
# A refresh reads the whole desk again when the last whole read is this old: who is on shift,
# what is due and which promises come first change with the clock, and no write says so.
WHOLE_EVERY = timedelta(seconds=60)
# Inbox filters whose page depends on the claims.
CLAIMS_FILTER = frozenset({InboxFilter.MINE, InboxFilter.CLAIMED})


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
            model = _read(tx, who, alias_id, filters, now, None)
        return self._with_timeline(model, None)

    def refresh(self, who: SignedIn, shown: DeskModel) -> DeskModel:
        """The desk `shown` as it is now, reading again only the panes whose version moved
        since (`reread` names them): after a colleague's claim, only the claims. The same
        model a whole `read` with `shown.filters` would give."""
        now = self._clock()
        with self._workspace.reading() as tx:
            model = _read(tx, who, shown.alias.id, shown.filters, now, shown)
        return self._with_timeline(model, shown)

    def _with_timeline(self, model: DeskModel, shown: DeskModel | None) -> DeskModel:
        if not model.filters.timeline:
            return model
        if shown is not None and DeskPane.OUTBOX not in model.reread:
            # The alias's own posts: they move with its outbox.
            return replace(model, timeline=shown.timeline, timeline_problem=shown.timeline_problem)
        try:
            channel, alias = channel_for(self._channels, model.alias)
            timeline = channel.recent_posts(alias, TIMELINE_PAGE)
        except ChannelError as error:
            return replace(model, timeline=[], timeline_problem=str(error))
        return replace(model, timeline=timeline, timeline_problem=None)


def _read(
    tx: Transaction,
    who: SignedIn,
    alias_id: int,
    filters: DeskFilters,
    now: datetime,
    shown: DeskModel | None,
) -> DeskModel:
    operator = active_operator(tx, who)
    alias = existing_alias(tx, alias_id)
    role = role_on(tx, operator, alias)
    version, panes = tx.desk.pane_versions(alias.id)
    reader = _Reader(tx, operator, alias, role, filters, now)
    if shown is None or not _reusable(shown, operator, now):
        return DeskModel(
            **_panes(reader, frozenset(DeskPane), None),
            alias=alias,
            role=role,
            version=version,
            read_at=now,
            timeline=[],
            filters=filters,
            reader_id=operator.id,
            panes=panes,
            reread=frozenset(DeskPane),
            whole_at=now,
        )
    moved = {pane for pane in DeskPane if panes[pane] != shown.panes.get(pane)}
    if shown.stale_at is not None and now >= shown.stale_at:
        moved.add(DeskPane.CLAIMS)  # a claim lapsed, with no write
    if DeskPane.CLAIMS in moved and filters.inbox in CLAIMS_FILTER:
        moved.add(DeskPane.INBOX)
    reread = frozenset(moved)
    return replace(
        shown,
        **_panes(reader, reread, shown),
        alias=alias,
        role=role,
        version=version,
        read_at=now,
        panes=panes,
        reread=reread,
    )


def _reusable(shown: DeskModel, operator: Operator, now: datetime) -> bool:
    """Whether `shown`'s panes may stand for those whose version did not move: read for the
    same person, and lately (who is on shift and what is due age with no write)."""
    return (
        shown.reader_id == operator.id
        and shown.whole_at is not None
        and shown.whole_at <= now < shown.whole_at + WHOLE_EVERY
    )


@dataclass(frozen=True)
class _Reader:
    tx: Transaction
    operator: Operator
    alias: Alias
    role: Role
    filters: DeskFilters
    now: datetime


def _panes(r: _Reader, panes: frozenset[DeskPane], shown: DeskModel | None) -> dict[str, Any]:
    """The model's fields that the `panes` show, read (of `shown` for the threads' page when
    only the claims moved)."""
    tx, alias, now = r.tx, r.alias, r.now
    fields: dict[str, Any] = {}
    if DeskPane.CLAIMS in panes or DeskPane.INBOX in panes:
        if DeskPane.INBOX in panes or shown is None:
            page = page_threads(
                tx, alias.id, r.operator.id, r.filters.inbox, INBOX_PAGE, now,
                r.filters.sort, r.filters.tag, r.filters.channel,
            )  # fmt: skip
            fields["channels"] = tx.aliases.channels(alias.id)
            fields["waiting"] = tx.threads.count(alias.id, WAITING_STATES, WAITING_COUNTED + 1)
        else:
            page = [t.thread for t in shown.threads]
        claims = {claim.contact_handle: claim for claim in tx.claims.live(alias.id, now)}
        fields["threads"] = [DeskThread(t, claims.get(t.contact_handle)) for t in page]
        fields["stale_at"] = min((c.expires_at for c in claims.values()), default=None)
    if DeskPane.OUTBOX in panes:
        found = tx.desk.awaiting(alias.id, AWAITING_PAGE)
        fields["awaiting"] = [
            AwaitingApproval(post, by, asked, private) for post, by, asked, _, private in found
        ]
        unsettled = tx.posts.unsettled(alias.id, OUTBOX_PAGE)
        private = tx.desk.answering_private([p.id for p in unsettled])
        fields["outbox"] = [OutboxPost(p, p.id in private) for p in unsettled]
    if DeskPane.AUDIT in panes or DeskPane.LEDGER in panes:
        fields["audit"] = _audit(r, panes, shown)
    if DeskPane.TEAM in panes:
        fields.update(_team(r))
    if DeskPane.TRACKS in panes:
        fields["tracks"] = trainee_tracks(tx, r.operator, alias, r.role)
    return fields


def _audit(r: _Reader, panes: frozenset[DeskPane], shown: DeskModel | None) -> list[AuditEntry]:
    """The audit list: when events were only appended, those after the newest shown, atop it
    (the ledger only grows; a past entry changes only with the text of its post: LEDGER)."""
    after = None
    if shown is not None and DeskPane.LEDGER not in panes and shown.audit:
        after = shown.audit[0].event.seq
    found = r.tx.audit.recent(
        r.alias.id,
        AUDIT_PAGE,
        None if r.role is Role.LEAD else r.operator.id,
        leave_out=DESK_AUDIT_LEAVES_OUT,
        after_seq=after,
    )
    if shown is None or after is None:
        return found
    return (found + shown.audit)[:AUDIT_PAGE]


def _team(r: _Reader) -> dict[str, Any]:
    tx, operator, alias, now = r.tx, r.operator, r.alias, r.now
    handovers, handovers_problem = _handovers(tx, alias, r.filters.handovers)
    shift = tx.shifts.open_for(operator.id, alias.id)
    unread = len(unread_handovers(tx, operator, alias, shift))
    unread += unread_guide(tx, operator, alias) is not None
    return {
        "handovers": handovers,
        "handovers_problem": handovers_problem,
        "on_shift": [
            person.name
            for s, person in tx.shifts.open_on_alias(alias.id)
            if now - (s.heartbeat_at or s.started_at) <= STALE_AFTER
        ],
        "follow_ups_due": len(tx.follow_ups.open_due_before(alias.id, now + FOLLOW_UPS_HORIZON)),
        "handovers_unread": unread,
        "guide": current_guide(tx, alias),
        "guide_changes": changes_since_last_shift(tx, operator, alias, now),
    }


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
