"""Operators, aliases and roles: setting up a workspace and signing in."""

import getpass
from dataclasses import replace
from functools import cache

from cmconsole.domain import names
from cmconsole.domain.channel_limits import PostLimits
from cmconsole.domain.errors import AlreadyExists, InvalidInput, NotFound, SignInRefused
from cmconsole.domain.model import Alias, Membership, Operator, Role, SignatureKind
from cmconsole.domain.passphrase import check_strength, hash_passphrase, verify_passphrase
from cmconsole.domain.signature import initials_of
from cmconsole.services.authority import administrator, sole_active_lead
from cmconsole.services.channel_rules import CONNECTED
from cmconsole.services.guard import SignedIn, active_operator, existing_alias
from cmconsole.services.ports import AuditDraft, Clock, Workspace


class AccountService:
    """Creates operators and aliases, grants roles, and signs people in."""

    def __init__(
        self, workspace: Workspace, clock: Clock, channels: tuple[str, ...] = ("sandbox",)
    ) -> None:
        self._workspace = workspace
        self._clock = clock
        self._channels = channels

    def is_empty(self) -> bool:
        """True for a new workspace that has no operator yet."""
        with self._workspace.transaction() as tx:
            return tx.operators.count() == 0

    def needs_sign_in(self) -> bool:
        """True once the workspace has a lead: administration then needs a signed-in lead."""
        with self._workspace.transaction() as tx:
            return tx.memberships.any_lead()

    def may_administer(self, by: SignedIn | None, handle: str, action: str) -> None:
        """Raise unless `by` may `action` on the alias (checked before work done outside the
        workspace, such as keeping credentials; the change itself checks again)."""
        tag = names.handle(handle)
        with self._workspace.transaction() as tx:
            alias = tx.aliases.by_handle(tag)
            if alias is None:
                raise NotFound(f"there is no alias {tag}")
            administrator(tx, by, action, alias)

    def add_operator(
        self, name: str, display_name: str, passphrase: str, by: SignedIn | None = None
    ) -> Operator:
        login = names.login_name(name)
        shown = display_name.strip() or login
        if (problem := check_strength(passphrase)) is not None:
            raise InvalidInput(problem)
        digest = hash_passphrase(passphrase)
        with self._workspace.transaction() as tx:
            actor = administrator(tx, by, "add operators")
            if tx.operators.by_name(login) is not None:
                raise AlreadyExists(f"operator {login!r} exists already")
            operator = tx.operators.add(login, shown, initials_of(shown), digest, self._clock())
            tx.audit.append(
                AuditDraft(
                    "operator.added",
                    _id(actor),
                    None,
                    login,
                    {"by": os_user()},
                    content=f"operator {operator.id}",
                ),
                self._clock(),
            )
            return operator

    def add_alias(
        self,
        handle: str,
        display_name: str,
        *,
        language: str = "en",
        channel: str = "sandbox",
        signature: SignatureKind = SignatureKind.NONE,
        signature_text: str = "",
        time_zone: str = "UTC",
        by: SignedIn | None = None,
    ) -> Alias:
        tag = names.handle(handle)
        zone = names.time_zone(time_zone)
        if not display_name.strip():
            raise InvalidInput("an alias needs a display name: the name the public sees")
        if channel not in self._channels:
            raise InvalidInput(
                f"the {channel!r} channel is not available in this version: "
                f"use {', '.join(self._channels)}"
            )
        names.alias_fields(display_name, language, signature_text)
        if signature is SignatureKind.FIXED and not signature_text.strip():
            raise InvalidInput("a fixed signature needs its text")
        with self._workspace.transaction() as tx:
            actor = administrator(tx, by, "add aliases")
            if tx.aliases.by_handle(tag) is not None:
                raise AlreadyExists(f"alias {tag} exists already")
            alias = tx.aliases.add(
                tag,
                display_name.strip(),
                language,
                channel,
                signature,
                signature_text.strip(),
                self._clock(),
                zone,
            )
            tx.audit.append(
                AuditDraft(
                    "alias.added",
                    _id(actor),
                    alias.id,
                    tag,
                    {"display_name": alias.display_name, "channel": channel, "by": os_user()},
                ),
                self._clock(),
            )
            return alias

    def set_time_zone(self, handle: str, time_zone: str, by: SignedIn | None = None) -> Alias:
        """Say where the alias lives: its promises' "tomorrow" and its business hours follow."""
        tag = names.handle(handle)
        zone = names.time_zone(time_zone)
        with self._workspace.transaction() as tx:
            alias = tx.aliases.by_handle(tag)
            if alias is None:
                raise NotFound(f"there is no alias {tag}")
            actor = administrator(tx, by, "set its time zone", alias)
            if alias.time_zone == zone:
                return alias
            tx.aliases.set_time_zone(alias.id, zone)
            tx.audit.append(
                AuditDraft(
                    "alias.time_zone_set",
                    _id(actor),
                    alias.id,
                    alias.handle,
                    {"time_zone": zone, "previous": alias.time_zone, "by": os_user()},
                ),
                self._clock(),
            )
            return replace(alias, time_zone=zone)

    def set_colour(self, handle: str, colour: str, by: SignedIn | None = None) -> Alias:
        """Set the colour the alias wears on every screen where one writes as it ("" for none)."""
        tag = names.handle(handle)
        wanted = names.colour(colour)
        with self._workspace.transaction() as tx:
            alias = tx.aliases.by_handle(tag)
            if alias is None:
                raise NotFound(f"there is no alias {tag}")
            actor = administrator(tx, by, "set its colour", alias)
            if alias.colour == wanted:
                return alias
            tx.aliases.set_colour(alias.id, wanted)
            tx.audit.append(
                AuditDraft(
                    "alias.colour_set",
                    _id(actor),
                    alias.id,
                    alias.handle,
                    {"colour": wanted, "previous": alias.colour, "by": os_user()},
                ),
                self._clock(),
            )
            return replace(alias, colour=wanted)

    def grant(
        self, operator_name: str, handle: str, role: Role, by: SignedIn | None = None
    ) -> None:
        """Give an operator a role on an alias (or change it): a lead of the alias does, or
        anyone while the workspace has no lead yet. Nobody grants a deactivated operator."""
        login = names.login_name(operator_name)
        tag = names.handle(handle)
        with self._workspace.transaction() as tx:
            operator = tx.operators.by_name(login)
            if operator is None:
                raise NotFound(f"there is no operator {login!r}")
            alias = tx.aliases.by_handle(tag)
            if alias is None:
                raise NotFound(f"there is no alias {tag}")
            actor = administrator(tx, by, "grant roles", alias)
            if not operator.active:
                raise InvalidInput(f"{login} has been deactivated")
            if role is not Role.LEAD and sole_active_lead(tx, operator.id, alias):
                raise InvalidInput(
                    f"{login} is the only lead of {alias.handle}: name another first"
                )
            previous = tx.memberships.grant(operator.id, alias.id, role)
            if previous is role:
                return
            tx.audit.append(
                AuditDraft(
                    "role.granted" if previous is None else "role.changed",
                    _id(actor),
                    alias.id,
                    login,
                    {"role": role.value, "previous": previous and previous.value, "by": os_user()},
                ),
                self._clock(),
            )

    def record_channel_connected(
        self,
        handle: str,
        channel: str,
        account_id: str,
        account_name: str,
        by: SignedIn | None = None,
        limits: PostLimits | None = None,
    ) -> None:
        """Audit that the alias now acts as this channel account (its credentials are kept
        outside the workspace, never here), with what its server said of a post's length: every
        console then checks drafts against it, not only the one that holds the token. A channel
        the alias did not speak on yet is added to its channels."""
        tag = names.handle(handle)
        with self._workspace.transaction() as tx:
            alias = tx.aliases.by_handle(tag)
            if alias is None:
                raise NotFound(f"there is no alias {tag}")
            actor = administrator(tx, by, "connect its channel accounts", alias)
            now = self._clock()
            if tx.aliases.add_channel(alias.id, channel, now):
                tx.audit.append(
                    AuditDraft(
                        "alias.channel_added",
                        _id(actor),
                        alias.id,
                        alias.handle,
                        {"channel": channel, "by": os_user()},
                    ),
                    now,
                )
            tx.audit.append(
                AuditDraft(
                    CONNECTED,
                    _id(actor),
                    alias.id,
                    alias.handle,
                    {
                        "channel": channel,
                        "account_id": account_id,
                        "account_name": account_name,
                        "by": os_user(),
                        **(limits.details() if limits else {}),
                    },
                ),
                now,
            )

    def sign_in(self, name: str, passphrase: str) -> SignedIn:
        """Check a passphrase; refusals are audited and do not say which part was wrong."""
        login = name.strip().lower()
        with self._workspace.transaction() as tx:
            operator = tx.operators.by_name(login)
            stored = (
                _decoy_hash() if operator is None else tx.operators.passphrase_hash(operator.id)
            )
        # The slow hash runs outside any transaction so that it never holds the write lock, and
        # runs for unknown names too so that timing does not tell which names exist.
        matches = verify_passphrase(passphrase, stored) and operator is not None
        with self._workspace.transaction() as tx:
            if operator is None or not matches:
                # An unknown name is not kept: people type their passphrase there by mistake,
                # and the audit can never be cleaned.
                if operator is None:
                    draft = AuditDraft("sign_in.refused", None, None, "unknown operator")
                else:
                    draft = AuditDraft(
                        "sign_in.refused", operator.id, None, login, {"reason": "wrong passphrase"}
                    )
                refused = SignInRefused("unknown operator or wrong passphrase")
            elif not operator.active:
                draft = AuditDraft(
                    "sign_in.refused", operator.id, None, login, {"reason": "deactivated"}
                )
                refused = SignInRefused(f"{login} has been deactivated: ask a lead")
            else:
                tx.audit.append(AuditDraft("signed_in", operator.id, None, login), self._clock())
                return SignedIn(operator.id, operator.name)
            tx.audit.append(draft, self._clock())
        # Raised after the transaction so that the refusal's audit event is committed.
        raise refused

    def memberships(self, who: SignedIn) -> list[Membership]:
        """The aliases the operator may work on, with their role on each."""
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            return tx.memberships.for_operator(operator.id)

    def operator(self, who: SignedIn) -> Operator:
        with self._workspace.transaction() as tx:
            return active_operator(tx, who)

    def operators(self) -> list[Operator]:
        with self._workspace.transaction() as tx:
            return tx.operators.all()

    def aliases(self) -> list[Alias]:
        with self._workspace.transaction() as tx:
            return tx.aliases.all()

    def channels(self, alias_id: int) -> list[str]:
        """The channels the alias speaks on, its own first (not secret: no sign-in)."""
        with self._workspace.reading() as tx:
            return tx.aliases.channels(existing_alias(tx, alias_id).id)


def _id(operator: Operator | None) -> int | None:
    return operator.id if operator is not None else None


def os_user() -> str:
    """Who ran an administrative command from the shell, for the audit."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@cache
def _decoy_hash() -> str:
    return hash_passphrase("a decoy for names that do not exist")
