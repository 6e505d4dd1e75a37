"""Speaking as the alias: writing a reply, queueing it, and approving a trainee's."""

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from cmconsole.domain.checker import Finding
from cmconsole.domain.errors import InvalidInput, NotFound, PermissionDenied
from cmconsole.domain.guide import Severity
from cmconsole.domain.model import Alias, Operator, Post, PostAttempt, PostStatus, Role
from cmconsole.services.checking import Checks, run_checked
from cmconsole.services.claims import hold_claim
from cmconsole.services.guard import (
    SignedIn,
    active_operator,
    existing_alias,
    ready_to_speak,
    role_on,
)
from cmconsole.services.guides import current_guide
from cmconsole.services.onboarding import note_if_ready
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace


class DraftRefused(InvalidInput):
    """The draft breaks a rule the guide calls an error, or is too long: it cannot be queued."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f"{f.rule}: {f.message}" for f in findings))
        self.findings = findings


class WarningsNeedReason(InvalidInput):
    """The draft passes only with a written reason for each of these warnings."""

    def __init__(self, findings: list[Finding]) -> None:
        rules = ", ".join(sorted({f.rule for f in findings}))
        super().__init__(f"give a reason to pass each warning ({rules}), or rewrite the reply")
        self.findings = findings


class PostingService:
    """Turns what an operator writes into a queued post, or one awaiting approval."""

    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def reply(
        self,
        who: SignedIn,
        inbound_id: int,
        text: str,
        overrides: Mapping[str, str] | None = None,
    ) -> Post:
        """Queue a reply to a message from the public; a trainee's waits for approval.

        The draft is checked against the alias's guide: an error refuses it; a warning passes
        only with a reason in `overrides` (by rule id), which the post and the audit keep.
        """
        body = text.strip()
        if not body:
            raise InvalidInput("the reply is empty: write something before sending")
        return run_checked(
            self._workspace,
            lambda tx, checks: self._queue_reply(tx, checks, who, inbound_id, body, overrides),
        )

    def _queue_reply(
        self,
        tx: Transaction,
        checks: Checks,
        who: SignedIn,
        inbound_id: int,
        body: str,
        overrides: Mapping[str, str] | None,
    ) -> Post:
        message = tx.inbound.by_id(inbound_id)
        if message is None:
            raise NotFound(f"there is no message with id {inbound_id}")
        operator = active_operator(tx, who)
        alias = existing_alias(tx, message.alias_id)
        role = role_on(tx, operator, alias)
        shift = ready_to_speak(tx, operator, alias)
        # The reply goes out where the message came from, and is checked as that channel counts.
        speaker = replace(alias, channel=message.channel or alias.channel)
        result = checks.result(tx, speaker, body, operator.initials)  # before any write
        now = self._clock()
        hold_claim(tx, alias, message.author_handle, operator, now)
        guide = current_guide(tx, alias)
        reasons = passed_warnings(result.findings, overrides or {})
        status = (
            PostStatus.QUEUED if role.publishes_without_approval else PostStatus.AWAITING_APPROVAL
        )
        version = guide.version.version if guide else None
        post = tx.posts.add(
            alias.id, operator.id, body, inbound_id, status, now, version, reasons,
            channel=speaker.channel,
        )  # fmt: skip
        tx.audit.append(
            AuditDraft(
                "post.queued" if status is PostStatus.QUEUED else "post.awaiting_approval",
                operator.id,
                alias.id,
                f"post {post.id}",
                {
                    "in_reply_to": message.channel_message_id,
                    "channel": speaker.channel,
                    "shift": shift.id,
                    "guide_version": version,
                    "overrides": reasons,
                },
                content=f"post {post.id}",
            ),
            now,
        )
        audit_overridden(tx, post, operator.id, reasons, now)
        return post

    def approve(
        self,
        who: SignedIn,
        post_id: int,
        edited_text: str | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> Post:
        """Approve a reply waiting for it, as written or edited; the approver must publish freely
        and not be its author. An edit is checked against the guide like any reply."""
        return run_checked(
            self._workspace,
            lambda tx, checks: self._approve(tx, checks, who, post_id, edited_text, overrides),
        )

    def _approve(
        self,
        tx: Transaction,
        checks: Checks,
        who: SignedIn,
        post_id: int,
        edited_text: str | None,
        overrides: Mapping[str, str] | None,
    ) -> Post:
        post, operator, alias = self._reviewable(tx, who, post_id)
        edited = edited_text.strip() if edited_text is not None else None
        if edited == post.text:
            edited = None
        reasons = post.overrides
        if edited is not None:
            if not edited:
                raise InvalidInput("the edited reply is empty")
            author = tx.operators.by_id(post.author_id)
            speaker = replace(alias, channel=post.channel or alias.channel)
            result = checks.result(tx, speaker, edited, author.initials if author else "")
            reasons = passed_warnings(result.findings, overrides or {})
        comment = f"edited by {operator.name}" if edited is not None else None
        if not tx.posts.approve(post.id, operator.id, edited, comment):
            raise InvalidInput(f"post {post.id} is {post.status.value}, not awaiting approval")
        details: dict[str, object] = {"author": post.author_id}
        if edited is not None:
            # No text in the ledger (it could not be erased): the stamps of this event and of the
            # one before hold the salted hashes of the text after and before.
            details.update(text_changed=True, overrides=reasons)
        tx.audit.append(
            AuditDraft(
                "post.approved" if edited is None else "post.edited_and_approved",
                operator.id,
                alias.id,
                f"post {post.id}",
                details,
                content=f"post {post.id}",
            ),
            self._clock(),
        )
        if post.scheduled_for is not None and post.scheduled_for <= self._clock():
            tx.posts.reschedule(post.id, None)  # a missed announcement a lead lets go: now
        note_if_ready(tx, alias, post.author_id, self._clock())
        approved = tx.posts.by_id(post.id)
        assert approved is not None
        return approved

    def reject(self, who: SignedIn, post_id: int, comment: str) -> Post:
        """Send a trainee's reply back with a comment they will read; nothing is published."""
        if not comment.strip():
            raise InvalidInput("say why, for the trainee: a rejection needs a comment")
        with self._workspace.transaction() as tx:
            post, operator, alias = self._reviewable(tx, who, post_id)
            if not tx.posts.reject(post.id, operator.id, comment.strip()):
                raise InvalidInput(f"post {post.id} is {post.status.value}, not awaiting approval")
            tx.audit.append(
                AuditDraft(
                    "post.rejected",
                    operator.id,
                    alias.id,
                    f"post {post.id}",
                    {"author": post.author_id, "comment": comment.strip()},
                    content=f"post {post.id}",  # the reviewer is now its approver
                ),
                self._clock(),
            )
            rejected = tx.posts.by_id(post.id)
            assert rejected is not None
            return rejected

    def awaiting_approval(self, who: SignedIn, alias_id: int) -> list[Post]:
        """Replies waiting for someone to approve them, oldest first."""
        with self._workspace.transaction() as tx:
            role_on(tx, active_operator(tx, who), existing_alias(tx, alias_id))
            return tx.posts.with_status(alias_id, PostStatus.AWAITING_APPROVAL, None, 200)

    @staticmethod
    def _reviewable(tx: Transaction, who: SignedIn, post_id: int) -> tuple[Post, Operator, Alias]:
        post = tx.posts.by_id(post_id)
        if post is None:
            raise NotFound(f"there is no post with id {post_id}")
        operator = active_operator(tx, who)
        alias = existing_alias(tx, post.alias_id)
        role = role_on(tx, operator, alias)
        if not role.publishes_without_approval:
            raise PermissionDenied("a trainee cannot approve or reject posts")
        # A lead's own announcement held because it was missed asks about its time, not its
        # words: the lead may let it go.
        own_missed = post.scheduled_for is not None and role is Role.LEAD
        if post.author_id == operator.id and not own_missed:
            raise PermissionDenied("nobody reviews their own post: ask someone else on shift")
        ready_to_speak(tx, operator, alias)
        return post, operator, alias

    def resend(
        self,
        who: SignedIn,
        post_id: int,
        edited_text: str | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> Post:
        """Send a failed post again, as it was or edited; checked against the guide like any
        reply, and back to approval if a trainee resends it."""
        return run_checked(
            self._workspace,
            lambda tx, checks: self._resend(tx, checks, who, post_id, edited_text, overrides),
        )

    def _resend(
        self,
        tx: Transaction,
        checks: Checks,
        who: SignedIn,
        post_id: int,
        edited_text: str | None,
        overrides: Mapping[str, str] | None,
    ) -> Post:
        post = tx.posts.by_id(post_id)
        if post is None:
            raise NotFound(f"there is no post with id {post_id}")
        operator = active_operator(tx, who)
        alias = existing_alias(tx, post.alias_id)
        role = role_on(tx, operator, alias)
        ready_to_speak(tx, operator, alias)
        if post.status is not PostStatus.FAILED:
            raise InvalidInput(
                f"post {post.id} is {post.status.value}: only a failed post is resent"
            )
        text = (edited_text if edited_text is not None else post.text).strip()
        if not text:
            raise InvalidInput("the reply is empty: write something before sending")
        author = tx.operators.by_id(post.author_id)
        speaker = replace(alias, channel=post.channel or alias.channel)
        result = checks.result(tx, speaker, text, author.initials if author else "")
        reasons = passed_warnings(result.findings, overrides or post.overrides)
        status = (
            PostStatus.QUEUED if role.publishes_without_approval else PostStatus.AWAITING_APPROVAL
        )
        if not tx.posts.resend(post.id, text, status, reasons):
            raise InvalidInput(f"post {post.id} changed meanwhile: look again")
        details: dict[str, object] = {
            "reason_it_failed": post.failure_reason,
            "status": status.value,
        }
        if text != post.text:
            details.update(text_changed=True, overrides=reasons)  # the hashes: in the stamps
        tx.audit.append(
            AuditDraft(
                "post.resent",
                operator.id,
                alias.id,
                f"post {post.id}",
                details,
                content=f"post {post.id}",
            ),
            self._clock(),
        )
        resent = tx.posts.by_id(post.id)
        assert resent is not None
        return resent

    def post(self, who: SignedIn, post_id: int) -> Post:
        """One post of an alias the operator works on, as it is now."""
        with self._workspace.transaction() as tx:
            post = tx.posts.by_id(post_id)
            if post is None:
                raise NotFound(f"there is no post with id {post_id}")
            role_on(tx, active_operator(tx, who), existing_alias(tx, post.alias_id))
            return post

    def outbox(self, who: SignedIn, alias_id: int, limit: int = 200) -> list[Post]:
        """Posts on their way or stuck: queued, sending, unknown, failed; newest first."""
        with self._workspace.transaction() as tx:
            role_on(tx, active_operator(tx, who), existing_alias(tx, alias_id))
            return tx.posts.unsettled(alias_id, limit)

    def attempts(self, who: SignedIn, post_id: int) -> list[PostAttempt]:
        """Every try at publishing the post, oldest first."""
        with self._workspace.transaction() as tx:
            post = tx.posts.by_id(post_id)
            if post is None:
                raise NotFound(f"there is no post with id {post_id}")
            role_on(tx, active_operator(tx, who), existing_alias(tx, post.alias_id))
            return tx.posts.attempts(post_id)

    def posts(self, who: SignedIn, alias_id: int, limit: int = 100) -> list[Post]:
        """The alias's posts, newest first, with their status."""
        with self._workspace.transaction() as tx:
            role_on(tx, active_operator(tx, who), existing_alias(tx, alias_id))
            return tx.posts.for_alias(alias_id, limit)


def passed_warnings(findings: list[Finding], overrides: Mapping[str, str]) -> dict[str, str]:
    """The reasons given for the draft's warnings; refuse errors and unexplained warnings."""
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise DraftRefused(errors)
    warnings = [f for f in findings if f.severity is Severity.WARNING]
    unexplained = [f for f in warnings if not overrides.get(f.rule, "").strip()]
    if unexplained:
        raise WarningsNeedReason(unexplained)
    return {f.rule: overrides[f.rule].strip() for f in warnings}


def audit_overridden(
    tx: Transaction, post: Post, operator_id: int, reasons: Mapping[str, str], now: datetime
) -> None:
    """One audit event per warning its author passed, with the reason given."""
    for rule, reason in reasons.items():
        tx.audit.append(
            AuditDraft(
                "post.warning_overridden",
                operator_id,
                post.alias_id,
                f"post {post.id}",
                {"rule": rule, "reason": reason},
            ),
            now,
        )
