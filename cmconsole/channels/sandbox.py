"""The sandbox channel: a local public square in the workspace database, for demos and training."""

import hashlib
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from cmconsole.domain.errors import WorkspaceUnavailable
from cmconsole.domain.model import Alias, PublicPost
from cmconsole.services.ports import (
    ChannelError,
    ChannelNotAllowed,
    ChannelOutcomeUnknown,
    ChannelRateLimited,
    ChannelUnreachable,
    Clock,
    Published,
    SandboxFault,
    SandboxTimeline,
)

FETCH_LIMIT = 100
# How long a repeated idempotency key returns the post first published with it (Mastodon's).
KEY_KEPT = timedelta(hours=1)


def sandbox_followers(handle: str) -> int:
    """The sandbox's public has no follower graph: an account's count is made from its handle,
    the same on every machine and every run, from 0 to 99,999 (so a demo shows a spread)."""
    digest = hashlib.sha256(handle.strip().lower().encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100_000


class SandboxChannel:
    """Publishes under the alias's own name into the sandbox timeline and reads mentions from it.

    It can be told to fail like a real network and a real platform do, one publish at a time.
    Like Mastodon, it honours idempotency keys (a repeated key within an hour gets the post first
    published with it); with `honour_keys=False` it ignores them, as X does."""

    name = "sandbox"

    def __init__(
        self, timeline: SandboxTimeline, clock: Clock, *, honour_keys: bool = True
    ) -> None:
        self._timeline = timeline
        self._clock = clock
        self._honour_keys = honour_keys
        self._refusal: str | None = None
        self._delay = 0.0
        self._faults: deque[SandboxFault] = deque()
        self._lock = threading.Lock()
        self._pace = threading.Condition()

    def refuse_with(self, reason: str | None) -> None:
        """Make every publish fail with `reason` until called with None (for tests and training)."""
        self._refusal = reason

    def slow_down(self, seconds: float) -> None:
        """Make every publish take `seconds`, as a slow network would; publishes already under
        way take the new pace (a shorter one lets them through at once)."""
        with self._pace:
            self._delay = seconds
            self._pace.notify_all()

    def _keep_pace(self) -> None:
        started = time.monotonic()
        with self._pace:
            while (left := started + self._delay - time.monotonic()) > 0:
                self._pace.wait(left)

    def fail_next(self, fault: SandboxFault, times: int = 1) -> None:
        with self._lock:
            self._faults.extend([fault] * times)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
        self._refusal = None

    def publish(
        self, alias: Alias, text: str, in_reply_to: str | None, idempotency_key: str | None = None
    ) -> Published:
        try:
            return self._publish(alias, text, in_reply_to, idempotency_key)
        except WorkspaceUnavailable as error:
            # The sandbox's "network" is the database: a failure there may come after the post
            # was committed, so what became of it is unknown.
            raise ChannelOutcomeUnknown(
                f"the sandbox, posting as {alias.handle}: {error}"
            ) from None

    def _publish(
        self, alias: Alias, text: str, in_reply_to: str | None, idempotency_key: str | None
    ) -> Published:
        if self._delay:
            self._keep_pace()
        if self._refusal is not None:
            raise ChannelError(self._refusal)
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
        where = f"the sandbox, posting as {alias.handle}"
        if fault is SandboxFault.REFUSE:
            raise ChannelError(f"{where}: refused the post (a fault the sandbox was told to play)")
        if fault is SandboxFault.UNREACHABLE:
            raise ChannelUnreachable(f"{where}: could not connect")
        if fault is SandboxFault.RATE_LIMIT:
            retry_at = self._clock() + timedelta(minutes=1)
            raise ChannelRateLimited(f"{where}: too many requests, wait a minute", retry_at)
        if fault is SandboxFault.NOT_ALLOWED:
            raise ChannelNotAllowed(f"{where}: the account's plan does not include posting")
        if fault is SandboxFault.TIME_OUT:
            raise ChannelOutcomeUnknown(f"{where}: no answer before the timeout")
        key = idempotency_key if self._honour_keys else None
        now = self._clock()
        post = self._timeline.add(
            alias.handle, alias.display_name, text, in_reply_to, now, key, now - KEY_KEPT
        )
        if fault is SandboxFault.LOSE_ANSWER:
            raise ChannelOutcomeUnknown(f"{where}: the connection dropped before the answer")
        return Published(post.channel_post_id, post.published_at)

    def fetch_mentions(self, alias: Alias, since: str | None) -> list[PublicPost]:
        mentions: list[PublicPost] = []
        while page := self._timeline.mentions_of(alias.handle, since, FETCH_LIMIT):
            mentions.extend(page)
            since = page[-1].channel_post_id
        return mentions

    def recent_posts(self, alias: Alias, limit: int) -> list[PublicPost]:
        try:
            return self._timeline.by_author(alias.handle, limit)
        except WorkspaceUnavailable as error:
            raise ChannelUnreachable(str(error)) from None

    def reach(self, alias: Alias, handles: Sequence[str]) -> dict[str, int]:
        self._keep_pace()
        return {handle: sandbox_followers(handle) for handle in handles}

    def published_since(self, alias: Alias, since: datetime) -> Iterator[PublicPost]:
        before: str | None = None
        while True:
            try:
                page = self._timeline.by_author_since(alias.handle, since, before, FETCH_LIMIT)
            except WorkspaceUnavailable as error:
                raise ChannelUnreachable(str(error)) from None
            yield from page
            if len(page) < FETCH_LIMIT:
                return
            before = page[-1].channel_post_id
