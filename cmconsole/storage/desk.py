"""The desk's own reads (what needs one query instead of one per row) and its change counter."""

import hashlib
from collections import defaultdict

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from cmconsole.domain.desk_panes import DeskPane
from cmconsole.domain.model import Acknowledgement, Post, PostStatus
from cmconsole.storage import converters
from cmconsole.storage.desk_panes import pane_key
from cmconsole.storage.tables import (
    DeskChangeRow,
    HandoverAckRow,
    InboundMessageRow,
    OperatorRow,
    PostRow,
)

_POST = PostRow.__table__  # type: ignore[attr-defined]
_POST_FIELDS = [_POST.c[name] for name in converters.POST_COLUMNS]
_CHANGE = DeskChangeRow.__table__  # type: ignore[attr-defined]
# The row whose version counts for every alias: changes to people, not to one alias.
WORKSPACE = 0


class SqlDesk:
    """Reads for the desk, and the aliases this unit of work changed (bumped before commit)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.touched: set[int] = set()

    def awaiting(self, alias_id: int, limit: int) -> list[tuple[Post, str, str, str, bool]]:
        """Replies waiting for approval, oldest first: (post, author's name, the text it
        answers, who wrote that, whether that message is private)."""
        query = (
            select(
                *_POST_FIELDS,
                col(OperatorRow.name),
                col(InboundMessageRow.text),
                col(InboundMessageRow.author_handle),
                col(InboundMessageRow.private),
            )
            .select_from(_POST)
            .outerjoin(OperatorRow, col(OperatorRow.id) == _POST.c.author_id)
            .outerjoin(InboundMessageRow, col(InboundMessageRow.id) == _POST.c.in_reply_to_id)
            .where(
                _POST.c.alias_id == alias_id,
                _POST.c.status == PostStatus.AWAITING_APPROVAL.value,
            )
            .order_by(_POST.c.id)
            .limit(limit)
        )
        width = len(_POST_FIELDS)
        return [
            (
                converters.post_of(row[:width]),
                row[width] or "?",
                row[width + 1] or "",
                row[width + 2] or "",
                bool(row[width + 3]),
            )
            for row in self._session.execute(query)
        ]

    def answering_private(self, post_ids: list[int]) -> set[int]:
        """Those of these posts that answer a private message (they go out in private)."""
        if not post_ids:
            return set()
        query = (
            select(_POST.c.id)
            .join(InboundMessageRow, col(InboundMessageRow.id) == _POST.c.in_reply_to_id)
            .where(_POST.c.id.in_(post_ids), col(InboundMessageRow.private))
        )
        return set(self._session.execute(query).scalars())

    def acknowledgements(self, handover_ids: list[int]) -> dict[int, list[Acknowledgement]]:
        """Who acknowledged each of these handovers, and when, oldest first."""
        found: dict[int, list[Acknowledgement]] = defaultdict(list)
        if not handover_ids:
            return found
        rows = self._session.execute(
            select(
                col(HandoverAckRow.handover_id),
                col(OperatorRow.name),
                col(HandoverAckRow.acknowledged_at),
            )
            .join(OperatorRow, col(OperatorRow.id) == HandoverAckRow.operator_id)
            .where(col(HandoverAckRow.handover_id).in_(handover_ids))
            .order_by(col(HandoverAckRow.acknowledged_at))
        )
        for handover_id, name, at in rows:
            found[handover_id].append(Acknowledgement(name, at))
        return found

    def version(self, alias_id: int) -> int:
        """The alias's change counter: its own changes plus the workspace's."""
        return version_of(self._session, alias_id)

    def changed(self, alias_id: int | None) -> None:
        """What the alias's desk shows changed in this unit of work (None: the workspace)."""
        self.touched.add(WORKSPACE if alias_id is None else alias_id)

    def pane_versions(self, alias_id: int) -> tuple[int, dict[DeskPane, int]]:
        """The alias's change counter and each pane's, in one read (the workspace's added)."""
        keys = {WORKSPACE: None, alias_id: None} | {
            pane_key(owner, pane): pane for owner in (WORKSPACE, alias_id) for pane in DeskPane
        }
        rows = self._session.execute(
            select(_CHANGE.c.alias_id, _CHANGE.c.version).where(_CHANGE.c.alias_id.in_(keys))
        )
        total, panes = 0, dict.fromkeys(DeskPane, 0)
        for key, version in rows:
            pane = keys[key]
            if pane is None:
                total += version
            else:
                panes[pane] += version
        return total, panes

    def bump(self, panes: frozenset[DeskPane]) -> dict[int, int]:
        """Count the changes of this unit of work: the counter of each alias touched and of
        each of its `panes` (a write to a pane's rows that touched no alias moves the
        workspace's pane, so that the next refresh of any desk reads it again, yet wakes no
        console). In key order, in one statement, so that two writers never wait on each
        other's rows crosswise; the new version of each alias touched."""
        owners = self.touched or ({WORKSPACE} if panes else set())
        keys = {key for key in self.touched} | {
            pane_key(owner, pane) for owner in owners for pane in panes
        }
        self.touched.clear()
        if not keys:
            return {}
        insert = postgresql.insert if _dialect(self._session) == "postgresql" else sqlite.insert
        statement = (
            insert(_CHANGE)
            .values([{"alias_id": key, "version": 1} for key in sorted(keys)])
            .on_conflict_do_update(
                index_elements=["alias_id"], set_={"version": _CHANGE.c.version + 1}
            )
            .returning(_CHANGE.c.alias_id, _CHANGE.c.version)
        )
        rows = self._session.execute(statement)
        return {key: version for key, version in rows if key >= 0}


def version_of(session: Session | Connection, alias_id: int | tuple[int, ...]) -> int:
    """The change counter of the alias (or of several, summed) and of the workspace."""
    ids = alias_id if isinstance(alias_id, tuple) else (alias_id,)
    query = select(func.coalesce(func.sum(_CHANGE.c.version), 0)).where(
        _CHANGE.c.alias_id.in_([WORKSPACE, *ids])
    )
    return int(session.execute(query).scalar_one())


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def notify_channel(session: Session) -> str:
    """The PostgreSQL channel this workspace's changes are announced on: one per database and
    schema, so that two workspaces on one server (tests in their own schemas) never wake each
    other; hashed, since a channel name holds at most 63 bytes."""
    database, schema = session.execute(select(func.current_database(), func.current_schema())).one()
    return channel_name(database, schema)


def channel_name(database: str, schema: str) -> str:
    return "cmdesk_" + hashlib.sha256(f"{database}\0{schema}".encode()).hexdigest()[:24]


def announce(session: Session, channel: str, bumped: dict[int, int]) -> None:
    """Tell the listening consoles (delivered at commit, and only if it commits)."""
    for alias_id, version in bumped.items():
        session.execute(select(func.pg_notify(channel, f"{alias_id} {version}")))
