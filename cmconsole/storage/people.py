"""Repositories for the people side of a workspace: operators, aliases, roles and shifts."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from cmconsole.domain.model import Alias, Membership, Operator, Role, Shift, SignatureKind
from cmconsole.storage import converters
from cmconsole.storage.tables import (
    AliasChannelRow,
    AliasRow,
    HandoverRow,
    MembershipRow,
    OperatorRow,
    ShiftRow,
)

# Every service call checks who asks, on which alias, in which role: these reads run on the bare
# tables, as the ORM's identity map and row mapping cost several times the query.
_OPERATOR = OperatorRow.__table__  # type: ignore[attr-defined]
_ALIAS = AliasRow.__table__  # type: ignore[attr-defined]
_MEMBERSHIP = MembershipRow.__table__  # type: ignore[attr-defined]
_OPERATOR_FIELDS = [_OPERATOR.c[name] for name in ("id", "name", "display_name", "initials")]
_OPERATOR_FIELDS.append(_OPERATOR.c.active)
_ALIAS_FIELDS = [_ALIAS.c[name] for name in ("id", "handle", "display_name", "language")]
_ALIAS_FIELDS += [_ALIAS.c[name] for name in ("channel", "signature_kind", "signature_text")]
_ALIAS_FIELDS += [_ALIAS.c.time_zone, _ALIAS.c.late_hold_minutes, _ALIAS.c.colour]
# Built once, run with bound values: building a statement costs more than running it.
_OPERATOR_BY_ID = sql_select(*_OPERATOR_FIELDS).where(_OPERATOR.c.id == bindparam("key"))
_OPERATOR_BY_NAME = sql_select(*_OPERATOR_FIELDS).where(_OPERATOR.c.name == bindparam("key"))
_ALIAS_BY_ID = sql_select(*_ALIAS_FIELDS).where(_ALIAS.c.id == bindparam("key"))
_ROLE = sql_select(_MEMBERSHIP.c.role).where(
    _MEMBERSHIP.c.operator_id == bindparam("operator"), _MEMBERSHIP.c.alias_id == bindparam("alias")
)
_ANY_LEAD = sql_select(_MEMBERSHIP.c.alias_id).where(_MEMBERSHIP.c.role == Role.LEAD.value).limit(1)


def _flushed(session: Session) -> None:
    # Reads on the bare tables do not flush the session first, as ORM reads do: changes this
    # transaction made through the ORM must reach the database before they are read back.
    session.flush()


def _operator_where(session: Session, statement: Select[Any], key: object) -> Operator | None:
    _flushed(session)
    row = session.execute(statement, {"key": key}).first()
    return Operator(row[0], row[1], row[2], row[3], bool(row[4])) if row is not None else None


class SqlOperators:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, name: str, display_name: str, initials: str, passphrase_hash: str, now: datetime
    ) -> Operator:
        row = OperatorRow(
            name=name,
            display_name=display_name,
            initials=initials,
            passphrase_hash=passphrase_hash,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return converters.operator(row)

    def by_name(self, name: str) -> Operator | None:
        return _operator_where(self._session, _OPERATOR_BY_NAME, name)

    def by_id(self, operator_id: int) -> Operator | None:
        return _operator_where(self._session, _OPERATOR_BY_ID, operator_id)

    def passphrase_hash(self, operator_id: int) -> str:
        return self._session.exec(
            select(OperatorRow.passphrase_hash).where(OperatorRow.id == operator_id)
        ).one()

    def all(self) -> list[Operator]:
        rows = self._session.exec(select(OperatorRow).order_by(col(OperatorRow.name)))
        return [converters.operator(row) for row in rows]

    def count(self) -> int:
        return self._session.exec(select(func.count()).select_from(OperatorRow)).one()

    def deactivate(self, operator_id: int, now: datetime) -> bool:
        result = self._session.execute(
            update(OperatorRow)
            .where(col(OperatorRow.id) == operator_id, col(OperatorRow.active).is_(True))
            .values(active=False, deactivated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class SqlAliases:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        handle: str,
        display_name: str,
        language: str,
        channel: str,
        signature_kind: SignatureKind,
        signature_text: str,
        now: datetime,
        time_zone: str = "UTC",
    ) -> Alias:
        row = AliasRow(
            time_zone=time_zone,
            handle=handle,
            display_name=display_name,
            language=language,
            channel=channel,
            signature_kind=signature_kind.value,
            signature_text=signature_text,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        assert row.id is not None
        self.add_channel(row.id, channel, now)
        return converters.alias(row)

    def by_handle(self, handle: str) -> Alias | None:
        row = self._session.exec(
            select(AliasRow).where(func.lower(AliasRow.handle) == handle.lower())
        ).first()
        return converters.alias(row) if row else None

    def by_id(self, alias_id: int) -> Alias | None:
        _flushed(self._session)
        found = self._session.execute(_ALIAS_BY_ID, {"key": alias_id}).first()
        if found is None:
            return None
        alias_id, handle, display_name, language, channel, kind, text, zone, hold, colour = found
        return Alias(
            alias_id,
            handle,
            display_name,
            language,
            channel,
            SignatureKind(kind),
            text,
            zone,
            hold,
            colour,
        )

    def all(self) -> list[Alias]:
        rows = self._session.exec(select(AliasRow).order_by(col(AliasRow.handle)))
        return [converters.alias(row) for row in rows]

    def set_time_zone(self, alias_id: int, time_zone: str) -> None:
        self._session.execute(
            update(AliasRow).where(col(AliasRow.id) == alias_id).values(time_zone=time_zone)
        )

    def set_late_hold(self, alias_id: int, minutes: int) -> None:
        self._session.execute(
            update(AliasRow).where(col(AliasRow.id) == alias_id).values(late_hold_minutes=minutes)
        )

    def set_colour(self, alias_id: int, colour: str) -> None:
        self._session.execute(
            update(AliasRow).where(col(AliasRow.id) == alias_id).values(colour=colour)
        )

    def set_signature(self, alias_id: int, kind: SignatureKind, text: str) -> None:
        self._session.execute(
            update(AliasRow)
            .where(col(AliasRow.id) == alias_id)
            .values(signature_kind=kind.value, signature_text=text)
        )

    def channels(self, alias_id: int) -> list[str]:
        """The channels the alias speaks on: its own first, then in the order they were added
        (by name when at the same time)."""
        rows = self._session.exec(
            select(AliasChannelRow.channel, AliasRow.channel)
            .join(AliasRow, col(AliasRow.id) == AliasChannelRow.alias_id)
            .where(AliasChannelRow.alias_id == alias_id)
            .order_by(col(AliasChannelRow.connected_at), col(AliasChannelRow.channel))
        ).all()
        if not rows:
            return []
        own = rows[0][1]
        return sorted((channel for channel, _ in rows), key=lambda channel: channel != own)

    def add_channel(self, alias_id: int, channel: str, now: datetime) -> bool:
        """Have the alias speak on one more channel; False if it already did."""
        if self._session.get(AliasChannelRow, (alias_id, channel)) is not None:
            return False
        self._session.add(AliasChannelRow(alias_id=alias_id, channel=channel, connected_at=now))
        self._session.flush()
        return True

    def mention_cursor(self, alias_id: int, channel: str) -> str | None:
        return self._session.exec(
            select(AliasChannelRow.mention_cursor).where(
                AliasChannelRow.alias_id == alias_id, AliasChannelRow.channel == channel
            )
        ).first()

    def set_mention_cursor(self, alias_id: int, channel: str, cursor: str) -> None:
        self._session.execute(
            update(AliasChannelRow)
            .where(col(AliasChannelRow.alias_id) == alias_id)
            .where(col(AliasChannelRow.channel) == channel)
            .values(mention_cursor=cursor)
        )


class SqlMemberships:
    def __init__(self, session: Session) -> None:
        self._session = session

    def grant(self, operator_id: int, alias_id: int, role: Role) -> Role | None:
        row = self._session.get(MembershipRow, (operator_id, alias_id))
        if row is None:
            self._session.add(MembershipRow(operator_id=operator_id, alias_id=alias_id, role=role))
            return None
        previous = Role(row.role)
        row.role = role.value
        self._session.add(row)
        return previous

    def role(self, operator_id: int, alias_id: int) -> Role | None:
        _flushed(self._session)
        found = self._session.execute(_ROLE, {"operator": operator_id, "alias": alias_id}).scalar()
        return Role(found) if found is not None else None

    def for_operator(self, operator_id: int) -> list[Membership]:
        rows = self._session.exec(
            select(AliasRow, MembershipRow.role)
            .join(MembershipRow, col(MembershipRow.alias_id) == AliasRow.id)
            .where(MembershipRow.operator_id == operator_id)
            .order_by(col(AliasRow.handle))
        )
        return [Membership(converters.alias(alias), Role(role)) for alias, role in rows]

    def for_alias(self, alias_id: int) -> list[tuple[Operator, Role]]:
        rows = self._session.exec(
            select(OperatorRow, MembershipRow.role)
            .join(MembershipRow, col(MembershipRow.operator_id) == OperatorRow.id)
            .where(MembershipRow.alias_id == alias_id)
            .order_by(col(OperatorRow.name))
        )
        return [(converters.operator(operator), Role(role)) for operator, role in rows]

    def any_lead(self) -> bool:
        _flushed(self._session)
        found = self._session.execute(_ANY_LEAD).first()
        return found is not None


class SqlShifts:
    def __init__(self, session: Session) -> None:
        self._session = session

    def start(self, operator_id: int, alias_id: int, now: datetime) -> Shift:
        row = ShiftRow(
            operator_id=operator_id,
            alias_id=alias_id,
            started_at=now,
            start_mark=newest_handover(self._session, alias_id),
        )
        self._session.add(row)
        self._session.flush()
        return converters.shift(row)

    def end(self, shift_id: int, now: datetime, mark: int | None = None) -> None:
        row = self._session.get(ShiftRow, shift_id)
        if row is None or row.ended_at is not None:
            return
        row.ended_at = now
        row.end_mark = mark if mark is not None else newest_handover(self._session, row.alias_id)
        self._session.add(row)
        self._session.flush()

    def previous_ended(
        self, operator_id: int, alias_id: int, before_shift_id: int | None
    ) -> Shift | None:
        query = select(ShiftRow).where(
            ShiftRow.operator_id == operator_id,
            ShiftRow.alias_id == alias_id,
            col(ShiftRow.ended_at).is_not(None),
        )
        if before_shift_id is not None:
            query = query.where(col(ShiftRow.id) < before_shift_id)
        row = self._session.exec(query.order_by(col(ShiftRow.id).desc()).limit(1)).first()
        return converters.shift(row) if row else None

    def open_for(self, operator_id: int, alias_id: int) -> Shift | None:
        row = self._session.exec(
            select(ShiftRow).where(
                ShiftRow.alias_id == alias_id,
                ShiftRow.operator_id == operator_id,
                col(ShiftRow.ended_at).is_(None),
            )
        ).first()
        return converters.shift(row) if row else None

    def open_on_alias(self, alias_id: int) -> list[tuple[Shift, Operator]]:
        rows = self._session.exec(
            select(ShiftRow, OperatorRow)
            .join(OperatorRow, col(OperatorRow.id) == ShiftRow.operator_id)
            .where(ShiftRow.alias_id == alias_id, col(ShiftRow.ended_at).is_(None))
            .order_by(col(ShiftRow.started_at))
        )
        return [(converters.shift(s), converters.operator(o)) for s, o in rows]

    def open_of_operator(self, operator_id: int) -> list[Shift]:
        rows = self._session.exec(
            select(ShiftRow).where(
                ShiftRow.operator_id == operator_id, col(ShiftRow.ended_at).is_(None)
            )
        )
        return [converters.shift(row) for row in rows]

    def last_ended_before(
        self, operator_id: int, alias_id: int, before: datetime
    ) -> datetime | None:
        return self._session.exec(
            select(func.max(ShiftRow.ended_at)).where(
                ShiftRow.operator_id == operator_id,
                ShiftRow.alias_id == alias_id,
                col(ShiftRow.ended_at) <= before,
            )
        ).one()

    def heartbeat(self, shift_id: int, now: datetime) -> None:
        self._session.execute(
            update(ShiftRow).where(col(ShiftRow.id) == shift_id).values(heartbeat_at=now)
        )


def newest_handover(session: Session, alias_id: int) -> int:
    """The id of the alias's newest handover, 0 if none: a mark that no clock can skew."""
    newest = session.exec(
        select(func.max(HandoverRow.id)).where(HandoverRow.alias_id == alias_id)
    ).one()
    return newest or 0
