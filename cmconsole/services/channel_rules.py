"""What an alias's channel account allows, as its server said when the account was connected."""

from cmconsole.domain.channel_limits import PostLimits, stated_limits
from cmconsole.domain.model import Alias
from cmconsole.services.ports import Transaction

CONNECTED = "channel.connected"  # the audit kind that records an alias's channel account


def post_limits(tx: Transaction, alias: Alias, channel: str | None = None) -> PostLimits | None:
    """What the server of the alias's account on `channel` (its own, by default) said of a
    post's length when the account was last connected; None if it said nothing."""
    channel = channel or alias.channel
    # The newest connection is the account in use: an alias reconnected elsewhere takes the new
    # instance's limits, and one reconnected to another channel keeps none of the old.
    for entry in tx.audit.of_kinds(alias.id, frozenset({CONNECTED}), None, 1):
        details = entry.event.details
        if details.get("channel") == channel:
            return stated_limits(details)
    return None
