"""Contacts: the card (history across operators, promises, notes, ratings), notes and ratings,
and the directory; who may do what is checked here."""

from collections.abc import Mapping
from dataclasses import dataclass

from cmconsole.domain.contacts import (
    NOTE_LIMIT,
    RATING_MAX,
    RATING_MIN,
    REASON_LIMIT,
    Contact,
    ContactCard,
    ContactNote,
    DirectoryPage,
    DirectorySort,
    Facet,
    FacetRating,
    ordered_notes,
)
from cmconsole.domain.errors import InvalidInput, NotFound, PermissionDenied
from cmconsole.domain.model import Alias, Operator, Role
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import AuditDraft, Channel, Clock, Transaction, Workspace

DIRECTORY_PAGE = 50


@dataclass(frozen=True)
class Member:
    operator: Operator
    alias: Alias
    role: Role


def member(tx: Transaction, who: SignedIn, alias_id: int) -> Member:
    """The signed-in person and their role on the alias; refused if they have none."""
    operator = active_operator(tx, who)
    alias = existing_alias(tx, alias_id)
    return Member(operator, alias, role_on(tx, operator, alias))


def find_contact(tx: Transaction, alias: Alias, handle: str) -> Contact:
    """The alias's contact with this handle (given with or without its leading @)."""
    wanted = handle.strip()
    found = tx.contacts.by_handle(alias.id, wanted)
    if found is None and wanted and not wanted.startswith("@"):
        found = tx.contacts.by_handle(alias.id, "@" + wanted)
    if found is None:
        raise NotFound(f"{alias.handle} has no contact {wanted or '(no handle)'}")
    return found


def not_a_trainee(person: Member, action: str) -> None:
    if person.role is Role.TRAINEE:
        raise PermissionDenied(f"a trainee does not {action}: ask an operator or a lead")


class ContactService:
    def __init__(
        self, workspace: Workspace, clock: Clock, channels: Mapping[str, Channel] | None = None
    ) -> None:
        self._workspace = workspace
        self._clock = clock
        self._channels = dict(channels or {})

    def card(self, who: SignedIn, alias_id: int, handle: str) -> ContactCard:
        """Everything the alias knows of the contact, read in one snapshot."""
        now = self._clock()
        with self._workspace.reading() as tx:
            person = member(tx, who, alias_id)
            contact = find_contact(tx, person.alias, handle)
            handles = contact.handles
            current: dict[Facet, FacetRating] = {}
            for rating in tx.contacts.ratings(contact.id):
                current[rating.facet] = rating
            threads = [tx.threads.by_contact(contact.alias_id, h) for h in handles]
            claims = [tx.claims.holder(contact.alias_id, h, now) for h in handles]
            return ContactCard(
                contact,
                tuple(tx.contacts.tags(contact.id)),
                ordered_notes(tx.contacts.notes(contact.id)),
                tuple(current[f] for f in Facet if f in current),
                tuple(tx.contacts.open_promises(contact.alias_id, handles)),
                tuple(tx.contacts.history(contact.alias_id, handles)),
                tuple(t for t in threads if t is not None),
                tuple(c for c in claims if c is not None),
            )

    def note(
        self,
        who: SignedIn,
        alias_id: int,
        handle: str,
        text: str,
        *,
        pinned: bool = False,
        corrects: int | None = None,
    ) -> ContactNote:
        """Add a note to the contact (a trainee's is flagged as such); `corrects` names the
        earlier note this one corrects, which stays, marked corrected."""
        text = text.strip()
        if not text:
            raise InvalidInput("the note is empty: say what the team should know")
        if len(text) > NOTE_LIMIT:
            raise InvalidInput(f"the note is {len(text)} characters; keep it under {NOTE_LIMIT}")
        now = self._clock()
        with self._workspace.transaction() as tx:
            person = member(tx, who, alias_id)
            contact = find_contact(tx, person.alias, handle)
            earlier = {n.id for n in tx.contacts.notes(contact.id)}
            if corrects is not None and corrects not in earlier:
                raise NotFound(f"{contact.handles[0]} has no note {corrects} to correct")
            trainee = person.role is Role.TRAINEE
            note = tx.contacts.add_note(
                contact, person.operator.id, text, pinned, trainee, corrects, now
            )
            tx.audit.append(
                AuditDraft(
                    "contact.noted",
                    person.operator.id,
                    contact.alias_id,
                    f"contact {contact.id}",
                    {
                        "contact": contact.handles[0],
                        "note": note.id,
                        "pinned": pinned,
                        "trainee": trainee,
                        "corrects": corrects,
                    },
                    # The note's text is stamped (salted), never held: the ledger proves what was
                    # noted, and the text can still be erased (GDPR art. 17).
                    content=f"contact_note {note.id}",
                ),
                now,
            )
            return note

    def rate(
        self, who: SignedIn, alias_id: int, handle: str, facet: Facet, value: int, reason: str
    ) -> FacetRating:
        """Rate one facet of the contact's influence, with the reason; the history keeps every
        rating given."""
        reason = reason.strip()
        if not RATING_MIN <= value <= RATING_MAX:
            raise InvalidInput(f"a rating is from {RATING_MIN} to {RATING_MAX}, not {value}")
        if not reason:
            raise InvalidInput(f"say why you rate {facet.value} {value}")
        if len(reason) > REASON_LIMIT:
            raise InvalidInput(
                f"the reason is {len(reason)} characters; keep it under {REASON_LIMIT}"
            )
        now = self._clock()
        with self._workspace.transaction() as tx:
            person = member(tx, who, alias_id)
            not_a_trainee(person, "rate contacts")
            contact = find_contact(tx, person.alias, handle)
            tx.contacts.rate(contact, facet, value, reason, person.operator.id, now)
            tx.audit.append(
                AuditDraft(
                    "contact.rated",
                    person.operator.id,
                    contact.alias_id,
                    f"contact {contact.id}",
                    {
                        "contact": contact.handles[0],
                        "facet": facet.value,
                        "value": value,
                        # The reason is the team's text about a person, kept on the rating
                        # row: there it can be erased (GDPR art. 17), in the ledger it could not.
                    },
                ),
                now,
            )
            return FacetRating(facet, value, reason, person.operator.name, now)

    def read_reach(self, who: SignedIn, alias_id: int, handle: str) -> Contact:
        """Read how many follow the contact from the alias's channel (the most followed of their
        handles) and keep it with when it was read, apart from the operators' reach rating;
        the contact as it now is. The channel is asked outside any transaction."""
        with self._workspace.reading() as tx:
            person = member(tx, who, alias_id)
            contact = find_contact(tx, person.alias, handle)
        alias = person.alias
        if contact.erased_at is not None:
            raise InvalidInput(f"{contact.handles[0]}'s data was erased: nothing is read again")
        channel = self._channels.get(alias.channel)
        if channel is None:
            raise InvalidInput(f"{alias.handle}'s channel {alias.channel} cannot be read here")
        counts = channel.reach(alias, contact.handles)
        if not counts:
            raise NotFound(f"{alias.channel} knows no account {', '.join(contact.handles)}")
        followers = max(counts.values())
        now = self._clock()
        with self._workspace.transaction() as tx:
            person = member(tx, who, alias_id)
            tx.contacts.record_reach(contact.id, followers, now)
            tx.audit.append(
                AuditDraft(
                    "contact.reach_read",
                    person.operator.id,
                    contact.alias_id,
                    f"contact {contact.id}",
                    {
                        "contact": contact.handles[0],
                        "channel": alias.channel,
                        "followers": followers,
                    },
                ),
                now,
            )
            found = tx.contacts.by_handle(contact.alias_id, contact.handles[0])
            assert found is not None
            return found

    def ratings(
        self, who: SignedIn, alias_id: int, handle: str, facet: Facet | None = None
    ) -> list[FacetRating]:
        """Every rating given to the contact, oldest first (of one facet, if named)."""
        with self._workspace.transaction() as tx:
            person = member(tx, who, alias_id)
            return tx.contacts.ratings(find_contact(tx, person.alias, handle).id, facet)

    def describe(
        self, who: SignedIn, alias_id: int, handle: str, display_name: str, language: str | None
    ) -> Contact:
        """Say who the contact is: the name the team knows them by, the language they write in."""
        display_name = display_name.strip()
        language = (language or "").strip().lower() or None
        if len(display_name) > 100:
            raise InvalidInput("a display name is at most 100 characters")
        if language is not None and (len(language) > 8 or not language.replace("-", "").isalpha()):
            raise InvalidInput(f"{language!r} is not a language code (say fr, en, pt-br)")
        now = self._clock()
        with self._workspace.transaction() as tx:
            person = member(tx, who, alias_id)
            not_a_trainee(person, "change who a contact is")
            contact = find_contact(tx, person.alias, handle)
            tx.contacts.describe(contact.id, display_name, language)
            tx.audit.append(
                AuditDraft(
                    "contact.described",
                    person.operator.id,
                    contact.alias_id,
                    f"contact {contact.id}",
                    {
                        "contact": contact.handles[0],
                        "named": bool(display_name),
                        "language": language,
                    },
                ),
                now,
            )
            found = tx.contacts.by_handle(contact.alias_id, contact.handles[0])
            assert found is not None
            return found

    def directory(
        self,
        who: SignedIn,
        alias_id: int,
        *,
        search: str = "",
        tag: str | None = None,
        sort: DirectorySort = DirectorySort.LAST_CONTACT,
        page: int = 0,
        size: int = DIRECTORY_PAGE,
    ) -> DirectoryPage:
        """One page of the alias's contacts (pages count from 0)."""
        if page < 0 or not 1 <= size <= 500:
            raise InvalidInput("pages count from 0 and hold 1 to 500 contacts")
        with self._workspace.reading() as tx:
            person = member(tx, who, alias_id)
            found = tx.contacts.directory(person.alias.id, search, tag, sort, size + 1, page * size)
        return DirectoryPage(tuple(found[:size]), page, len(found) > size)
