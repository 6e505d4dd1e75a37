"""The Bluesky channel, the only importer of atproto: the channel, its calls, the sign-in."""

from cmconsole.channels.bluesky.calls import ATTEMPTS
from cmconsole.channels.bluesky.channel import BlueskyChannel
from cmconsole.channels.bluesky.connection import BlueskyAccount, BlueskyConnection

__all__ = ["ATTEMPTS", "BlueskyAccount", "BlueskyChannel", "BlueskyConnection"]
