"""The set of services a console or a command works with, built once by the wiring module."""

from collections.abc import Callable
from dataclasses import dataclass

from cmconsole.services.accounts import AccountService
from cmconsole.services.announcements import AnnouncementService
from cmconsole.services.audit import AuditService
from cmconsole.services.claims import ClaimService
from cmconsole.services.contact_lifecycle import ContactLifecycleService
from cmconsole.services.contact_tags import ContactTagService
from cmconsole.services.contacts import ContactService
from cmconsole.services.demo import DemoPublic
from cmconsole.services.desk import Desk
from cmconsole.services.dispatch import Dispatcher
from cmconsole.services.follow_ups import FollowUpService
from cmconsole.services.guides import GuideService
from cmconsole.services.handover import HandoverService
from cmconsole.services.home import Home
from cmconsole.services.inbox import InboxService
from cmconsole.services.notifications import NotificationService
from cmconsole.services.onboarding import OnboardingService
from cmconsole.services.ports import SandboxControl
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


@dataclass
class Services:
    accounts: AccountService
    shifts: ShiftService
    inbox: InboxService
    claims: ClaimService
    posting: PostingService
    announcements: AnnouncementService
    saved_replies: SavedReplyService
    search: SearchService
    dispatcher: Dispatcher
    audit: AuditService
    timeline: TimelineService
    handovers: HandoverService
    follow_ups: FollowUpService
    notifications: NotificationService
    team: TeamService
    triage: TriageService
    contacts: ContactService
    contact_tags: ContactTagService
    contact_life: ContactLifecycleService
    guides: GuideService
    voice: VoiceService
    reports: ReportService
    onboarding: OnboardingService
    public: DemoPublic
    sandbox: SandboxControl
    desk: Desk
    home: Home
    pump: Pump
    location: str
    close: Callable[[], None]
