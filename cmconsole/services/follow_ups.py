"""Follow-ups: promises made to the public, with a due time, that outlive shifts."""

from datetime import datetime
from zoneinfo import ZoneInfo

from cmconsole.domain.errors import InvalidInput, NotFound
from cmconsole.domain.model import Alias, FollowUp
from cmconsole.domain.names import time_zone
from cmconsole.domain.promises import Promise, find_promises, prepare
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import AuditDraft, Clock, Workspace

# How a due time is shown for editing and read back, on the alias's clock.
DUE_FORMAT = "%Y-%m-%d %H:%M"


class FollowUpService:
    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def promise(self, who: SignedIn, inbound_id: int, promise: str, due_at: datetime) -> FollowUp:
        """Record a promise made in reply to a message from the public."""
        text = promise.strip()
        if not text:
            raise InvalidInput("say what was promised")
        if due_at.tzinfo is None:
            raise InvalidInput("a due time needs a time zone")
        with self._workspace.transaction() as tx:
            message = tx.inbound.by_id(inbound_id)
            if message is None:
                raise NotFound(f"there is no message with id {inbound_id}")
            operator = active_operator(tx, who)
            alias = existing_alias(tx, message.alias_id)
            role_on(tx, operator, alias)
            follow_up = tx.follow_ups.add(
                alias.id,
                message.id,
                message.author_handle,
                text,
                due_at,
                operator.id,
                self._clock(),
            )
            tx.audit.append(
                AuditDraft(
                    "follow_up.promised",
                    operator.id,
                    alias.id,
                    f"follow-up {follow_up.id}",
                    {"to": message.author_handle, "promise": text, "due_at": due_at.isoformat()},
                ),
                self._clock(),
            )
            return follow_up

    def proposed(self, alias: Alias, draft: str) -> list[Promise]:
        """The follow-ups a draft reply promises ("nous revenons vers vous demain"), due on the
        alias's clock, read in its language: to propose before the reply is sent. It reads no
        data (the draft is the writer's own), so the console asks it as the reply is sent."""
        return find_promises(draft, alias.language, alias.time_zone, self._clock())

    def get_ready(self, alias: Alias) -> None:
        """Load what finding promises in the alias's language needs, ahead of the first reply."""
        prepare(alias.language)

    def promise_on_alias_clock(
        self, who: SignedIn, inbound_id: int, promise: str, due: str
    ) -> FollowUp:
        """Record a promise due at a time written on the alias's clock ("2026-11-03 10:00"), as
        a proposed follow-up is shown for editing."""
        with self._workspace.transaction() as tx:
            message = tx.inbound.by_id(inbound_id)
            if message is None:
                raise NotFound(f"there is no message with id {inbound_id}")
            zone = existing_alias(tx, message.alias_id).time_zone
        try:
            wall = datetime.strptime(due.strip(), DUE_FORMAT)
        except ValueError:
            raise InvalidInput(
                f"say when the follow-up is due as YYYY-MM-DD HH:MM ({zone}), not {due!r}"
            ) from None
        due_at = wall.replace(tzinfo=ZoneInfo(time_zone(zone)))
        if due_at <= self._clock():
            raise InvalidInput(f"the follow-up would be due in the past ({due} {zone})")
        return self.promise(who, inbound_id, promise, due_at)

    def complete(self, who: SignedIn, follow_up_id: int) -> None:
        with self._workspace.transaction() as tx:
            follow_up = tx.follow_ups.by_id(follow_up_id)
            if follow_up is None:
                raise NotFound(f"there is no follow-up {follow_up_id}")
            operator = active_operator(tx, who)
            role_on(tx, operator, existing_alias(tx, follow_up.alias_id))
            if tx.follow_ups.complete(follow_up.id, operator.id, self._clock()):
                tx.audit.append(
                    AuditDraft(
                        "follow_up.done",
                        operator.id,
                        follow_up.alias_id,
                        f"follow-up {follow_up.id}",
                    ),
                    self._clock(),
                )

    def for_thread(self, who: SignedIn, inbound_id: int) -> list[FollowUp]:
        with self._workspace.transaction() as tx:
            message = tx.inbound.by_id(inbound_id)
            if message is None:
                raise NotFound(f"there is no message with id {inbound_id}")
            role_on(tx, active_operator(tx, who), existing_alias(tx, message.alias_id))
            return tx.follow_ups.for_inbound(inbound_id)

    def due(self, who: SignedIn, alias_id: int, until: datetime) -> list[FollowUp]:
        """Open follow-ups of the alias due before `until` (overdue ones included)."""
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            role_on(tx, active_operator(tx, who), alias)
            return tx.follow_ups.open_due_before(alias.id, until)
