"""How long a post each channel takes, counted as that channel counts (X's weighted length,
Mastodon's and Bluesky's grapheme clusters): the one place a guide's `length` is held against."""

from collections.abc import Mapping
from dataclasses import dataclass

from cmconsole.domain.channel_length import BLUESKY_LIMIT, MASTODON_LIMIT, MASTODON_URL_WEIGHT
from cmconsole.domain.weighted_length import LIMIT

# The sandbox stands in for X in demos, training and tests: it takes what X takes. Mastodon's is
# the default an instance may raise (its instance endpoint says).
LONGEST_POST = {"x": LIMIT, "sandbox": LIMIT, "mastodon": MASTODON_LIMIT, "bluesky": BLUESKY_LIMIT}
CHANNELS = tuple(LONGEST_POST)
# The longest any saved guide may set: a stored version is read again under it, so an
# instance stating more (or an absurd number) is held to it.
LONGEST_KEPT = 100_000


def longest_post(channel: str) -> int:
    """The longest post `channel` publishes; an unknown channel gets X's limit."""
    return LONGEST_POST.get(channel, LIMIT)


@dataclass(frozen=True)
class PostLimits:
    """What the server an alias's account lives on says of a post's length (a Mastodon
    instance's `max_characters` and `characters_reserved_per_url`)."""

    longest: int
    url_weight: int = MASTODON_URL_WEIGHT

    def details(self) -> dict[str, object]:
        """As the connection's record keeps them: the instance's own names."""
        return {"max_characters": self.longest, "characters_reserved_per_url": self.url_weight}


def stated_limits(details: Mapping[str, object]) -> PostLimits | None:
    """The limits a connection's record kept, if it kept sound ones."""
    longest, per_url = details.get("max_characters"), details.get("characters_reserved_per_url")
    if not isinstance(longest, int) or isinstance(longest, bool) or longest < 1:
        return None
    if not isinstance(per_url, int) or isinstance(per_url, bool) or per_url < 0:
        per_url = MASTODON_URL_WEIGHT
    longest = min(longest, LONGEST_KEPT)
    return PostLimits(longest, min(per_url, longest))
