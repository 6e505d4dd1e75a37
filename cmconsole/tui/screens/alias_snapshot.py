"""What the alias screen shows, gathered from the services in one pass (run in a worker); the
"Who spoke" tab loads its own, only while it is shown."""

from dataclasses import dataclass
from datetime import datetime

from cmconsole.domain.errors import NotFound
from cmconsole.domain.model import AuditEntry, GuideVersion, Post, PublicPost
from cmconsole.services.bundle import Services
from cmconsole.services.guard import SignedIn
from cmconsole.services.guides import CurrentGuide
from cmconsole.services.handover import FOLLOW_UPS_HORIZON, HandoverRecord
from cmconsole.services.inbox import InboxFilter, InboxThread
from cmconsole.services.onboarding import TrackState
from cmconsole.tui.widgets.tables import Awaiting


@dataclass(frozen=True)
class HandoverFilters:
    author: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class SpokenFilters:
    operator: str = ""
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""


@dataclass(frozen=True)
class AliasSnapshot:
    threads: list[InboxThread]
    outbox: list[Post]
    timeline: list[PublicPost]
    handovers: list[HandoverRecord]
    audit: list[AuditEntry]
    on_shift: list[str]
    follow_ups_due: int
    handovers_unread: int
    guide: CurrentGuide | None
    guide_changes: list[GuideVersion]
    awaiting: list[Awaiting]
    tracks: list[TrackState]


def gather(
    services: Services,
    who: SignedIn,
    alias_id: int,
    inbox: InboxFilter,
    filters: HandoverFilters,
    now: datetime,
) -> AliasSnapshot:
    try:
        handovers = services.handovers.history(
            who, alias_id, author=filters.author or None, since=filters.since, until=filters.until
        )
    except NotFound:
        handovers = []  # a login half typed in the filter: show nothing, keep refreshing
    return AliasSnapshot(
        services.inbox.threads(who, alias_id, inbox),
        services.posting.outbox(who, alias_id),
        services.timeline.public_posts(who, alias_id),
        handovers,
        services.audit.for_alias(who, alias_id),
        [operator.name for _, operator in services.shifts.on_shift(alias_id)],
        len(services.follow_ups.due(who, alias_id, now + FOLLOW_UPS_HORIZON)),
        len(services.handovers.pending(who, alias_id))
        + (services.guides.unread(who, alias_id) is not None),
        services.guides.current(who, alias_id),
        services.guides.changed_since_last_shift(who, alias_id),
        awaiting(services, who, alias_id),
        services.onboarding.everyone(who, alias_id),
    )


def awaiting(services: Services, who: SignedIn, alias_id: int) -> list[Awaiting]:
    """Replies waiting for review, with their authors and what they answer."""
    names = {m.operator.id: m.operator.name for m in services.team.members(who, alias_id)}
    found = []
    for post in services.posting.awaiting_approval(who, alias_id):
        thread = services.inbox.thread(who, post.in_reply_to_id) if post.in_reply_to_id else None
        asked = thread.message.text if thread else ""
        found.append(Awaiting(post, names.get(post.author_id, "?"), asked))
    return found
