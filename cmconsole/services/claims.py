"""Claims: who is answering a contact right now, so that two people never answer one fan."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Alias, Claim, Operator
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace

# A claim left this long without activity lapses, and anyone may take the contact.
CLAIM_IDLE = timedelta(minutes=5)


class ClaimHeld(CmconsoleError):
    """Someone else is answering this contact: take the claim over explicitly to reply."""

    def __init__(self, claim: Claim) -> None:
        super().__init__(
            f"{claim.contact_handle} is being answered by {claim.operator_name}: "
            "take the claim over to reply"
        )
        self.claim = claim


@dataclass(frozen=True)
class ClaimState:
    """Who holds a contact now, as the one asking sees it."""

    claim: Claim | None
    mine: bool


def hold_claim(
    tx: Transaction, alias: Alias, contact: str, operator: Operator, now: datetime
) -> Claim:
    """Keep or take the contact's claim for the operator, or raise ClaimHeld; one conditional
    write, in the caller's transaction, so that it and what follows commit together."""
    holder = tx.claims.acquire(alias.id, contact, operator.id, now, now + CLAIM_IDLE)
    if holder.operator_id != operator.id:
        raise ClaimHeld(holder)
    return holder


class ClaimService:
    """Claims, renewals, releases and takeovers, checked for each operator's role."""

    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def claim(self, who: SignedIn, alias_id: int, contact: str) -> ClaimState:
        """Claim the contact if nobody else holds it; say who holds it either way."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            holder = tx.claims.acquire(alias.id, contact, operator.id, now, now + CLAIM_IDLE)
            mine = holder.operator_id == operator.id
            if mine:
                tx.desk.changed(alias.id)  # unaudited, yet every desk shows who answers whom
            return ClaimState(holder, mine)

    def state(self, who: SignedIn, alias_id: int, contact: str) -> ClaimState:
        now = self._clock()
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            role_on(tx, operator, existing_alias(tx, alias_id))
            holder = tx.claims.holder(alias_id, contact, now)
            return ClaimState(holder, holder is not None and holder.operator_id == operator.id)

    def renew(self, who: SignedIn, alias_id: int, contact: str) -> bool:
        """Keep the operator's claim alive while they work; False if it was lost meanwhile."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            return tx.claims.renew(alias_id, contact, who.operator_id, now, now + CLAIM_IDLE)

    def release(self, who: SignedIn, alias_id: int, contact: str) -> None:
        with self._workspace.transaction() as tx:
            if tx.claims.release(alias_id, contact, who.operator_id):
                tx.desk.changed(alias_id)

    def take_over(self, who: SignedIn, alias_id: int, contact: str) -> Claim | None:
        """Take the contact whoever holds it (audited); return the claim taken over, if any."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            previous = tx.claims.take_over(alias.id, contact, operator.id, now, now + CLAIM_IDLE)
            if previous is not None:
                tx.audit.append(
                    AuditDraft(
                        "claim.taken_over",
                        operator.id,
                        alias.id,
                        contact,
                        {
                            "from": previous.operator_name,
                            "held_since": previous.claimed_at.isoformat(),
                        },
                    ),
                    now,
                )
            return previous

    def live(self, who: SignedIn, alias_id: int) -> dict[str, Claim]:
        """The alias's live claims by contact."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            role_on(tx, active_operator(tx, who), existing_alias(tx, alias_id))
            return {claim.contact_handle: claim for claim in tx.claims.live(alias_id, now)}
