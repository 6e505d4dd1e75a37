"""Reading the audit: who did what, when, on which alias; and checking that nobody rewrote it."""

from dataclasses import dataclass

from cmconsole.domain.audit_chain import GENESIS_HASH, event_hash
from cmconsole.domain.model import AuditEntry
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import Workspace


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the audit chain."""

    events: int
    head_hash: str
    first_bad_seq: int | None
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.first_bad_seq is None


class AuditService:
    """Lists audit events for people and verifies the chain for leads and scripts."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace

    def for_alias(self, who: SignedIn, alias_id: int, limit: int = 200) -> list[AuditEntry]:
        """The alias's audit events, newest first."""
        with self._workspace.transaction() as tx:
            role_on(tx, active_operator(tx, who), existing_alias(tx, alias_id))
            return tx.audit.recent(alias_id, limit)

    def recent(self, limit: int = 50) -> list[AuditEntry]:
        """The newest events of the whole workspace, for the command line."""
        with self._workspace.transaction() as tx:
            return tx.audit.recent(None, limit)

    def verify(self) -> ChainReport:
        """Recompute every hash in order; name the first event that does not match."""
        expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
        with self._workspace.transaction() as tx:
            for event in tx.audit.walk():
                problem = None
                if event.seq != expected_seq:
                    problem = f"expected event {expected_seq}, found {event.seq}"
                elif event.prev_hash != expected_prev:
                    problem = "its link to the previous event does not match"
                elif event.hash != event_hash(
                    seq=event.seq,
                    occurred_at=event.occurred_at,
                    kind=event.kind,
                    actor_id=event.actor_id,
                    alias_id=event.alias_id,
                    subject=event.subject,
                    details=event.details,
                    prev_hash=event.prev_hash,
                ):
                    problem = "its content does not match its hash"
                if problem is not None:
                    return ChainReport(count, expected_prev, event.seq, problem)
                expected_prev, expected_seq, count = event.hash, event.seq + 1, count + 1
        return ChainReport(count, expected_prev, None, None)
