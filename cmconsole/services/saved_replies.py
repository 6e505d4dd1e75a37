"""Saved replies: text an alias keeps ready; leads keep the list, everyone inserts from it."""

from cmconsole.domain.checker import CheckResult
from cmconsole.domain.errors import InvalidInput, NotFound
from cmconsole.domain.model import SavedReply
from cmconsole.services.authority import administrator
from cmconsole.services.checking import Checks, run_checked
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace

NAME_LENGTH = 50


class SavedReplyService:
    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def replies(self, who: SignedIn, alias_id: int) -> list[SavedReply]:
        with self._workspace.transaction() as tx:
            role_on(tx, active_operator(tx, who), existing_alias(tx, alias_id))
            return tx.saved_replies.for_alias(alias_id)

    def for_alias(self, alias_id: int) -> list[SavedReply]:
        """The alias's saved replies, for the command line (the workspace's administrator)."""
        with self._workspace.transaction() as tx:
            return tx.saved_replies.for_alias(existing_alias(tx, alias_id).id)

    def save(self, who: SignedIn | None, alias_id: int, name: str, text: str) -> SavedReply:
        """Save (or replace) a reply under `name`. A lead saves from the console; the command
        line passes who is None only while the workspace has no lead yet, like `alias add`."""
        name, text = name.strip(), text.strip()
        if not name or len(name) > NAME_LENGTH:
            raise InvalidInput(f"a saved reply needs a name of 1 to {NAME_LENGTH} characters")
        if not text:
            raise InvalidInput("a saved reply needs some text")
        now = self._clock()
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            operator = administrator(tx, who, "change its saved replies", alias)
            saved = tx.saved_replies.put(
                alias.id, name, text, operator.id if operator else None, now
            )
            tx.audit.append(
                AuditDraft(
                    "saved_reply.saved",
                    operator.id if operator else None,
                    alias.id,
                    name,
                    {"text": text},
                ),
                now,
            )
            return saved

    def remove(self, who: SignedIn | None, alias_id: int, name: str) -> None:
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            operator = administrator(tx, who, "change its saved replies", alias)
            if not tx.saved_replies.remove(alias.id, name):
                raise NotFound(f"{alias.handle} has no saved reply named {name!r}")
            tx.audit.append(
                AuditDraft(
                    "saved_reply.removed", operator.id if operator else None, alias.id, name
                ),
                self._clock(),
            )

    def check(self, who: SignedIn, alias_id: int, text: str) -> CheckResult:
        """How the guide judges a saved reply for the operator inserting it."""

        def checked(tx: Transaction, checks: Checks) -> CheckResult:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            return checks.result(tx, alias, text, operator.initials)

        return run_checked(self._workspace, checked)
