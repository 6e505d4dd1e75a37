"""Contact tags: the per-alias list a lead edits, tagging contacts, and the warning before a
reply to someone the alias does not engage with."""

from collections.abc import Sequence

from cmconsole.domain.contacts import DEFAULT_TAGS, DO_NOT_ENGAGE, TAG_LIMIT
from cmconsole.domain.errors import InvalidInput, PermissionDenied
from cmconsole.domain.model import Role
from cmconsole.services.contacts import find_contact, member, not_a_trainee
from cmconsole.services.guard import SignedIn
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace


def _tag_list(tx: Transaction, alias_id: int) -> list[str]:
    chosen = tx.contacts.tag_list(alias_id)
    return list(DEFAULT_TAGS) if chosen is None else chosen


def _clean(names: Sequence[str]) -> list[str]:
    kept: list[str] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if len(name) > TAG_LIMIT or not name.isprintable() or "," in name:
            raise InvalidInput(
                f"{name[:40]!r} is not a tag: at most {TAG_LIMIT} printable characters, no comma"
            )
        if name.lower() not in {k.lower() for k in kept}:
            kept.append(name)
    return kept


class ContactTagService:
    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def tag_list(self, who: SignedIn, alias_id: int) -> list[str]:
        """The tags contacts of the alias can be given, in the lead's order."""
        with self._workspace.transaction() as tx:
            return _tag_list(tx, member(tx, who, alias_id).alias.id)

    def edit_tag_list(self, who: SignedIn, alias_id: int, names: Sequence[str]) -> list[str]:
        """Replace the alias's tag list (leads only). Contacts keep the tags they have."""
        wanted = _clean(names)
        now = self._clock()
        with self._workspace.transaction() as tx:
            person = member(tx, who, alias_id)
            if person.role is not Role.LEAD:
                raise PermissionDenied(f"only a lead of {person.alias.handle} edits its tags")
            was = _tag_list(tx, person.alias.id)
            tx.contacts.set_tag_list(person.alias.id, wanted, person.operator.id, now)
            tx.audit.append(
                AuditDraft(
                    "contact.tags_edited",
                    person.operator.id,
                    person.alias.id,
                    f"alias {person.alias.id}",
                    {"tags": wanted, "was": was},
                ),
                now,
            )
            return wanted

    def tag(self, who: SignedIn, alias_id: int, handle: str, name: str) -> bool:
        """Give the contact a tag from the alias's list; False if they had it already."""
        return self._change(who, alias_id, handle, name, add=True)

    def untag(self, who: SignedIn, alias_id: int, handle: str, name: str) -> bool:
        """Take a tag off the contact; False if they did not have it."""
        return self._change(who, alias_id, handle, name, add=False)

    def _change(self, who: SignedIn, alias_id: int, handle: str, name: str, add: bool) -> bool:
        now = self._clock()
        with self._workspace.transaction() as tx:
            person = member(tx, who, alias_id)
            not_a_trainee(person, "tag contacts")
            contact = find_contact(tx, person.alias, handle)
            listed = {tag.lower(): tag for tag in _tag_list(tx, person.alias.id)}
            if add:
                tag = listed.get(name.strip().lower())
                if tag is None:
                    raise InvalidInput(
                        f"{name.strip()!r} is not one of {person.alias.handle}'s tags "
                        f"({', '.join(listed.values()) or 'none'}); a lead adds tags"
                    )
                changed = tx.contacts.tag(contact.id, tag, person.operator.id, now)
            else:
                had = {t.lower(): t for t in tx.contacts.tags(contact.id)}
                tag = had.get(name.strip().lower(), name.strip())
                changed = tx.contacts.untag(contact.id, tag)
            if changed:
                tx.audit.append(
                    AuditDraft(
                        "contact.tagged" if add else "contact.untagged",
                        person.operator.id,
                        contact.alias_id,
                        f"contact {contact.id}",
                        {"contact": contact.handles[0], "tag": tag},
                    ),
                    now,
                )
            return changed

    def reply_warning(self, who: SignedIn, alias_id: int, handle: str) -> str | None:
        """What to tell someone about to reply to `handle`, or None: today, that the alias
        does not engage with them."""
        with self._workspace.transaction() as tx:
            person = member(tx, who, alias_id)
            contact = tx.contacts.by_handle(person.alias.id, handle.strip())
            if contact is None or DO_NOT_ENGAGE not in tx.contacts.tags(contact.id):
                return None
            return (
                f"{handle.strip()} is tagged {DO_NOT_ENGAGE} on {person.alias.handle}: "
                "read their card before replying, or leave it to a lead"
            )
