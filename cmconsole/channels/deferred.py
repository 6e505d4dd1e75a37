"""A channel built on first use, so that its libraries load only when an alias speaks on it."""

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Alias, PublicPost
from cmconsole.services.ports import Channel, ChannelError, Published

log = logging.getLogger(__name__)


class DeferredChannel:
    """Stands in for the channel `build` makes, and makes it the first time it is used."""

    def __init__(self, name: str, build: Callable[[], Channel]) -> None:
        self.name = name
        self._build = build
        self._channel: Channel | None = None
        self._lock = threading.Lock()

    def _built(self) -> Channel:
        with self._lock:  # the console's workers and the dispatcher may arrive together
            if self._channel is None:
                try:
                    self._channel = self._build()
                except CmconsoleError:
                    raise
                except Exception as error:
                    # A library missing or broken on this machine: the post fails (or stays
                    # unknown) with a reason, like any channel failure, instead of stopping the
                    # dispatcher for every alias. The message itself goes to the log only.
                    log.exception("the %s channel could not be loaded", self.name)
                    raise ChannelError(
                        f"the {self.name} channel could not be loaded on this machine "
                        f"({type(error).__name__}; the log has the details)"
                    ) from None
            return self._channel

    def publish(
        self, alias: Alias, text: str, in_reply_to: str | None, idempotency_key: str | None = None
    ) -> Published:
        return self._built().publish(alias, text, in_reply_to, idempotency_key)

    def fetch_mentions(self, alias: Alias, since: str | None) -> list[PublicPost]:
        return self._built().fetch_mentions(alias, since)

    def recent_posts(self, alias: Alias, limit: int) -> list[PublicPost]:
        return self._built().recent_posts(alias, limit)

    def published_since(self, alias: Alias, since: datetime) -> Iterator[PublicPost]:
        return self._built().published_since(alias, since)

    def reach(self, alias: Alias, handles: Sequence[str]) -> dict[str, int]:
        return self._built().reach(alias, handles)
