"""Onboarding onto an alias: the track, practice on real history, and graduation to operator."""

from dataclasses import dataclass
from datetime import datetime

from cmconsole.domain import names
from cmconsole.domain.checker import Finding
from cmconsole.domain.errors import InvalidInput, NotFound, PermissionDenied
from cmconsole.domain.guide import Example, Onboarding, Severity
from cmconsole.domain.model import Alias, InboundMessage, Operator, Post, Role
from cmconsole.domain.onboarding import (
    Closeness,
    Graduation,
    Progress,
    Step,
    StepKind,
    clean_in_a_row,
    closeness,
    progress,
    track,
)
from cmconsole.services.checking import Checks, run_checked
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, lead_of, role_on
from cmconsole.services.guides import checking_guide
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace

# Past replies shown to study, and how many decisions back graduation may look.
STUDY_SAMPLE = 10
# A marker step: the trainee met the rule and the leads were told (once, until extended).
READY = "ready"


@dataclass(frozen=True)
class TrackState:
    """A trainee's track on an alias and how far they are from graduating."""

    operator: Operator
    role: Role
    progress: Progress
    graduation: Graduation


@dataclass(frozen=True)
class StudyMaterial:
    examples: list[Example]
    best_replies: list[tuple[InboundMessage, Post]]


@dataclass(frozen=True)
class PracticeItem:
    """A past message the alias really answered, to answer again for practice."""

    message: InboundMessage
    actual: Post


@dataclass(frozen=True)
class PracticeResult:
    findings: list[Finding]
    actual: str
    closeness: Closeness


def trainee_tracks(
    tx: Transaction, caller: Operator, alias: Alias, caller_role: Role
) -> list[TrackState]:
    """Every active trainee's track on the alias for a lead; for anyone else, only their own."""
    return [
        _state(tx, alias, operator)
        for operator, role in tx.memberships.for_alias(alias.id)
        if role is Role.TRAINEE
        and operator.active
        and (caller_role is Role.LEAD or operator.id == caller.id)
    ]


class OnboardingService:
    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def track(self, who: SignedIn, alias_id: int, operator_name: str | None = None) -> TrackState:
        """The caller's own track, or (leads only) someone else's."""
        with self._workspace.transaction() as tx:
            caller = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, caller, alias)
            target = caller
            if operator_name is not None and names.login_name(operator_name) != caller.name:
                lead_of(tx, caller, alias)
                target = _member(tx, operator_name, alias)
            return _state(tx, alias, target)

    def everyone(self, who: SignedIn, alias_id: int) -> list[TrackState]:
        """Every trainee's track on the alias (leads see all; others only themselves)."""
        with self._workspace.transaction() as tx:
            caller = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            return trainee_tracks(tx, caller, alias, role_on(tx, caller, alias))

    def complete_step(self, who: SignedIn, alias_id: int, step_key: str) -> None:
        """Acknowledge a reading step of the caller's own track."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            steps = {step.key: step for step in track(checking_guide(tx, alias))}
            step = steps.get(step_key)
            if step is None or step.kind is StepKind.PRACTICE:
                raise InvalidInput(f"{step_key!r} is not a step to acknowledge on {alias.handle}")
            if tx.onboarding.mark(alias.id, operator.id, step.key, now):
                tx.audit.append(
                    AuditDraft("onboarding.step_done", operator.id, alias.id, step.key), now
                )

    def study(self, who: SignedIn, alias_id: int) -> StudyMaterial:
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            guide = checking_guide(tx, alias)
            best = tx.onboarding.answered_history(alias.id, 0, STUDY_SAMPLE, clean_only=True)
            return StudyMaterial(list(guide.examples) if guide else [], best)

    def next_practice(self, who: SignedIn, alias_id: int) -> PracticeItem | None:
        """A past message the alias answered that the caller has not practised on yet."""
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            found = tx.onboarding.answered_history(alias.id, operator.id, 1)
            return PracticeItem(*found[0]) if found else None

    def practise(self, who: SignedIn, alias_id: int, inbound_id: int, text: str) -> PracticeResult:
        """Check a practice reply and set it beside what the alias said. Nothing is published."""
        body = text.strip()
        if not body:
            raise InvalidInput("the practice reply is empty")
        now = self._clock()

        def practised(tx: Transaction, checks: Checks) -> PracticeResult:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            message = tx.inbound.by_id(inbound_id)
            if message is None or message.alias_id != alias.id:
                raise NotFound(f"{alias.handle} has no message with id {inbound_id}")
            actual = next((p for p in tx.posts.replies_to(inbound_id) if p.published_at), None)
            if actual is None:
                raise InvalidInput("practice is on messages the alias really answered")
            result = checks.result(tx, alias, body, operator.initials)
            close = closeness(body, actual.text)
            severities = [finding.severity for finding in result.findings]
            tx.onboarding.add_practice(
                alias.id,
                operator.id,
                inbound_id,
                body,
                close.score,
                severities.count(Severity.ERROR),
                severities.count(Severity.WARNING),
                now,
            )
            tx.audit.append(
                AuditDraft(
                    "onboarding.practised",
                    operator.id,
                    alias.id,
                    f"message {inbound_id}",
                    {"closeness": close.score, "findings": len(result.findings)},
                ),
                now,
            )
            return PracticeResult(result.findings, actual.text, close)

        return run_checked(self._workspace, practised)

    def promote(self, who: SignedIn, alias_id: int, operator_name: str, reason: str = "") -> None:
        """A lead makes a trainee an operator; without the rule met, only with a reason."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            lead, alias = active_operator(tx, who), existing_alias(tx, alias_id)
            lead_of(tx, lead, alias)
            trainee = _trainee(tx, operator_name, alias)
            state = _state(tx, alias, trainee)
            if not state.graduation.met and not reason.strip():
                raise InvalidInput(
                    f"{trainee.name} does not meet the rule yet ({state.graduation.describe()}): "
                    "give a reason to promote them anyway"
                )
            tx.memberships.grant(trainee.id, alias.id, Role.OPERATOR)
            tx.audit.append(
                AuditDraft(
                    "onboarding.promoted",
                    lead.id,
                    alias.id,
                    trainee.name,
                    {
                        "rule_met": state.graduation.met,
                        "progress": state.progress.summary,
                        "graduation": state.graduation.describe(),
                        "reason": reason.strip(),
                    },
                ),
                now,
            )

    def extend(self, who: SignedIn, alias_id: int, operator_name: str, reason: str) -> None:
        """A lead keeps a trainee in training, with a reason; they must meet the rule afresh."""
        if not reason.strip():
            raise InvalidInput("say why the training goes on: the trainee and the audit keep it")
        now = self._clock()
        with self._workspace.transaction() as tx:
            lead, alias = active_operator(tx, who), existing_alias(tx, alias_id)
            lead_of(tx, lead, alias)
            trainee = _trainee(tx, operator_name, alias)
            tx.onboarding.unmark(alias.id, trainee.id, READY)
            tx.audit.append(
                AuditDraft(
                    "onboarding.extended",
                    lead.id,
                    alias.id,
                    trainee.name,
                    {"reason": reason.strip()},
                ),
                now,
            )


def note_if_ready(tx: Transaction, alias: Alias, trainee_id: int, now: datetime) -> None:
    """After a review: when the trainee first meets the rule, tell the leads (through the audit,
    which their screens read) once."""
    trainee = tx.operators.by_id(trainee_id)
    if trainee is None or tx.memberships.role(trainee.id, alias.id) is not Role.TRAINEE:
        return
    state = _state(tx, alias, trainee)
    if state.graduation.met and tx.onboarding.mark(alias.id, trainee.id, READY, now):
        tx.audit.append(
            AuditDraft(
                "onboarding.ready",
                None,
                alias.id,
                trainee.name,
                {"graduation": state.graduation.describe()},
            ),
            now,
        )


def _state(tx: Transaction, alias: Alias, operator: Operator) -> TrackState:
    guide = checking_guide(tx, alias)
    rule = guide.onboarding if guide else Onboarding()
    steps: list[Step] = track(guide)
    done = tx.onboarding.done(alias.id, operator.id)
    state = progress(steps, done, tx.onboarding.practised(alias.id, operator.id), rule)
    reviewed = tx.onboarding.reviewed(alias.id, operator.id, max(rule.approved_in_a_row, 1))
    role = tx.memberships.role(operator.id, alias.id)
    assert role is not None
    return TrackState(
        operator, role, state, Graduation(rule, state.complete, clean_in_a_row(reviewed))
    )


def _member(tx: Transaction, operator_name: str, alias: Alias) -> Operator:
    login = names.login_name(operator_name)
    target = tx.operators.by_name(login)
    if target is None or tx.memberships.role(target.id, alias.id) is None:
        raise NotFound(f"{login} does not work on {alias.handle}")
    return target


def _trainee(tx: Transaction, operator_name: str, alias: Alias) -> Operator:
    target = _member(tx, operator_name, alias)
    if tx.memberships.role(target.id, alias.id) is not Role.TRAINEE:
        raise PermissionDenied(f"{target.name} is not a trainee on {alias.handle}")
    if not target.active:
        raise InvalidInput(f"{target.name} has been deactivated")
    return target
