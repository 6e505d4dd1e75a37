"""Speaking first: an announcement the alias publishes now or at a set time, through the same
guide check, approval, outbox and ledger as a reply; leads move or call off what is scheduled."""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cmconsole.domain.errors import HandoversUnread, InvalidInput, NotFound
from cmconsole.domain.model import Alias, Post, PostStatus
from cmconsole.services.checking import Checks, run_checked
from cmconsole.services.guard import (
    SignedIn,
    active_operator,
    existing_alias,
    lead_of,
    role_on,
    unread_guide,
)
from cmconsole.services.guides import current_guide
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace
from cmconsole.services.posting import audit_overridden, passed_warnings

# An alias's late-hold limit: from publishing only on time to a week late.
LATE_HOLD_RANGE = range(0, 7 * 24 * 60 + 1)
# How a scheduled time is written and shown, on the alias's clock.
WALL_FORMAT = "%Y-%m-%d %H:%M"


def on_alias_clock(alias: Alias, when: str) -> datetime:
    """A time written on the alias's clock ("2026-12-08 09:30") as an aware datetime."""
    try:
        wall = datetime.strptime(when.strip(), WALL_FORMAT)
    except ValueError:
        raise InvalidInput(
            f"say when as YYYY-MM-DD HH:MM on {alias.handle}'s clock ({alias.time_zone}), "
            f"not {when.strip()!r}"
        ) from None
    return wall.replace(tzinfo=ZoneInfo(alias.time_zone))


def alias_clock_text(alias: Alias, at: datetime) -> str:
    """`at` as the alias's clock shows it."""
    return at.astimezone(ZoneInfo(alias.time_zone)).strftime(WALL_FORMAT)


class AnnouncementService:
    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def announce(
        self,
        who: SignedIn,
        alias_id: int,
        text: str,
        at: datetime | None = None,
        overrides: Mapping[str, str] | None = None,
        channel: str | None = None,
    ) -> Post:
        """Queue an original post (no reply to anyone) on `channel` (the alias's own by
        default), now or at `at`; a trainee's waits for approval. The guide checks it as it
        checks a reply; the writer must have read the guide."""
        return self.announce_on(who, alias_id, text, [channel] if channel else [], at, overrides)[0]

    def announce_on(
        self,
        who: SignedIn,
        alias_id: int,
        text: str,
        channels: Sequence[str],
        at: datetime | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> list[Post]:
        """Queue the same announcement on each of these channels of the alias (its own if none),
        one post each, in one transaction: each is checked against its channel's length, and
        none is queued unless all pass."""
        body = text.strip()
        if not body:
            raise InvalidInput("the announcement is empty: write something first")
        if at is not None and at.tzinfo is None:
            raise InvalidInput("a scheduled time needs a time zone")
        return run_checked(
            self._workspace,
            lambda tx, checks: self._announce(
                tx, checks, who, alias_id, body, channels, at, overrides
            ),
        )

    def _announce(
        self,
        tx: Transaction,
        checks: Checks,
        who: SignedIn,
        alias_id: int,
        body: str,
        channels: Sequence[str],
        at: datetime | None,
        overrides: Mapping[str, str] | None,
    ) -> list[Post]:
        operator = active_operator(tx, who)
        alias = existing_alias(tx, alias_id)
        role = role_on(tx, operator, alias)
        if unread_guide(tx, operator, alias) is not None:
            raise HandoversUnread(0, alias.handle, guide=True)
        now = self._clock()
        if at is not None and at <= now:
            raise InvalidInput("that time has passed: leave the time out to publish now")
        speaks_on = tx.aliases.channels(alias.id)
        wanted = list(dict.fromkeys(channels)) or [alias.channel]
        unknown = [each for each in wanted if each not in speaks_on]
        if unknown:
            raise InvalidInput(
                f"{alias.handle} does not speak on {', '.join(unknown)} "
                f"(it speaks on {', '.join(speaks_on)})"
            )
        # Every channel's check before any write: a post too long for one queues none.
        speakers = [replace(alias, channel=each) for each in wanted]
        results = [checks.result(tx, each, body, operator.initials) for each in speakers]
        status = (
            PostStatus.QUEUED if role.publishes_without_approval else PostStatus.AWAITING_APPROVAL
        )
        guide = current_guide(tx, alias)
        version = guide.version.version if guide else None
        kind = "post.queued" if status is PostStatus.QUEUED else "post.awaiting_approval"
        posts: list[Post] = []
        for speaker, result in zip(speakers, results, strict=True):
            reasons = passed_warnings(result.findings, overrides or {})
            post = tx.posts.add(
                alias.id, operator.id, body, None, status, now, version, reasons, at,
                channel=speaker.channel,
            )  # fmt: skip
            details: dict[str, object] = {
                "guide_version": version,
                "overrides": reasons,
                "channel": speaker.channel,
            }
            if at is not None:
                details["scheduled_for"] = at.isoformat()
            tx.audit.append(
                AuditDraft(
                    kind, operator.id, alias.id, f"post {post.id}", details, f"post {post.id}"
                ),
                now,
            )
            audit_overridden(tx, post, operator.id, reasons, now)
            posts.append(post)
        tx.desk.changed(alias.id)
        return posts

    def scheduled(self, who: SignedIn, alias_id: int, limit: int = 200) -> list[Post]:
        """What the alias will say later, soonest first (queued or waiting for approval)."""
        with self._workspace.transaction() as tx:
            role_on(tx, active_operator(tx, who), existing_alias(tx, alias_id))
            return tx.posts.scheduled(alias_id, limit)

    def reschedule(self, who: SignedIn, post_id: int, at: datetime) -> Post:
        """Move a scheduled announcement to another time (a lead's call)."""
        if at.tzinfo is None:
            raise InvalidInput("a scheduled time needs a time zone")
        with self._workspace.transaction() as tx:
            post = self._leads_scheduled(tx, who, post_id, "move")
            now = self._clock()
            if at <= now:
                raise InvalidInput("that time has passed: pick a time to come")
            moved = tx.posts.reschedule(post.id, at)
            if moved is None:
                raise InvalidInput(f"post {post.id} is on its way already: it cannot be moved")
            previous = post.scheduled_for.isoformat() if post.scheduled_for else None
            tx.audit.append(
                AuditDraft(
                    "post.rescheduled",
                    who.operator_id,
                    post.alias_id,
                    f"post {post.id}",
                    {"scheduled_for": at.isoformat(), "previous": previous},
                ),
                now,
            )
            tx.desk.changed(post.alias_id)
            return moved

    def cancel(self, who: SignedIn, post_id: int, reason: str) -> Post:
        """Call off a scheduled announcement before it goes out (a lead's call, with a reason)."""
        if not reason.strip():
            raise InvalidInput("say why, for the team: calling an announcement off needs a reason")
        with self._workspace.transaction() as tx:
            post = self._leads_scheduled(tx, who, post_id, "call off")
            cancelled = tx.posts.cancel(post.id)
            if cancelled is None:
                raise InvalidInput(f"post {post.id} is on its way already: it cannot be called off")
            tx.audit.append(
                AuditDraft(
                    "post.cancelled",
                    who.operator_id,
                    post.alias_id,
                    f"post {post.id}",
                    {"reason": reason.strip()},
                ),
                self._clock(),
            )
            tx.desk.changed(post.alias_id)
            return cancelled

    def set_late_hold(self, who: SignedIn, alias_id: int, minutes: int) -> int:
        """How late an announcement may go out on its own (missed while no dispatcher ran);
        later than that, it waits for a lead. A lead's setting."""
        if minutes not in LATE_HOLD_RANGE:
            raise InvalidInput(f"the late-hold limit is 0 to {LATE_HOLD_RANGE[-1]} minutes")
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            lead_of(tx, operator, alias)
            tx.aliases.set_late_hold(alias.id, minutes)
            tx.audit.append(
                AuditDraft(
                    "alias.late_hold_set",
                    operator.id,
                    alias.id,
                    alias.handle,
                    {"minutes": minutes, "previous": alias.late_hold_minutes},
                ),
                self._clock(),
            )
            return minutes

    @staticmethod
    def _leads_scheduled(tx: Transaction, who: SignedIn, post_id: int, action: str) -> Post:
        post = tx.posts.by_id(post_id)
        if post is None:
            raise NotFound(f"there is no post with id {post_id}")
        operator = active_operator(tx, who)
        alias = existing_alias(tx, post.alias_id)
        lead_of(tx, operator, alias)
        if post.scheduled_for is None:
            raise InvalidInput(f"post {post.id} is not scheduled: there is nothing to {action}")
        return post


def hold_overdue(tx: Transaction, now: datetime) -> None:
    """Announcements missed by more than their alias allows (no dispatcher ran at their time)
    go back to a lead rather than out of the blue; run by each dispatcher before it takes posts."""
    for post, minutes in tx.posts.overdue(now):
        assert post.scheduled_for is not None
        late = now - post.scheduled_for
        if late <= timedelta(minutes=minutes):
            continue
        late_by = int(late.total_seconds() // 60)
        comment = (
            f"missed its time ({post.scheduled_for:%Y-%m-%d %H:%M} UTC) by {late_by} min, "
            f"more than the {minutes} this alias allows: approve to publish it now"
        )
        if tx.posts.hold(post.id, comment) is None:
            continue
        details = {"scheduled_for": post.scheduled_for.isoformat(), "late_by_minutes": late_by}
        tx.audit.append(
            AuditDraft("post.held_late", None, post.alias_id, f"post {post.id}", details), now
        )
        tx.desk.changed(post.alias_id)
