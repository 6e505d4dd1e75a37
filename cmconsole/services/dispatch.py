"""The dispatcher: publishes queued posts through their alias's channel, exactly once each."""

import logging
import os
import random
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from cmconsole.domain.model import Alias, Post, PublicPost
from cmconsole.domain.signature import signed_text
from cmconsole.services.announcements import hold_overdue
from cmconsole.services.heartbeat import Heartbeat
from cmconsole.services.ports import (
    AuditDraft,
    Channel,
    ChannelError,
    ChannelNotAllowed,
    ChannelOutcomeUnknown,
    ChannelRateLimited,
    ChannelUnreachable,
    Clock,
    Liveness,
    Published,
    Transaction,
    Workspace,
    channel_for,
)

log = logging.getLogger(__name__)

# Longer than any channel call may take (they time out well before), so a live sender's lease
# never runs out under it; past it, the sender is presumed dead and its post unknown.
LEASE = timedelta(minutes=2)
# A scheduled post published later than this past its time says so in the ledger.
LATE_NOTE_AFTER = timedelta(minutes=1)
RETRY_BASE = timedelta(seconds=5)
RETRY_CAP = timedelta(minutes=15)
# Posts the channel could not be reached for are given up (failed, visible) after this many tries.
MAX_UNREACHABLE_ATTEMPTS = 8
# An unknown outcome is settled by reading the alias's posts back to the attempt's start, less
# this much, in case the channel's clock runs behind ours.
CLOCK_MARGIN = timedelta(minutes=1)
# How many due posts a dispatcher leases at once: their bookkeeping shares transactions, which is
# most of the cost of a send when the channel is quick.
BATCH = 50
# Backoff after a database fault: doubling from the base, capped, with full jitter (seconds).
FAULT_BACKOFF_BASE = 0.5
FAULT_BACKOFF_CAP = 30.0
# No channel call is started unless the lease would outlast it by this much, so a slow batch hands
# its untried posts back instead of overrunning. Longer than any channel call can take: X's worst
# publish is three 5 s connection tries with backoff between them, then a 20 s read, about 45 s.
CALL_ALLOWANCE = timedelta(seconds=60)
# While a batch is being sent, what the channel said is recorded at least this often (seconds),
# so that consoles watching the outbox see each post land.
RECORD_EVERY = 0.5


_LINK = re.compile(r"https?://\S+")


def _comparable(text: str) -> str:
    """Text as a channel may give it back: links shortened (X's t.co), spacing changed."""
    return " ".join(_LINK.sub("<link>", text).split())


def _waiting(why: str, retry_at: datetime) -> str:
    """What a queued post shows while it waits for its next try."""
    return f"{why} (next try {retry_at:%H:%M:%S} UTC)"


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
    author_name: str
    public_text: str
    reply_to: str | None
    lease_until: datetime
    started_at: datetime


def _speaker(sending: _Sending) -> tuple[int, str]:
    """The alias and the channel a post goes out on: what a rate limit or a settling is of."""
    return sending.alias.id, sending.alias.channel


@dataclass(frozen=True)
class _Answer:
    """What the channel said to one post: where it was published, or why not."""

    sending: _Sending
    published: Published | None = None
    error: ChannelError | None = None


class Dispatcher:
    """Sends the outbox. Posts are marked `sending`, with a lease, in a commit of their own before
    the channel is called; a failure whose outcome is unknown, or a lease that ran out because its
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
        liveness: Liveness | None = None,
    ) -> None:
        self._workspace = workspace
        self._channels = channels
        self._clock = clock
        self._jitter = jitter
        self._heart = Heartbeat(liveness, name or dispatcher_name(), clock)
        self._faults = 0

    def run_once(self, limit: int = 100, report: DispatchReport | None = None) -> DispatchReport:
        """Settle what is unknown, then publish up to `limit` queued posts that are due."""
        report = report if report is not None else DispatchReport()
        self.reconcile(report)
        self.dispatch_pending(limit, report)
        self._faults = 0
        return report

    def recover(self) -> float:
        """After a database fault (a connection the server ended, a locked or failing file):
        start afresh under a new name, so that whatever this dispatcher held when it failed is
        settled against the channel like a dead one's, by itself or another; return how long to
        back off (doubling, capped, jittered) before the next pass."""
        self._faults += 1
        self._heart.stop()
        bound = min(FAULT_BACKOFF_CAP, FAULT_BACKOFF_BASE * 2 ** (self._faults - 1))
        return self._jitter(bound / 2, bound)

    def close(self) -> None:
        """Withdraw the liveness signal (a dispatcher that just dies leaves it to fade: the
        others take its posts over once it is gone)."""
        self._heart.stop()

    @property
    def _name(self) -> str:
        return self._heart.name

    def dispatch_pending(
        self, limit: int = 100, report: DispatchReport | None = None
    ) -> list[Post]:
        """Publish up to `limit` queued posts that are due; return them in their new state."""
        report = report if report is not None else DispatchReport()
        self._heart.start()
        done: list[Post] = []
        while len(done) < limit and self._heart.may_send():
            batch = self._take(min(BATCH, limit - len(done)))
            if not batch:
                break
            done.extend(self._send_all(batch, report))
        return done

    def dispatch_post(self, post_id: int, report: DispatchReport | None = None) -> Post | None:
        """Publish this one post now if it is queued and due (the send path: a reply goes out
        without taking the rest of the outbox with it); the post as settled, or None if it was
        not there to take (not due, or another dispatcher holds it)."""
        report = report if report is not None else DispatchReport()
        self._heart.start()
        if not self._heart.may_send():
            return None
        batch = self._take(1, post_id)
        done = self._send_all(batch, report) if batch else []
        return next((post for post in done if post.id == post_id), None)

    def reconcile(self, report: DispatchReport | None = None, limit: int = 100) -> list[Post]:
        """Settle posts whose outcome is unknown, and those whose dispatcher is gone, against
        what the channel published since their attempt began."""
        report = report if report is not None else DispatchReport()
        self._heart.start()
        gone = self._heart.gone()
        settled: list[Post] = []
        while len(settled) < limit and self._heart.may_send():
            now = self._clock()
            with self._workspace.transaction() as tx:
                posts = tx.posts.take_unsettled(
                    now, now + LEASE, self._name, gone, min(BATCH, limit - len(settled))
                )
                started = tx.posts.attempts_started([(post.id, post.attempts) for post in posts])
                sendings = [
                    each
                    for post in posts
                    for each in self._prepare(
                        tx, [post], now + LEASE, started.get(post.id, post.created_at)
                    )
                ]
            if not sendings:
                break
            settled.extend(self._settle(sendings, report))
        return settled

    def _take(self, limit: int, post_id: int | None = None) -> list[_Sending]:
        now = self._clock()
        with self._workspace.transaction() as tx:
            hold_overdue(tx, now)
            posts = tx.posts.take_due(now, now + LEASE, limit, self._name, post_id)
            for alias_id in {post.alias_id for post in posts}:
                tx.desk.changed(alias_id)  # the outbox shows them sending
            return self._prepare(tx, posts, now + LEASE, now)

    def _prepare(
        self, tx: Transaction, posts: list[Post], lease_until: datetime, started_at: datetime
    ) -> list[_Sending]:
        aliases = {each: tx.aliases.by_id(each) for each in {post.alias_id for post in posts}}
        authors = {each: tx.operators.by_id(each) for each in {post.author_id for post in posts}}
        replied = tx.inbound.channel_ids(
            {post.in_reply_to_id for post in posts if post.in_reply_to_id is not None}
        )
        prepared: list[_Sending] = []
        for post in posts:
            alias, author = aliases[post.alias_id], authors[post.author_id]
            assert alias is not None and author is not None
            # The alias as it speaks where this post goes (its credentials are kept per channel).
            alias = replace(alias, channel=post.channel or alias.channel)
            reply_to = replied.get(post.in_reply_to_id) if post.in_reply_to_id else None
            prepared.append(
                _Sending(
                    post,
                    alias,
                    author.name,
                    signed_text(post.text, alias, author),
                    reply_to,
                    lease_until,
                    started_at,
                )
            )
        return prepared

    def _send_all(self, batch: list[_Sending], report: DispatchReport) -> list[Post]:
        """Offer each post of a batch to its channel, recording the answers as they come."""
        done: list[Post] = []
        answers: list[_Answer] = []
        # An alias a channel has just rate-limited is not asked again there in this batch: its
        # other posts on that channel are held back, to wait for the same reset.
        limited: dict[tuple[int, str], ChannelRateLimited] = {}
        held: list[_Sending] = []
        reached = 0
        recorded_at = time.monotonic()
        try:
            for sending in batch:
                if (
                    self._clock() + CALL_ALLOWANCE > sending.lease_until
                    or not self._heart.may_send()
                ):
                    break
                reached += 1
                if _speaker(sending) in limited:
                    held.append(sending)
                    continue
                answer = self._call(sending)
                if isinstance(answer.error, ChannelRateLimited):
                    limited[_speaker(sending)] = answer.error
                answers.append(answer)
                if time.monotonic() - recorded_at >= RECORD_EVERY:
                    done.extend(self._record(answers, report))
                    answers, recorded_at = [], time.monotonic()
            done.extend(self._record(answers, report))
        finally:
            # Whatever happened, the posts never offered to the channel go back to the queue at
            # once rather than wait out the lease. (Those offered but not recorded, if something
            # failed, keep it: they are settled against the channel once it runs out.)
            done.extend(self._give_back(batch[reached:], held, limited, report))
        return done

    def _call(self, sending: _Sending) -> _Answer:
        try:
            channel, alias = channel_for(self._channels, sending.alias)
            published = channel.publish(
                alias,
                sending.public_text,
                sending.reply_to,
                sending.post.idempotency_key or f"cmconsole-post-{sending.post.id}",
            )
        except ChannelError as error:
            return _Answer(sending, error=error)
        return _Answer(sending, published=published)

    def _give_back(
        self,
        untried: list[_Sending],
        held: list[_Sending],
        limited: dict[tuple[int, str], ChannelRateLimited],
        report: DispatchReport,
    ) -> list[Post]:
        if not untried and not held:
            return []
        with self._workspace.transaction() as tx:
            for alias_id in {sending.alias.id for sending in [*untried, *held]}:
                tx.desk.changed(alias_id)  # the outbox shows them queued again, maybe with why
            tx.posts.give_back([sending.post for sending in untried])
            waiting: list[Post] = []
            for speaker, error in limited.items():
                posts = [sending.post for sending in held if _speaker(sending) == speaker]
                if posts:
                    reason = _waiting(f"not tried: {error}", error.retry_at)
                    waiting.extend(tx.posts.give_back(posts, error.retry_at, reason))
        report.delayed.extend(waiting)
        return waiting

    def _record(self, answers: list[_Answer], report: DispatchReport) -> list[Post]:
        """Record what the channel said to each post, in one transaction; then settle those
        whose outcome is unknown."""
        if not answers:
            return []
        now = self._clock()
        done: list[Post] = []
        unknown: list[_Sending] = []
        with self._workspace.transaction() as tx:
            # The published, which are most of them, in a few statements for the lot.
            events, done = self._all_published(tx, answers, now, report)
            for answer in answers:
                if answer.published is not None:
                    continue
                post, event = self._recorded(tx, answer, now, report)
                if event is not None:
                    events.append(event)
                if event is not None and event.kind == "post.outcome_unknown":
                    unknown.append(answer.sending)
                else:
                    done.append(post)
            tx.audit.append_all(events, now)
        if unknown:
            log.warning("outcome unknown for %d post(s): settling them first", len(unknown))
            done.extend(self._settle(unknown, report))
        return done

    def _all_published(
        self, tx: Transaction, answers: list[_Answer], now: datetime, report: DispatchReport
    ) -> tuple[list[AuditDraft], list[Post]]:
        """Record every answer that says "published" (skipping posts another dispatcher settled
        meanwhile): the posts, their attempts and their audit events, each in one statement."""
        published = [(answer.sending, answer.published) for answer in answers if answer.published]
        sent = tx.posts.mark_published_all(
            [
                (sending.post.id, sending.post.attempts, what.channel_post_id, what.published_at)
                for sending, what in published
            ]
        )
        events: list[AuditDraft] = []
        done: list[Post] = []
        finished: list[tuple[int, int, str, str | None]] = []
        for sending, what in published:
            post = sending.post
            recorded = sent.get(post.id)
            if recorded is None:
                done.append(self._as_it_stands(tx, post))
                continue
            finished.append((post.id, post.attempts, "published", what.channel_post_id))
            report.published.append(recorded)
            done.append(recorded)
            events.append(self._published_event(sending, what.channel_post_id))
        tx.posts.finish_attempts(finished, now)
        return events, done

    def _published_event(self, sending: _Sending, channel_post_id: str) -> AuditDraft:
        post = sending.post
        details: dict[str, object] = {
            "channel": sending.alias.channel,  # where it was said: the alias's are several
            "channel_post_id": channel_post_id,
            "author": sending.author_name,
            "by": self._name,
            "approver": post.approver_id,
        }
        if post.scheduled_for is not None:
            late = sending.started_at - post.scheduled_for
            if late > LATE_NOTE_AFTER:
                details["late_by_minutes"] = int(late.total_seconds() // 60)
        return AuditDraft(
            "post.published",
            post.author_id,
            post.alias_id,
            f"post {post.id}",
            details,
            content=f"post {post.id}",
        )

    def _recorded(
        self, tx: Transaction, answer: _Answer, now: datetime, report: DispatchReport
    ) -> tuple[Post, AuditDraft | None]:
        """Record one answer that is not "published"; return the post as recorded and the audit
        event to append (None if another dispatcher settled the post meanwhile, so nothing is
        recorded twice)."""
        post, error = answer.sending.post, answer.error
        assert error is not None
        if isinstance(error, ChannelOutcomeUnknown):
            # Still held (afresh) by this dispatcher, which settles it right after this commit.
            marked = tx.posts.mark_unknown(post.id, post.attempts, str(error), now + LEASE)
            return self._closed(
                tx,
                post,
                marked,
                "post.outcome_unknown",
                "unknown",
                str(error),
                now,
                None,
            )
        if isinstance(error, ChannelRateLimited):
            return self._delayed(tx, post, error, error.retry_at, now, report)
        if isinstance(error, ChannelUnreachable) and post.attempts < MAX_UNREACHABLE_ATTEMPTS:
            return self._delayed(
                tx, post, error, self._clock() + self._backoff(post.attempts), now, report
            )
        if isinstance(error, ChannelUnreachable):
            reason = f"gave up after {post.attempts} tries: {error}"
            outcome = "failed"
        else:
            reason = str(error)
            outcome = "not_allowed" if isinstance(error, ChannelNotAllowed) else "failed"
        log.warning("post %s failed: %s", post.id, reason)
        return self._closed(
            tx,
            post,
            tx.posts.mark_failed(post.id, post.attempts, reason),
            "post.failed",
            outcome,
            reason,
            now,
            report.failed,
        )

    def _published(
        self,
        tx: Transaction,
        sending: _Sending,
        channel_post_id: str,
        published_at: datetime,
        now: datetime,
        report: DispatchReport,
        outcome: str = "published",
    ) -> tuple[Post, AuditDraft | None]:
        post = sending.post
        sent = tx.posts.mark_published(post.id, post.attempts, channel_post_id, published_at)
        if sent is None:
            return self._as_it_stands(tx, post), None
        tx.posts.finish_attempt(post.id, post.attempts, outcome, channel_post_id, now)
        (report.reconciled if outcome == "found" else report.published).append(sent)
        return sent, self._published_event(sending, channel_post_id)

    def _delayed(
        self,
        tx: Transaction,
        post: Post,
        error: ChannelError,
        retry_at: datetime,
        now: datetime,
        report: DispatchReport,
    ) -> tuple[Post, AuditDraft | None]:
        delayed = tx.posts.requeue(post.id, post.attempts, retry_at, _waiting(str(error), retry_at))
        if delayed is None:
            return self._as_it_stands(tx, post), None
        tx.posts.finish_attempt(post.id, post.attempts, "delayed", str(error), now)
        report.delayed.append(delayed)
        return delayed, AuditDraft(
            "post.delayed",
            post.author_id,
            post.alias_id,
            f"post {post.id}",
            {"reason": str(error), "retry_at": retry_at.isoformat(), "by": self._name},
        )

    def _closed(
        self,
        tx: Transaction,
        post: Post,
        marked: Post | None,
        kind: str,
        outcome: str,
        reason: str,
        now: datetime,
        bucket: list[Post] | None,
    ) -> tuple[Post, AuditDraft | None]:
        """A post marked failed or unknown (`marked`, None if it was no longer ours to mark)."""
        if marked is None:
            return self._as_it_stands(tx, post), None
        tx.posts.finish_attempt(post.id, post.attempts, outcome, reason, now)
        if bucket is not None:
            bucket.append(marked)
        return marked, AuditDraft(
            kind,
            post.author_id,
            post.alias_id,
            f"post {post.id}",
            {"reason": reason, "by": self._name},
        )

    @staticmethod
    def _as_it_stands(tx: Transaction, post: Post) -> Post:
        # Another dispatcher settled it meanwhile (this one outlived its lease): what it recorded
        # stands, and nothing is recorded twice.
        current = tx.posts.by_id(post.id)
        assert current is not None
        return current

    def _settle(self, sendings: list[_Sending], report: DispatchReport) -> list[Post]:
        """Look for each post among all its alias published since its attempt began (by its
        public text and reply target), one read of the channel per alias: published if there,
        queued again if not, still unknown if the channel cannot be read."""
        settled: list[Post] = []
        by_alias: dict[tuple[int, str], list[_Sending]] = {}
        for sending in sendings:
            by_alias.setdefault(_speaker(sending), []).append(sending)
        for group in by_alias.values():
            alias = group[0].alias
            wanted = {(_comparable(each.public_text), each.reply_to) for each in group}
            since = min(each.started_at for each in group) - CLOCK_MARGIN
            candidates: dict[tuple[str, str | None], list[PublicPost]] = {}
            try:
                channel, alias = channel_for(self._channels, alias)
                for public in channel.published_since(alias, since):
                    key = (_comparable(public.text), public.in_reply_to)
                    if key in wanted:
                        candidates.setdefault(key, []).append(public)
            except ChannelError as error:
                # Still unknown: left leased out, to be settled on a later pass.
                log.warning("posts of %s: could not settle yet: %s", alias.handle, error)
                with self._workspace.transaction() as tx:
                    unsettled = [self._as_it_stands(tx, each.post) for each in group]
                report.unknown.extend(unsettled)
                settled.extend(unsettled)
                continue
            settled.extend(self._settle_found(group, candidates, report))
        return settled

    def _settle_found(
        self,
        group: list[_Sending],
        candidates: dict[tuple[str, str | None], list[PublicPost]],
        report: DispatchReport,
    ) -> list[Post]:
        """Record, in one transaction, what the channel showed of each post of one alias."""
        now = self._clock()
        settled: list[Post] = []
        requeued: list[Post] = []
        events: list[AuditDraft] = []
        claimed: set[str] = set()
        with self._workspace.transaction() as tx:
            for sending in group:
                post = sending.post
                key = (_comparable(sending.public_text), sending.reply_to)
                found = [
                    each
                    for each in candidates.get(key, [])
                    if each.published_at >= sending.started_at - CLOCK_MARGIN
                    and each.channel_post_id not in claimed
                    and not tx.posts.by_channel_id(each.channel_post_id)
                ]
                if found:
                    first = min(found, key=lambda each: each.published_at)
                    claimed.add(first.channel_post_id)
                    done, event = self._published(
                        tx, sending, first.channel_post_id, first.published_at, now, report, "found"
                    )
                    if event is not None:
                        details = {"found": True, "by": self._name}
                        details["channel_post_id"] = first.channel_post_id
                        events += [self._reconciled(post, details), event]
                    settled.append(done)
                    continue
                again = tx.posts.requeue(
                    post.id, post.attempts, None, "not published: sent again after checking"
                )
                if again is None:
                    settled.append(self._as_it_stands(tx, post))
                    continue
                tx.posts.finish_attempt(post.id, post.attempts, "not_found", None, now)
                details = {"found": False, "by": self._name, "then": "queued again"}
                events.append(self._reconciled(post, details))
                requeued.append(again)
            tx.audit.append_all(events, now)
        report.reconciled.extend(requeued)
        return settled + requeued

    @staticmethod
    def _reconciled(post: Post, details: dict[str, object]) -> AuditDraft:
        return AuditDraft(
            "post.reconciled", post.author_id, post.alias_id, f"post {post.id}", details
        )

    def _backoff(self, attempts: int) -> timedelta:
        """Exponential backoff with full jitter: a random wait up to a doubling, capped bound."""
        bound = min(
            RETRY_CAP.total_seconds(), RETRY_BASE.total_seconds() * 2 ** max(attempts - 1, 0)
        )
        return timedelta(seconds=self._jitter(0, bound))
