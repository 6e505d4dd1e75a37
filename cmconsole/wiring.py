"""The composition root: the one place that picks concrete storage and channels for the services."""

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cmconsole.channels.deferred import DeferredChannel
from cmconsole.channels.sandbox import SandboxChannel
from cmconsole.domain.errors import InvalidInput
from cmconsole.services.accounts import AccountService
from cmconsole.services.announcements import AnnouncementService
from cmconsole.services.audit import AuditService
from cmconsole.services.bundle import Services
from cmconsole.services.claims import ClaimService
from cmconsole.services.contact_lifecycle import ContactLifecycleService
from cmconsole.services.contact_tags import ContactTagService
from cmconsole.services.contacts import ContactService
from cmconsole.services.demo import DemoPublic, DemoSeeder
from cmconsole.services.desk import Desk
from cmconsole.services.dispatch import Dispatcher
from cmconsole.services.follow_ups import FollowUpService
from cmconsole.services.guides import GuideService
from cmconsole.services.handover import HandoverService
from cmconsole.services.home import Home
from cmconsole.services.inbox import InboxService
from cmconsole.services.notifications import NotificationService
from cmconsole.services.onboarding import OnboardingService
from cmconsole.services.ports import Channel, Clock
from cmconsole.services.posting import PostingService
from cmconsole.services.pump import Pump
from cmconsole.services.reports import ReportService
from cmconsole.services.saved_replies import SavedReplyService
from cmconsole.services.search import SearchService
from cmconsole.services.shifts import ShiftService
from cmconsole.services.team import TeamService
from cmconsole.services.timeline import TimelineService
from cmconsole.services.triage import TriageService
from cmconsole.services.voice import VoiceService
from cmconsole.storage import paths
from cmconsole.storage.workspace import open_workspace

if TYPE_CHECKING:
    from cmconsole.channels.bluesky import BlueskyConnection
    from cmconsole.channels.mastodon.connect import MastodonConnection
    from cmconsole.channels.x import XConnection


def utc_now() -> datetime:
    return datetime.now(UTC)


def console_role_sql(url: str, role: str, owner: str, schema: str) -> str:
    """The SQL that makes a PostgreSQL role for consoles: no UPDATE, DELETE or TRUNCATE on the
    ledger and handovers (refuses other databases, naming why)."""
    from cmconsole.storage.grants import console_role_sql as sql

    return sql(url, role, owner, schema)


def workspace_url(given: str | None) -> str:
    """--db, else CMCONSOLE_DATABASE_URL, else SQLite in the user's data directory."""
    return paths.workspace_url(given)


def open_services(url: str, clock: Clock = utc_now, *, create: bool = True) -> Services:
    """Open the workspace at `url` (migrating it) and build every service on it; a SQLite file
    that does not exist is created only if `create`."""
    workspace = open_workspace(url, create=create)
    sandbox = SandboxChannel(workspace.sandbox, clock)
    sandbox.slow_down(_sandbox_latency())
    channels: dict[str, Channel] = {
        "sandbox": sandbox,
        "x": DeferredChannel("x", _x_channel(clock)),
        "mastodon": DeferredChannel("mastodon", _mastodon_channel(clock)),
        "bluesky": DeferredChannel("bluesky", _bluesky_channel(clock)),
    }
    dispatcher = Dispatcher(workspace, channels, clock, liveness=workspace.liveness())
    signals = workspace.desk_signals()  # one listener per console, for its desks and home
    desk = Desk(workspace, channels, clock, signals)
    inbox = InboxService(workspace, channels, clock)
    posting = PostingService(workspace, clock)

    def close() -> None:
        try:
            desk.close()
            dispatcher.close()
        finally:
            workspace.close()

    return Services(
        accounts=AccountService(workspace, clock, tuple(channels)),
        shifts=ShiftService(workspace, clock),
        inbox=inbox,
        claims=ClaimService(workspace, clock),
        posting=posting,
        announcements=AnnouncementService(workspace, clock),
        saved_replies=SavedReplyService(workspace, clock),
        search=SearchService(workspace),
        dispatcher=dispatcher,
        audit=AuditService(workspace),
        timeline=TimelineService(workspace, channels),
        handovers=HandoverService(workspace, clock),
        follow_ups=FollowUpService(workspace, clock),
        notifications=NotificationService(workspace, clock),
        team=TeamService(workspace, clock),
        triage=TriageService(workspace, clock),
        contacts=ContactService(workspace, clock, channels),
        contact_tags=ContactTagService(workspace, clock),
        contact_life=ContactLifecycleService(workspace, clock),
        guides=GuideService(workspace, clock),
        voice=VoiceService(workspace),
        reports=ReportService(workspace, clock),
        onboarding=OnboardingService(workspace, clock),
        public=DemoPublic(workspace.sandbox, clock),
        sandbox=sandbox,
        desk=desk,
        home=Home(workspace, clock, signals),
        pump=Pump(workspace, inbox, posting, dispatcher, desk, clock),
        location=workspace.location,
        close=close,
    )


def _sandbox_latency() -> float:
    """CMCONSOLE_SANDBOX_LATENCY: seconds each sandbox publish takes, to train (and test) with
    a network's pace; none by default."""
    given = os.environ.get("CMCONSOLE_SANDBOX_LATENCY", "")
    try:
        return max(0.0, float(given)) if given else 0.0
    except ValueError:
        raise InvalidInput(
            f"CMCONSOLE_SANDBOX_LATENCY={given!r} is not a number of seconds"
        ) from None


def _x_channel(clock: Clock) -> Callable[[], Channel]:
    """How to build the X channel: tweepy, requests and keyring load only when an alias uses X."""

    def build() -> Channel:
        from cmconsole.channels.x import XChannel
        from cmconsole.credentials import CredentialStore

        return XChannel(CredentialStore(), clock)

    return build


def x_connection(consumer_key: str, consumer_secret: str) -> "XConnection":
    """The PIN flow and account check of `alias connect-x`, for the command line."""
    from cmconsole.channels.x import XConnection

    return XConnection(consumer_key, consumer_secret)


def _mastodon_channel(clock: Clock) -> Callable[[], Channel]:
    """How to build the Mastodon channel: Mastodon.py and keyring load only when it is used."""

    def build() -> Channel:
        from cmconsole.channels.mastodon import MastodonChannel
        from cmconsole.credentials import CredentialStore

        return MastodonChannel(CredentialStore(), clock)

    return build


def _bluesky_channel(clock: Clock) -> Callable[[], Channel]:
    """How to build the Bluesky channel: atproto, httpx and keyring load only when an alias
    uses Bluesky."""

    def build() -> Channel:
        from cmconsole.channels.bluesky import BlueskyChannel
        from cmconsole.credentials import CredentialStore

        return BlueskyChannel(CredentialStore(), clock)

    return build


def mastodon_connection(instance: str) -> "MastodonConnection":
    """The out-of-band code flow and account check of `alias connect-mastodon`."""
    from cmconsole.channels.mastodon.connect import MastodonConnection

    return MastodonConnection(instance)


def bluesky_connection(service: str) -> "BlueskyConnection":
    """The app-password sign-in of `alias connect-bluesky`, for the command line."""
    from cmconsole.channels.bluesky import BlueskyConnection

    return BlueskyConnection(service)


def open_demo(
    url: str | None = None, *, reset: bool = False, clock: Clock = utc_now
) -> tuple[Services, bool]:
    """Open the demo workspace, seeding it on first use; also say whether it was new."""
    if reset:
        if url is not None:
            raise InvalidInput(
                "--reset starts over only the demo's own database; drop another database yourself"
            )
        for suffix in ("", "-wal", "-shm"):
            paths.demo_file().with_name(paths.demo_file().name + suffix).unlink(missing_ok=True)
    services = open_services(url or paths.demo_url(), clock)
    try:
        seeded = _seed(services)
    except BaseException:
        services.close()
        raise
    return services, seeded


def _seed(services: Services) -> bool:
    return DemoSeeder(
        services.accounts,
        services.shifts,
        services.inbox,
        services.posting,
        services.dispatcher,
        services.handovers,
        services.guides,
        services.public,
        services.saved_replies,
        services.contacts,
        services.contact_tags,
    ).seed_if_empty()
