"""A contact's lifecycle, for leads: merge two contacts of one person (and undo it), erase a
contact's personal data on request (GDPR art. 17), export it (art. 15)."""

from cmconsole.domain.contact_export import contact_export
from cmconsole.domain.contacts import Contact
from cmconsole.domain.errors import ConcurrentChange, InvalidInput, NotFound, PermissionDenied
from cmconsole.domain.model import Role
from cmconsole.services.contacts import ContactService, Member, find_contact, member
from cmconsole.services.guard import SignedIn
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace


def _lead(tx: Transaction, who: SignedIn, alias_id: int, action: str) -> Member:
    person = member(tx, who, alias_id)
    if person.role is not Role.LEAD:
        raise PermissionDenied(f"only a lead of {person.alias.handle} may {action}")
    return person


def _current(tx: Transaction, contact: Contact) -> Contact:
    found = tx.contacts.by_handle(contact.alias_id, contact.handles[0])
    assert found is not None
    return found


class ContactLifecycleService:
    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock
        self._cards = ContactService(workspace, clock)

    def merge(self, who: SignedIn, alias_id: int, keep: str, merge: str) -> Contact:
        """Merge the contact with handle `merge` into the one with handle `keep` (the same
        person): its handles, notes, tags and ratings follow, and with the handles its history.
        The kept contact, as it now is."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            person = _lead(tx, who, alias_id, "merge contacts")
            kept = find_contact(tx, person.alias, keep)
            merged = find_contact(tx, person.alias, merge)
            if kept.id == merged.id:
                raise InvalidInput(f"{merge.strip()} is already one of this contact's handles")
            merge_id = tx.contacts.merge(kept, merged, person.operator.id, now)
            tx.audit.append(
                AuditDraft(
                    "contact.merged",
                    person.operator.id,
                    kept.alias_id,
                    f"contact {kept.id}",
                    {"merge": merge_id, "merged": merged.id, "handles": list(merged.handles)},
                ),
                now,
            )
            return _current(tx, kept)

    def unmerge(self, who: SignedIn, alias_id: int, handle: str) -> tuple[Contact, Contact]:
        """Undo the newest merge that brought `handle` to its contact: the contact merged comes
        back with its handles, notes, tags and ratings. The kept contact and the one restored."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            person = _lead(tx, who, alias_id, "undo a merge")
            kept = find_contact(tx, person.alias, handle)
            wanted = handle.strip() if handle.strip() in kept.handles else "@" + handle.strip()
            done = tx.contacts.last_merge(kept.id, wanted)
            if done is None:
                raise NotFound(f"{wanted} did not come to its contact by a merge: nothing to undo")
            tx.contacts.unmerge(done.id, person.operator.id, now)
            tx.audit.append(
                AuditDraft(
                    "contact.unmerged",
                    person.operator.id,
                    kept.alias_id,
                    f"contact {kept.id}",
                    {"merge": done.id, "restored": done.merged_id, "handles": list(done.handles)},
                ),
                now,
            )
            restored = tx.contacts.by_handle(kept.alias_id, done.handles[0])
            assert restored is not None
            return _current(tx, kept), restored

    def erase(self, who: SignedIn, alias_id: int, handle: str) -> dict[str, int]:
        """Erase the contact's personal data, irreversibly: their messages' text, the team's
        notes and rating reasons about them, their name and language. The audit records that
        it happened, by whom and how many rows, never what was erased. The event comes before
        the notes are redacted: on PostgreSQL the function that redacts them (the console role
        may not) acts only on a contact whose erasure the ledger records."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            person = _lead(tx, who, alias_id, "erase a contact's data")
            contact = find_contact(tx, person.alias, handle)
            counts = tx.contacts.erase(contact, now)
            tx.audit.append(
                AuditDraft(
                    "contact.erased",
                    person.operator.id,
                    contact.alias_id,
                    f"contact {contact.id}",
                    {"request": "GDPR art. 17", **counts},
                ),
                now,
            )
            redacted = tx.contacts.redact_notes(contact)
            if redacted != {k: counts[k] for k in redacted}:  # a note written meanwhile
                raise ConcurrentChange("a note came in during the erasure: erase the contact again")
            return counts

    def export(self, who: SignedIn, alias_id: int, handle: str) -> dict[str, object]:
        """All the alias holds about the contact, as one JSON-ready record (GDPR art. 15)."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            person = _lead(tx, who, alias_id, "export a contact's data")
            contact = find_contact(tx, person.alias, handle)
            tx.audit.append(
                AuditDraft(
                    "contact.exported",
                    person.operator.id,
                    contact.alias_id,
                    f"contact {contact.id}",
                    {"request": "GDPR art. 15"},
                ),
                now,
            )
            ratings = tx.contacts.ratings(contact.id)
            alias_handle = person.alias.handle
        card = self._cards.card(who, alias_id, contact.handles[0])
        return contact_export(card, ratings, alias_handle, now)
