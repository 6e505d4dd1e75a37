"""The dispatcher: publishes queued posts through their alias's channel, exactly once each."""

import logging
import os
import random
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cmconsole.domain.model import Alias, Post
from cmconsole.domain.signature import signed_text
from cmconsole.services.ports import (
    AuditDraft,
    Channel,
    ChannelError,
    ChannelNotAllowed,
    ChannelOutcomeUnknown,
    ChannelRateLimited,
    ChannelUnreachable,
    Clock,
    Transaction,
    Workspace,
    channel_for,
)

log = logging.getLogger(__name__)

# Longer than any channel call may take (they time out well before), so a live sender's lease
# never runs out under it; past it, the sender is presumed dead and its post unknown.
LEASE = timedelta(minutes=2)
RETRY_BASE = timedelta(seconds=5)
RETRY_CAP = timedelta(minutes=15)
# Posts the channel could not be reached for are given up (failed, visible) after this many tries.
MAX_UNREACHABLE_ATTEMPTS = 8
# How many of the alias's own recent posts are read to settle an unknown outcome.
RECONCILE_WINDOW = 100


_LINK = re.compile(r"https?://\S+")


def _comparable(text: str) -> str:
    """Text as a channel may give it back: links shortened (X's t.co), spacing changed."""
    return " ".join(_LINK.sub("<link>", text).split())


def dispatcher_name() -> str:
    """Which machine and process holds a send, for the attempt log."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class DispatchReport:
    """What one pass of the dispatcher did."""

    published: list[Post] = field(default_factory=list)
    failed: list[Post] = field(default_factory=list)
    delayed: list[Post] = field(default_factory=list)
    unknown: list[Post] = field(default_factory=list)
    reconciled: list[Post] = field(default_factory=list)

    @property
    def settled(self) -> list[Post]:
        return [*self.published, *self.failed, *self.delayed, *self.unknown]


@dataclass(frozen=True)
class _Sending:
    post: Post
    alias: Alias
    public_text: str
    reply_to: str | None


class Dispatcher:
    """Sends the outbox. A post is marked `sending`, with a lease, in its own commit before the
    channel is called; a failure whose outcome is unknown, or a lease that ran out because its
    dispatcher died, is settled against what the channel shows before the post is ever sent again.
    """

    def __init__(
        self,
        workspace: Workspace,
        channels: dict[str, Channel],
        clock: Clock,
        *,
        name: str | None = None,
        jitter: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self._workspace = workspace
        self._channels = channels
        self._clock = clock
        self._name = name or dispatcher_name()
        self._jitter = jitter

    def run_once(self, limit: int = 100) -> DispatchReport:
        """Settle what is unknown, then publish up to `limit` queued posts that are due."""
        report = DispatchReport()
        self.reconcile(report)
        self.dispatch_pending(limit, report)
        return report

    def dispatch_pending(
        self, limit: int = 100, report: DispatchReport | None = None
    ) -> list[Post]:
        """Publish up to `limit` queued posts that are due; return them in their new state."""
        report = report if report is not None else DispatchReport()
        done: list[Post] = []
        for _ in range(limit):
            sending = self._take_next()
            if sending is None:
                break
            done.append(self._send(sending, report))
        return done

    def reconcile(self, report: DispatchReport | None = None, limit: int = 100) -> list[Post]:
        """Settle posts whose outcome is unknown against the channel's recent posts."""
        report = report if report is not None else DispatchReport()
        settled: list[Post] = []
        for _ in range(limit):
            now = self._clock()
            with self._workspace.transaction() as tx:
                post = tx.posts.take_unsettled(now, now + LEASE)
                if post is None:
                    break
                sending = self._prepare(tx, post)
            settled.append(self._settle(sending, report))
        return settled

    def _take_next(self) -> _Sending | None:
        now = self._clock()
        with self._workspace.transaction() as tx:
            post = tx.posts.take_next_queued(now, now + LEASE)
            if post is None:
                return None
            tx.posts.start_attempt(post.id, post.attempts, self._name, now)
            return self._prepare(tx, post)

    def _prepare(self, tx: Transaction, post: Post) -> _Sending:
        alias = tx.aliases.by_id(post.alias_id)
        author = tx.operators.by_id(post.author_id)
        reply_to = tx.inbound.by_id(post.in_reply_to_id) if post.in_reply_to_id else None
        assert alias is not None and author is not None
        return _Sending(
            post,
            alias,
            signed_text(post.text, alias, author),
            reply_to.channel_message_id if reply_to else None,
        )

    def _send(self, sending: _Sending, report: DispatchReport) -> Post:
        post, alias = sending.post, sending.alias
        try:
            published = channel_for(self._channels, alias).publish(
                alias, sending.public_text, sending.reply_to
            )
        except ChannelOutcomeUnknown as error:
            self._finish(post, "post.outcome_unknown", "unknown", str(error))
            log.warning("post %s: outcome unknown, settling it first: %s", post.id, error)
            return self._settle(sending, report)
        except ChannelRateLimited as error:
            return self._delay(post, error, error.retry_at, report)
        except ChannelUnreachable as error:
            if post.attempts >= MAX_UNREACHABLE_ATTEMPTS:
                reason = f"gave up after {post.attempts} tries: {error}"
                return self._finish(post, "post.failed", "failed", reason, report.failed)
            return self._delay(post, error, self._clock() + self._backoff(post.attempts), report)
        except ChannelError as error:
            outcome = "not_allowed" if isinstance(error, ChannelNotAllowed) else "failed"
            return self._finish(post, "post.failed", outcome, str(error), report.failed)
        return self._record_published(
            post, alias, published.channel_post_id, published.published_at, report, "published"
        )

    def _settle(self, sending: _Sending, report: DispatchReport) -> Post:
        """Find the post among the alias's recent ones: published if there, queued again if not."""
        post, alias = sending.post, sending.alias
        try:
            recent = channel_for(self._channels, alias).recent_posts(alias, RECONCILE_WINDOW)
        except ChannelError as error:
            # Still unknown: leave it leased out, to be settled on a later pass.
            log.warning("post %s: could not settle yet: %s", post.id, error)
            with self._workspace.transaction() as tx:
                unsettled = tx.posts.by_id(post.id)
            assert unsettled is not None
            report.unknown.append(unsettled)
            return unsettled
        wanted = _comparable(sending.public_text)
        matches = [
            each
            for each in recent
            if _comparable(each.text) == wanted and each.in_reply_to == sending.reply_to
        ]
        with self._workspace.transaction() as tx:
            claimed = {
                each.channel_post_id
                for each in matches
                if tx.posts.by_channel_id(each.channel_post_id)
            }
        found = [each for each in matches if each.channel_post_id not in claimed]
        if found:
            first = min(found, key=lambda each: each.published_at)
            return self._record_published(
                post, alias, first.channel_post_id, first.published_at, report, "found"
            )
        now = self._clock()
        with self._workspace.transaction() as tx:
            tx.posts.requeue(post.id, None, "not published: sent again after checking")
            tx.posts.finish_attempt(post.id, post.attempts, "not_found", None, now)
            tx.audit.append(
                AuditDraft(
                    "post.reconciled",
                    post.author_id,
                    alias.id,
                    f"post {post.id}",
                    {"found": False, "by": self._name, "then": "queued again"},
                ),
                now,
            )
            requeued = tx.posts.by_id(post.id)
        assert requeued is not None
        report.reconciled.append(requeued)
        return requeued

    def _record_published(
        self,
        post: Post,
        alias: Alias,
        channel_post_id: str,
        published_at: datetime,
        report: DispatchReport,
        outcome: str,
    ) -> Post:
        now = self._clock()
        with self._workspace.transaction() as tx:
            if not tx.posts.mark_published(post.id, channel_post_id, published_at):
                # Another dispatcher settled it meanwhile (this one outlived its lease): what it
                # recorded stands, and nothing is recorded twice.
                current = tx.posts.by_id(post.id)
                assert current is not None
                return current
            tx.posts.finish_attempt(post.id, post.attempts, outcome, channel_post_id, now)
            author = tx.operators.by_id(post.author_id)
            details: dict[str, object] = {
                "channel_post_id": channel_post_id,
                "author": author.name if author else None,
                "by": self._name,
                "approver": post.approver_id,
                "text": post.text,
            }
            if outcome == "found":
                tx.audit.append(
                    AuditDraft(
                        "post.reconciled",
                        post.author_id,
                        alias.id,
                        f"post {post.id}",
                        {"found": True, "by": self._name, "channel_post_id": channel_post_id},
                    ),
                    now,
                )
            tx.audit.append(
                AuditDraft("post.published", post.author_id, alias.id, f"post {post.id}", details),
                now,
            )
            sent = tx.posts.by_id(post.id)
        assert sent is not None
        (report.reconciled if outcome == "found" else report.published).append(sent)
        return sent

    def _delay(
        self, post: Post, error: ChannelError, retry_at: datetime, report: DispatchReport
    ) -> Post:
        now = self._clock()
        reason = f"{error} (next try {retry_at:%H:%M:%S} UTC)"
        with self._workspace.transaction() as tx:
            tx.posts.requeue(post.id, retry_at, reason)
            tx.posts.finish_attempt(post.id, post.attempts, "delayed", str(error), now)
            tx.audit.append(
                AuditDraft(
                    "post.delayed",
                    post.author_id,
                    post.alias_id,
                    f"post {post.id}",
                    {"reason": str(error), "retry_at": retry_at.isoformat(), "by": self._name},
                ),
                now,
            )
            delayed = tx.posts.by_id(post.id)
        assert delayed is not None
        report.delayed.append(delayed)
        return delayed

    def _finish(
        self, post: Post, kind: str, outcome: str, reason: str, bucket: list[Post] | None = None
    ) -> Post:
        now = self._clock()
        with self._workspace.transaction() as tx:
            if kind == "post.failed":
                tx.posts.mark_failed(post.id, reason)
            else:
                tx.posts.mark_unknown(post.id, reason)
            tx.posts.finish_attempt(post.id, post.attempts, outcome, reason, now)
            tx.audit.append(
                AuditDraft(
                    kind,
                    post.author_id,
                    post.alias_id,
                    f"post {post.id}",
                    {"reason": reason, "by": self._name},
                ),
                now,
            )
            finished = tx.posts.by_id(post.id)
        assert finished is not None
        if kind == "post.failed":
            log.warning("post %s failed: %s", post.id, reason)
        if bucket is not None:
            bucket.append(finished)
        return finished

    def _backoff(self, attempts: int) -> timedelta:
        """Exponential backoff with full jitter: a random wait up to a doubling, capped bound."""
        bound = min(
            RETRY_CAP.total_seconds(), RETRY_BASE.total_seconds() * 2 ** max(attempts - 1, 0)
        )
        return timedelta(seconds=self._jitter(0, bound))
