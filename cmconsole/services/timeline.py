"""The alias's public timeline: what the public sees, signed by the alias and nobody else."""

from cmconsole.domain.model import PublicPost
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import Channel, Workspace, channel_for


class TimelineService:
    """Reads back from the channel what the alias has published."""

    def __init__(self, workspace: Workspace, channels: dict[str, Channel]) -> None:
        self._workspace = workspace
        self._channels = channels

    def public_posts(self, who: SignedIn, alias_id: int, limit: int = 50) -> list[PublicPost]:
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            role_on(tx, active_operator(tx, who), alias)
        channel, speaking = channel_for(self._channels, alias)
        return channel.recent_posts(speaking, limit)
