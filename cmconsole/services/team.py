"""The alias's team: leads grant and change roles and deactivate people who leave."""

from cmconsole.domain import names
from cmconsole.domain.errors import InvalidInput, NotFound, PermissionDenied
from cmconsole.domain.model import Role, TeamMember
from cmconsole.services.accounts import os_user
from cmconsole.services.authority import administrator
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, lead_of, role_on
from cmconsole.services.handover import gather, write_handover
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace


class TeamService:
    """Who works an alias, in which role; and what happens when someone leaves."""

    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def members(self, who: SignedIn, alias_id: int) -> list[TeamMember]:
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            role_on(tx, active_operator(tx, who), alias)
            on_shift = {operator.id for _, operator in tx.shifts.open_on_alias(alias.id)}
            return [
                TeamMember(operator, role, operator.id in on_shift)
                for operator, role in tx.memberships.for_alias(alias.id)
            ]

    def set_role(self, who: SignedIn, operator_name: str, alias_id: int, role: Role) -> None:
        """Add an operator to the alias with a role, or change their role (leads only)."""
        login = names.login_name(operator_name)
        with self._workspace.transaction() as tx:
            lead = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            lead_of(tx, lead, alias)
            target = tx.operators.by_name(login)
            if target is None:
                raise NotFound(f"there is no operator {login!r}")
            if not target.active:
                raise InvalidInput(f"{login} has been deactivated")
            if role is not Role.LEAD and _only_active_lead(tx, target.id, alias.id):
                raise InvalidInput(
                    f"{login} is the only lead of {alias.handle}: name another first"
                )
            previous = tx.memberships.grant(target.id, alias.id, role)
            if previous is role:
                return
            tx.audit.append(
                AuditDraft(
                    "role.granted" if previous is None else "role.changed",
                    lead.id,
                    alias.id,
                    login,
                    {"role": role.value, "previous": previous and previous.value},
                ),
                self._clock(),
            )

    def deactivate(self, who: SignedIn | None, operator_name: str, reason: str) -> None:
        """Someone leaves: no more sign-in, shifts ended, their open items handed over.

        `who` is a lead of every alias the person works on; None only while the workspace has
        no lead yet (setting up from the shell). Everything the person did stays attributed to them.
        """
        login = names.login_name(operator_name)
        if not reason.strip():
            raise InvalidInput("say why the operator is deactivated (for the audit)")
        now = self._clock()
        with self._workspace.transaction() as tx:
            target = tx.operators.by_name(login)
            if target is None:
                raise NotFound(f"there is no operator {login!r}")
            memberships = tx.memberships.for_operator(target.id)
            lead = administrator(tx, who, "deactivate operators")
            actor_id, by = None, f"shell user {os_user()}"
            if lead is not None:
                if lead.id == target.id:
                    raise PermissionDenied("you cannot deactivate yourself: ask another lead")
                # Someone who works several aliases answers to the leads of all of them.
                if not all(
                    tx.memberships.role(lead.id, m.alias.id) is Role.LEAD for m in memberships
                ):
                    raise PermissionDenied(f"only a lead of every alias {login} works may do this")
                actor_id, by = lead.id, lead.name
            for membership in memberships:
                if _only_active_lead(tx, target.id, membership.alias.id):
                    raise InvalidInput(
                        f"{login} is the only lead of {membership.alias.handle}: name another first"
                    )
            tx.claims.release_all(target.id)
            if not tx.operators.deactivate(target.id, now):
                raise InvalidInput(f"{login} is already deactivated")
            tx.audit.append(
                AuditDraft(
                    "operator.deactivated",
                    actor_id,
                    None,
                    login,
                    {"reason": reason.strip(), "by": by},
                ),
                now,
            )
            for shift in tx.shifts.open_of_operator(target.id):
                tx.shifts.end(shift.id, now)
                tx.audit.append(
                    AuditDraft(
                        "shift.ended",
                        target.id,
                        shift.alias_id,
                        f"shift {shift.id}",
                        {"because": "deactivated"},
                    ),
                    now,
                )
            for membership in memberships:
                summary = (
                    f"{target.display_name} ({login}) has left this alias ({reason.strip()}); "
                    f"deactivated by {by}. Their open items below are back with the team."
                )
                write_handover(
                    tx,
                    membership.alias,
                    actor_id if actor_id is not None else target.id,
                    summary,
                    gather(tx, membership.alias, now, author_id=target.id),
                    now,
                    automatic=True,
                )


def _only_active_lead(tx: Transaction, operator_id: int, alias_id: int) -> bool:
    leads = [o.id for o, r in tx.memberships.for_alias(alias_id) if r is Role.LEAD and o.active]
    return leads == [operator_id]
