"""The sandbox channel: a local public square in the workspace database, for demos and training."""

import time

from cmconsole.domain.model import Alias, PublicPost
from cmconsole.services.ports import ChannelError, Clock, Published, SandboxTimeline

FETCH_LIMIT = 100


class SandboxChannel:
    """Publishes under the alias's own name into the sandbox timeline and reads mentions from it."""

    name = "sandbox"

    def __init__(self, timeline: SandboxTimeline, clock: Clock) -> None:
        self._timeline = timeline
        self._clock = clock
        self._refusal: str | None = None
        self._delay = 0.0

    def refuse_with(self, reason: str | None) -> None:
        """Make every publish fail with `reason` until called with None (for tests and training)."""
        self._refusal = reason

    def slow_down(self, seconds: float) -> None:
        """Make every publish take `seconds`, as a slow network would."""
        self._delay = seconds

    def publish(self, alias: Alias, text: str, in_reply_to: str | None) -> Published:
        if self._delay:
            time.sleep(self._delay)
        if self._refusal is not None:
            raise ChannelError(self._refusal)
        post = self._timeline.add(
            alias.handle, alias.display_name, text, in_reply_to, self._clock()
        )
        return Published(post.channel_post_id, post.published_at)

    def fetch_mentions(self, alias: Alias, since: str | None) -> list[PublicPost]:
        return self._timeline.mentions_of(alias.handle, since, FETCH_LIMIT)

    def recent_posts(self, alias: Alias, limit: int) -> list[PublicPost]:
        return self._timeline.by_author(alias.handle, limit)
