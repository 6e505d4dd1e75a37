"""The Mastodon channel: the only package that imports Mastodon.py (channel, calls, connection)."""

from cmconsole.channels.mastodon.calls import InstanceLimits, MastodonAccount
from cmconsole.channels.mastodon.channel import MastodonChannel

__all__ = ["InstanceLimits", "MastodonAccount", "MastodonChannel"]
