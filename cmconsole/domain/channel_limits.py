"""How long a post each channel takes, counted as that channel counts (X's weighted length,
Mastodon's and Bluesky's grapheme clusters): the one place a guide's `length` is held against."""

from cmconsole.domain.channel_length import BLUESKY_LIMIT, MASTODON_LIMIT
from cmconsole.domain.weighted_length import LIMIT

# The sandbox stands in for X in demos, training and tests: it takes what X takes. Mastodon's is
# the default an instance may raise (its instance endpoint says).
LONGEST_POST = {"x": LIMIT, "sandbox": LIMIT, "mastodon": MASTODON_LIMIT, "bluesky": BLUESKY_LIMIT}
CHANNELS = tuple(LONGEST_POST)


def longest_post(channel: str) -> int:
    """The longest post `channel` publishes; an unknown channel gets X's limit."""
    return LONGEST_POST.get(channel, LIMIT)
