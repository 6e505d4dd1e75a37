"""Triage: settling threads without a reply, undoing it, and handing a thread to a colleague."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cmconsole.domain.errors import InvalidInput, NotFound, PermissionDenied
from cmconsole.domain.model import Alias, ContactThread, Operator, Role
from cmconsole.domain.triage import CloseReason, Handing
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace
from cmconsole.services.shifts import STALE_AFTER

# A note longer than this is a message, not a note: it belongs in a handover.
NOTE_LIMIT = 500
# A selection closed at once, at most (the inbox's page).
CLOSE_LIMIT = 200


@dataclass(frozen=True)
class Colleague:
    """Someone a thread can be handed to, as the picker lists them."""

    name: str
    display_name: str
    role: Role
    on_shift: bool


class TriageService:
    """Closes, reopens and hands threads, each change audited and checked for the role."""

    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def close(
        self,
        who: SignedIn,
        alias_id: int,
        contacts: Sequence[str],
        reason: CloseReason,
        note: str = "",
    ) -> list[ContactThread]:
        """Settle these threads without a reply; the fan's next message reopens them (spam
        excepted). Return the threads as they are now."""
        note = _note(note)
        wanted = sorted(set(contacts))
        if not wanted:
            raise InvalidInput("no thread to close: select one or more")
        if len(wanted) > CLOSE_LIMIT:
            raise InvalidInput(f"close at most {CLOSE_LIMIT} threads at once")
        now = self._clock()
        with self._workspace.transaction() as tx:
            operator, alias = _member(tx, who, alias_id)
            if role_on(tx, operator, alias) is Role.TRAINEE:
                raise PermissionDenied(
                    "a trainee does not close threads without a reply: hand the thread to a "
                    "colleague or the lead on shift instead"
                )
            before = tx.threads.close(alias.id, wanted, reason, note, operator.id, now)
            _all_found(wanted, before, alias)
            for thread in before:
                tx.audit.append(
                    AuditDraft(
                        "thread.closed",
                        operator.id,
                        alias.id,
                        thread.contact_handle,
                        {
                            "contact": thread.contact_handle,
                            "reason": reason.value,
                            "note": note,
                            "upto": thread.last_inbound_id,
                            "was": thread.state.value,
                        },
                    ),
                    now,
                )
            return _now(tx, alias, wanted)

    def reopen(self, who: SignedIn, alias_id: int, contacts: Sequence[str]) -> list[ContactThread]:
        """Undo the closing of these threads (those not closed are left as they are)."""
        wanted = sorted(set(contacts))
        now = self._clock()
        with self._workspace.transaction() as tx:
            operator, alias = _member(tx, who, alias_id)
            if role_on(tx, operator, alias) is Role.TRAINEE:
                raise PermissionDenied("a trainee does not reopen closed threads: ask a lead")
            for thread in tx.threads.reopen(alias.id, wanted):
                assert thread.closing is not None
                tx.audit.append(
                    AuditDraft(
                        "thread.reopened",
                        operator.id,
                        alias.id,
                        thread.contact_handle,
                        {"contact": thread.contact_handle, "was": thread.closing.reason.value},
                    ),
                    now,
                )
            return _now(tx, alias, wanted)

    def colleagues(self, who: SignedIn, alias_id: int) -> list[Colleague]:
        """Who works the alias besides the one asking, leads first, those on shift first."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            operator, alias = _member(tx, who, alias_id)
            on_shift = _on_shift(tx, alias, now)
            found = [
                Colleague(person.name, person.display_name, role, person.id in on_shift)
                for person, role in tx.memberships.for_alias(alias.id)
                if person.active and person.id != operator.id
            ]
        return sorted(found, key=lambda c: (c.role is not Role.LEAD, not c.on_shift, c.name))

    def hand(
        self, who: SignedIn, alias_id: int, contact: str, to: str | None, note: str = ""
    ) -> Handing:
        """Pass the thread to a named colleague, or (`to` None) to the lead on shift, with a note
        they read first. The one handing gives up their claim on it."""
        note = _note(note)
        now = self._clock()
        with self._workspace.transaction() as tx:
            operator, alias = _member(tx, who, alias_id)
            receiver = _receiver(tx, operator, alias, to, now)
            if tx.threads.by_contact(alias.id, contact) is None:
                raise NotFound(f"{alias.handle} has no thread with {contact}")
            tx.threads.hand(alias.id, contact, receiver.id, operator.id, note, now)
            tx.claims.release(alias.id, contact, operator.id)
            tx.audit.append(
                AuditDraft(
                    "thread.handed",
                    operator.id,
                    alias.id,
                    contact,
                    {"contact": contact, "to_id": receiver.id, "to": receiver.name, "note": note},
                ),
                now,
            )
            return Handing(receiver.id, receiver.name, operator.id, operator.name, now, note)


def _member(tx: Transaction, who: SignedIn, alias_id: int) -> tuple[Operator, Alias]:
    operator = active_operator(tx, who)
    alias = existing_alias(tx, alias_id)
    role_on(tx, operator, alias)
    return operator, alias


def _note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise InvalidInput(f"the note is {len(note)} characters; keep it under {NOTE_LIMIT}")
    return note


def _all_found(wanted: list[str], found: list[ContactThread], alias: Alias) -> None:
    missing = sorted(set(wanted) - {t.contact_handle for t in found})
    if missing:
        raise NotFound(f"{alias.handle} has no thread with {', '.join(missing)}")


def _now(tx: Transaction, alias: Alias, contacts: list[str]) -> list[ContactThread]:
    return [t for c in contacts if (t := tx.threads.by_contact(alias.id, c)) is not None]


def _on_shift(tx: Transaction, alias: Alias, now: datetime) -> set[int]:
    return {
        person.id
        for shift, person in tx.shifts.open_on_alias(alias.id)
        if now - (shift.heartbeat_at or shift.started_at) <= STALE_AFTER
    }


def _receiver(
    tx: Transaction, operator: Operator, alias: Alias, to: str | None, now: datetime
) -> Operator:
    if to is None or not to.strip():
        on_shift = _on_shift(tx, alias, now)
        leads = sorted(
            (person for person, role in tx.memberships.for_alias(alias.id) if role is Role.LEAD),
            key=lambda person: person.name,
        )
        for lead in leads:
            if lead.id in on_shift and lead.id != operator.id and lead.active:
                return lead
        raise InvalidInput(f"no other lead is on shift on {alias.handle}: name a colleague")
    receiver = tx.operators.by_name(to.strip().lower())
    if receiver is None or not receiver.active:
        raise NotFound(f"there is no active operator {to.strip()!r}")
    if receiver.id == operator.id:
        raise InvalidInput("hand the thread to someone else: you already have it")
    if tx.memberships.role(receiver.id, alias.id) is None:
        raise InvalidInput(f"{receiver.name} does not work {alias.handle}")
    return receiver
