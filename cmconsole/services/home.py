"""Home: every alias a person works, with what waits there, read in one transaction."""

from datetime import datetime

from cmconsole.domain.model import Membership
from cmconsole.services.desk_model import WAITING_COUNTED
from cmconsole.services.guard import FIRST_SHIFT_HANDOVERS, SignedIn, active_operator
from cmconsole.services.handover import FOLLOW_UPS_HORIZON
from cmconsole.services.home_model import AliasHome, HomeModel, urgency_order
from cmconsole.services.ports import Clock, DeskSignals, Reader, Transaction, Workspace
from cmconsole.services.shifts import STALE_AFTER


class Home:
    """Reads a person's home: each alias they work (a lead: each one they lead), what waits."""

    def __init__(self, workspace: Workspace, clock: Clock, signals: DeskSignals) -> None:
        self._workspace = workspace
        self._clock = clock
        self._signals = signals  # the desks' change signal, shared with them

    def read(self, who: SignedIn) -> HomeModel:
        now = self._clock()
        with self._workspace.reading() as tx:
            operator = active_operator(tx, who)
            memberships = tx.memberships.for_operator(operator.id)
            ids = [m.alias.id for m in memberships]
            version = tx.home.version(operator.id, ids)
            on_shift: dict[int, list[str]] = {alias_id: [] for alias_id in ids}
            for alias_id, name, alive in tx.home.on_shift(ids):
                if now - alive <= STALE_AFTER and name not in on_shift[alias_id]:
                    on_shift[alias_id].append(name)
            readers = tx.home.readers(operator.id, ids)
            rows = [
                _row(tx, operator.id, m, on_shift[m.alias.id], readers[m.alias.id], now)
                for m in memberships
            ]
        return HomeModel(operator.name, now, version, sorted(rows, key=urgency_order))

    def version(self, who: SignedIn, alias_ids: list[int]) -> int:
        """Equal to the shown model's `version` when nothing the home shows moved: an idle
        refresh costs this one query."""
        with self._workspace.reading() as tx:
            return tx.home.version(who.operator_id, alias_ids)

    def signal(self, alias_ids: list[int]) -> int:
        """The change signal of these aliases (and the workspace), summed: what
        `wait_for_change` waits on. One cheap query."""
        return self._signals.version_of_any(tuple(sorted(alias_ids)))

    def wait_for_change(self, alias_ids: list[int], since: int, timeout: float) -> int:
        """Block until the signal of any of these aliases moves from `since` (return the new
        one) or `timeout` seconds pass (return `since`). On a worker thread: on PostgreSQL a
        colleague's write wakes it within milliseconds, and waiting costs no query."""
        return self._signals.wait_any(tuple(sorted(alias_ids)), since, timeout)


def _row(
    tx: Transaction,
    operator_id: int,
    membership: Membership,
    on_shift: list[str],
    reader: Reader,
    now: datetime,
) -> AliasHome:
    """The gates as guard.py has them (unread_handovers, unread_guide, the guide changes since
    the previous shift), from what `readers` read for every alias at once."""
    alias = membership.alias
    shift_id, start_mark, _started, end_mark, ended, guide, acknowledged, saved = reader
    # Handovers up to the shift's start (all, without one), after the previous shift's end; on
    # a first shift ever, only the newest few.
    cap = WAITING_COUNTED + 1 if ended is not None else FIRST_SHIFT_HANDOVERS
    until = start_mark if shift_id is not None else None
    unanswered, oldest, awaiting, failed, due, overdue, unread = tx.home.waits(
        alias.id,
        now,
        now + FOLLOW_UPS_HORIZON,
        WAITING_COUNTED + 1,
        (operator_id, end_mark, until, cap),
    )
    return AliasHome(
        alias=alias,
        role=membership.role,
        unanswered=unanswered,
        oldest_wait=oldest,
        awaiting=awaiting,
        failed=failed,
        promises_due=due,
        promises_overdue=overdue,
        on_shift=on_shift,
        mine=shift_id is not None,
        handovers_unread=unread,
        guide_unread=guide is not None and not acknowledged,
        guide_changes=sum(1 for at in saved if ended is not None and at > ended),
    )
