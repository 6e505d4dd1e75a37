"""What an alias's channel account allows, as its server said when the account was connected."""

from cmconsole.domain.channel_limits import PostLimits, stated_limits
from cmconsole.domain.model import Alias
from cmconsole.services.ports import Transaction

CONNECTED = "channel.connected"  # the audit kind that records an alias's channel account
_CONNECTIONS_READ = 100


def post_limits(tx: Transaction, alias: Alias, channel: str | None = None) -> PostLimits | None:
    """What the server of the alias's account on `channel` (its own, by default) said of a
    post's length when the account was last connected; None if it said nothing."""
    channel = channel or alias.channel
    # The channel's newest connection is the account in use there: an alias reconnected to
    # another instance takes its limits. An alias speaks on several channels, so the newest
    # connection of all may be another channel's (an alias connects a handful of times).
    for entry in tx.audit.of_kinds(alias.id, frozenset({CONNECTED}), None, _CONNECTIONS_READ):
        details = entry.event.details
        if details.get("channel") == channel:
            return stated_limits(details)
    return None
