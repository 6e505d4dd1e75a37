"""One alias on shift: panes rendering the desk model, read again whenever the alias changes."""

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from cmconsole.domain.model import Membership, PostStatus
from cmconsole.domain.search import SearchHit
from cmconsole.services.desk_model import DeskFilters, DeskModel, HandoverFilter
from cmconsole.services.guard import SignedIn
from cmconsole.services.ports import SandboxFault
from cmconsole.services.shifts import HEARTBEAT_EVERY
from cmconsole.tui.dialogs.end_shift import EndShiftChoice, EndShiftDialog
from cmconsole.tui.dialogs.options import OptionsDialog
from cmconsole.tui.dialogs.prompt import Field, PromptDialog
from cmconsole.tui.dialogs.text import TextDialog
from cmconsole.tui.panes.banner import banner_text, own_track_summary, status_text
from cmconsole.tui.panes.guide import GuidePane
from cmconsole.tui.panes.inbox import (
    InboxPane,
    next_channel,
    next_filter,
    next_sort,
    tag_options,
)
from cmconsole.tui.panes.who_spoke import WhoSpokePane
from cmconsole.tui.safe import content
from cmconsole.tui.screens.announce import AnnounceScreen
from cmconsole.tui.screens.base import service_work
from cmconsole.tui.screens.contacts import ContactsScreen
from cmconsole.tui.screens.guide_edit import GuideEditScreen
from cmconsole.tui.screens.guide_versions import GuideVersionsScreen
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.tui.screens.handover_write import HandoverWriteScreen
from cmconsole.tui.screens.notifications import Notices, NotificationsScreen
from cmconsole.tui.screens.onboarding import OnboardingScreen
from cmconsole.tui.screens.review import ReviewScreen
from cmconsole.tui.screens.search import SearchScreen
from cmconsole.tui.screens.team import TeamScreen
from cmconsole.tui.screens.thread import ThreadScreen
from cmconsole.tui.screens.triage import TriageKeys
from cmconsole.tui.widgets.handover_history import HandoverHistory
from cmconsole.tui.widgets.handover_view import handover_text
from cmconsole.tui.widgets.tables import (
    ApprovalTable,
    AuditTable,
    InboxTable,
    OutboxTable,
    TimelineTable,
)

# One wait on the alias's change counter lasts this long at most, then the next begins: the
# desk is read again only when the counter moved (PostgreSQL: LISTEN/NOTIFY, no query while
# idle), and the screen's own requests (a filter, a refresh) are read at once, beside it.
LIVE_WAIT_SECONDS = 0.5
# On one machine the console fetches the public's messages and sends what is due this often.
PUMP_SECONDS = 3.0
# Relative times ("12s") are drawn again from the model shown: no read.
TICK_SECONDS = 1.0


class AliasScreen(TriageKeys):
    """The operator's desk for one alias."""

    BINDINGS = [
        Binding("escape", "leave", "End shift"),
        # To another alias's desk (home lists them): this shift stays open, this desk as it is.
        Binding("ctrl+t", "switch_alias", "Switch alias (shift stays open)", show=False),
        Binding("h", "hand_over", "Hand over"),
        Binding("m", "team", "Team"),
        Binding("O", "onboarding", "Onboarding"),
        # Under `?` with the tab keys (the footer has no room left at 80 columns; the desk is
        # live, so refreshing by hand is rare).
        Binding("r", "refresh", "Refresh", show=False),
        Binding("slash", "search", "Search threads", show=False),
        Binding("c", "contacts", "Contacts", show=False),
        Binding("A", "announce", "Announce (speak first, now or later)", show=False),
        Binding("R", "report", "Report (leads: the team's)", show=False),
        # The tabs are on screen; their keys (i o t p H g w a) are under `?`, leaving the footer
        # room at 80 columns for the rest.
        Binding("i", "tab('inbox')", "Inbox", show=False),
        Binding("f", "cycle_filter", "Inbox filter"),
        Binding("s", "cycle_sort", "Inbox sort: by a facet of the contact", show=False),
        Binding("T", "pick_tag", "Inbox: only contacts with a tag", show=False),
        Binding("C", "cycle_channel", "Inbox: only one channel's threads", show=False),
        Binding("o", "tab('outbox')", "Outbox", show=False),
        Binding("t", "tab('timeline')", "Public timeline", show=False),
        Binding("p", "tab('approvals')", "Approvals", show=False),
        Binding("H", "tab('handovers')", "Handovers", show=False),
        Binding("g", "tab('guide')", "Guide", show=False),
        Binding("e", "edit_guide", "Edit guide (leads)", show=False),
        Binding("v", "guide_versions", "Guide versions", show=False),
        Binding("w", "tab('spoken')", "Who spoke", show=False),
        Binding("a", "tab('audit')", "Audit", show=False),
        Binding("n", "notifications", "Notifications", show=False),
        Binding("F", "sandbox_fault", "Sandbox: make the next send fail", show=False),
    ]

    class Refreshed(Message):
        """The desk was read, with the filters it was asked for."""

        def __init__(self, model: DeskModel, filters: DeskFilters) -> None:
            super().__init__()
            self.model = model
            self.filters = filters

    class GuideEditAllowed(Message):
        """The services said this operator may edit the guide: the editor opens."""

    def __init__(self, who: SignedIn, membership: Membership, opened_shift: bool = True) -> None:
        super().__init__()
        # A shift this console joined (open in another of the operator's consoles) is left
        # open when this one leaves: the other console still works on it.
        self.opened_shift = opened_shift
        self.who = who
        self.membership = membership
        self.alias = membership.alias
        self._filters = DeskFilters()
        self._model: DeskModel | None = None
        self._handovers_asked = False
        self._onboarding_offered = False
        self._notices = Notices(who, self.alias.id)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            content(
                f"{self.alias.display_name}  {self.alias.handle}  ·  you: {self.who.name} "
                f"({self.membership.role.value})"
            ),
            id="alias-banner",
        )
        yield Static("", id="on-shift", markup=False)
        with TabbedContent(initial="inbox"):
            with TabPane("Inbox", id="inbox"):
                yield InboxPane(id="inbox-pane")
            with TabPane("Outbox", id="outbox"):
                yield OutboxTable(id="outbox-table")
            with TabPane("Public timeline", id="timeline"):
                yield TimelineTable(id="timeline-table")
            with TabPane("Approvals", id="approvals"):
                yield ApprovalTable(id="approval-table")
            with TabPane("Handovers", id="handovers"):
                yield HandoverHistory(id="handover-history")
            with TabPane("Guide", id="guide"):
                yield GuidePane(id="guide-box")
            with TabPane("Who spoke", id="spoken"):
                yield WhoSpokePane(self.services.audit, self.who, self.alias.id, id="spoken-pane")
            with TabPane("Audit", id="audit"):
                yield AuditTable(id="audit-table")
        yield Static("", id="alias-error", classes="error", markup=False)
        yield self._notices
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.alias.display_name
        self.console.shift_started(self.who, self.alias.id, owned=self.opened_shift)
        self.query_one(InboxTable).focus()
        self._show_filter()
        self._read_desk(self._filters)
        self._wait_for_change()
        if self.console.dispatches:
            self._pump()
            self.set_interval(PUMP_SECONDS, self._pump)
        self.set_interval(TICK_SECONDS, self._tick)
        self.set_interval(HEARTBEAT_EVERY.total_seconds(), self._heartbeat)
        if self.console.public_every:
            self.set_interval(self.console.public_every, self._public_writes)

    def on_screen_resume(self) -> None:
        self._read_desk(self._filters)

    def desk_changed(self) -> None:
        self._read_desk(self._filters)

    def action_refresh(self) -> None:
        if self.console.dispatches:
            self._pump()
        self._read_desk(self._filters)
        if self.query_one(TabbedContent).active == "spoken":
            self.query_one(WhoSpokePane).read_again()

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "spoken":
            self.query_one(WhoSpokePane).read()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        # Keys act on what is shown: focus the tab's list, so Enter opens its selected row.
        tables = self.query_one(f"TabPane#{tab}").query(DataTable)
        if tables:
            tables.first().focus()

    @service_work(group="desk-read", exclusive=True)
    def _read_desk(self, filters: DeskFilters) -> None:
        """Read the desk now (the screen asked: opened, a filter, a refresh key)."""
        model = self.services.desk.read(self.who, self.alias.id, filters)
        self.post_message(self.Refreshed(model, filters))

    @service_work(group="desk-wait", exclusive=True)
    def _wait_for_change(self) -> None:
        """One wait on the alias's change counter; the desk is read only if it moved (or a
        claim shown lapsed). When the wait ends the next begins (on_worker_state_changed)."""
        desk, model, filters = self.services.desk, self._model, self._filters
        if model is None:
            changed = True
        else:
            # Staleness is judged after the wait, never instead of it: a claim the services
            # still call live while this console's clock says it lapsed (two clocks that
            # disagree) costs a read each wait, not a loop of reads.
            since = model.version
            changed = desk.wait_for_change(self.alias.id, since, LIVE_WAIT_SECONDS) != since
            changed = changed or (
                model.stale_at is not None and self.console.clock() >= model.stale_at
            )
        if not changed:
            return
        if model is None or model.filters != filters:
            model = desk.read(self.who, self.alias.id, filters)
        else:
            model = desk.refresh(self.who, model)  # only the panes that moved are read again
        self.post_message(self.Refreshed(model, filters))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "desk-wait" or not event.worker.is_finished:
            return
        if event.state is WorkerState.ERROR:
            self.set_timer(PUMP_SECONDS, self._wait_for_change)  # the workspace is unreachable
        elif self.is_attached:
            self._wait_for_change()

    @service_work(group="pump", exclusive=True)
    def _pump(self) -> None:
        """On one machine the console is the dispatcher: fetch mentions, send what is due."""
        report = self.services.pump.run([self.alias.id])
        for failure in report.sync_failures:
            self.report_problem(f"{failure.handle}: {failure.reason}")

    def _show_filter(self) -> None:
        f = self._filters
        self.query_one(InboxPane).show_filter(f.inbox, f.sort, f.tag, f.channel)

    def action_cycle_filter(self) -> None:
        self._filters = replace(self._filters, inbox=next_filter(self._filters.inbox))
        self._show_filter()
        self._read_desk(self._filters)

    def action_cycle_sort(self) -> None:
        self._filters = replace(self._filters, sort=next_sort(self._filters.sort))
        self._show_filter()
        self._read_desk(self._filters)

    def action_cycle_channel(self) -> None:
        """Every channel's threads, then each channel's in turn (the channels the desk read)."""
        channels = self._model.channels if self._model is not None else []
        if len(channels) < 2 and self._filters.channel is None:
            self.notify("This alias speaks on one channel: every thread is on it.")
            return
        channel = next_channel(self._filters.channel, channels)
        self._filters = replace(self._filters, channel=channel)
        self._show_filter()
        self._read_desk(self._filters)

    def action_pick_tag(self) -> None:
        self._read_tags()

    @service_work(group="inbox-tags", exclusive=True)
    def _read_tags(self) -> None:
        tags = self.services.contact_tags.tag_list(self.who, self.alias.id)
        self.app.call_from_thread(self._offer_tags, tags)

    def _offer_tags(self, tags: list[str]) -> None:
        def chosen(tag: str | None) -> None:
            if tag is not None:  # "" clears the filter
                self._filters = replace(self._filters, tag=tag or None)
                self._show_filter()
                self._read_desk(self._filters)

        self.app.push_screen(
            OptionsDialog("The inbox: only contacts tagged…", tag_options(tags, self._filters.tag)),
            chosen,
        )

    @service_work(group="heartbeat")
    def _heartbeat(self) -> None:
        if not self.services.shifts.heartbeat(self.who, self.alias.id):
            # The operator's other console ended the shift: this one carries on with its own.
            _, opened = self.services.shifts.begin(self.who, self.alias.id)
            if opened:
                self.app.call_from_thread(
                    self.console.shift_started, self.who, self.alias.id, owned=True
                )

    @service_work(group="public")
    def _public_writes(self) -> None:
        self.services.public.send_next()

    def on_alias_screen_refreshed(self, message: Refreshed) -> None:
        model = message.model
        if message.filters != self._filters:
            return  # read for filters since changed: the read for the new ones is on its way
        if self._model is not None and model.version < self._model.version:
            return  # a slower read of an older state
        self._model = model
        self.query_one("#alias-banner", Static).update(content(banner_text(model, self.who)))
        self.query_one(HandoverHistory).show(model.handovers)
        self.query_one(AuditTable).show(model.audit)
        self.query_one(GuidePane).show(model)
        self._tick()
        self.query_one("#alias-error", Static).update("")
        self._lead_the_way(model)

    def _tick(self) -> None:
        """Draw the parts with relative times ("12s") again, from the model shown."""
        model, now = self._model, self.console.clock()
        if model is None:
            return
        self.query_one(InboxPane).show(model, now, self.who.operator_id)
        self.query_one(OutboxTable).show(model.outbox, now)
        self.query_one(TimelineTable).show(model.timeline, now)
        self.query_one(ApprovalTable).show(model.awaiting, now)
        self.query_one("#on-shift", Static).update(content(status_text(model, self.who)))

    def _lead_the_way(self, model: DeskModel) -> None:
        if model.handovers_unread and not self._handovers_asked:
            # Lead the operator through what they must read, once, at the start of the shift.
            self._handovers_asked = True
            self.app.push_screen(HandoverReadScreen(self.who, self.alias))
        elif (
            own_track_summary(model, self.who)
            and not self._onboarding_offered
            and not model.handovers_unread
            and self.app.screen is self
        ):
            # A trainee is shown their track when they arrive, once the handovers are read.
            self._onboarding_offered = True
            self.app.push_screen(OnboardingScreen(self.who, self.alias))

    def action_edit_guide(self) -> None:
        self._may_edit_guide()

    @service_work(group="guide-edit", exclusive=True)
    def _may_edit_guide(self) -> None:
        """Only a lead edits the guide: say so before anything is typed, not on save."""
        self.services.guides.check_may_edit(self.who, self.alias.id)
        self.post_message(self.GuideEditAllowed())

    def on_alias_screen_guide_edit_allowed(self, message: GuideEditAllowed) -> None:
        guide = self._model.guide if self._model else None
        source = guide.version.source if guide else ""
        self.app.push_screen(GuideEditScreen(self.who, self.alias, source))

    def action_guide_versions(self) -> None:
        self.app.push_screen(GuideVersionsScreen(self.who, self.alias))

    def show_problem(self, reason: str) -> None:
        self.query_one("#alias-error", Static).update(content(reason))

    @on(HandoverHistory.FiltersChanged)
    def _filter_handovers(self, event: HandoverHistory.FiltersChanged) -> None:
        wanted = HandoverFilter(event.author, event.since, event.until)
        self._filters = replace(self._filters, handovers=wanted)
        self._read_desk(self._filters)

    @on(HandoverHistory.HandoverChosen)
    def _show_handover(self, event: HandoverHistory.HandoverChosen) -> None:
        record = event.record
        text = handover_text(record.handover, record.acknowledgements)
        self.app.push_screen(TextDialog(f"Handover {record.handover.id}\n\n{text}"))

    @on(DataTable.RowSelected, "#approval-table")
    def _review(self, event: DataTable.RowSelected) -> None:
        awaiting = self.query_one(ApprovalTable).awaiting.get(str(event.row_key.value))
        if awaiting is not None:
            self.app.push_screen(
                ReviewScreen(self.who, self.alias, awaiting.post, awaiting.author, awaiting.asked)
            )

    @on(DataTable.RowSelected, "#inbox-table")
    def _open_thread(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            # They went to work: the track is offered on arrival only, never in the way later.
            self._onboarding_offered = True
            self.app.push_screen(
                ThreadScreen(self.who, self.membership, str(event.row_key.value)),
                self._release_claim,
            )

    def action_search(self) -> None:
        def chosen(hit: SearchHit | None) -> None:
            if hit is not None:  # its thread, opened where the search found it
                thread = ThreadScreen(self.who, self.membership, hit.contact, hit.message_id)
                self.app.push_screen(thread, self._release_claim)

        self.app.push_screen(SearchScreen(self.who, self.alias), chosen)

    def _release_claim(self, contact: str | None) -> None:
        if contact is not None:
            self._release(contact)

    @service_work(group="claims")
    def _release(self, contact: str) -> None:
        self.services.claims.release(self.who, self.alias.id, contact)
        self.app.call_from_thread(self._read_desk, self._filters)

    @on(DataTable.RowSelected, "#outbox-table")
    def _resend(self, event: DataTable.RowSelected) -> None:
        post = self.query_one(OutboxTable).posts.get(str(event.row_key.value))
        if post is None or post.status is not PostStatus.FAILED:
            return

        def edited(values: list[str] | None) -> None:
            if values is not None:
                self._resend_post(post.id, values[0])

        self.app.push_screen(
            PromptDialog(
                f"Resend post {post.id}? It failed: {post.failure_reason}",
                [Field("The reply (edit it if needed)", value=post.text)],
            ),
            edited,
        )

    @service_work(group="resend")
    def _resend_post(self, post_id: int, text: str) -> None:
        self.services.posting.resend(self.who, post_id, text)
        self.app.call_from_thread(self.action_refresh)

    def action_sandbox_fault(self) -> None:
        """For demos and training: see what each channel failure looks like, safely."""
        if self.alias.channel != "sandbox":
            self.query_one("#alias-error", Static).update(
                f"{self.alias.handle} speaks on {self.alias.channel}: only the sandbox can fail "
                "on purpose."
            )
            return
        faults = [fault.value for fault in SandboxFault]

        def chosen(values: list[str] | None) -> None:
            if values is None:
                return
            if values[0].strip() not in faults:
                self.query_one("#alias-error", Static).update(
                    f"Not a sandbox fault: {values[0].strip()!r}. One of: {', '.join(faults)}."
                )
                return
            self.services.sandbox.fail_next(SandboxFault(values[0].strip()))
            self.notify(f"The sandbox's next publish will play: {values[0].strip()}.")

        self.app.push_screen(
            PromptDialog(
                "Make the sandbox's next publish fail, to see how cmconsole handles it",
                [Field(f"Which fault? ({', '.join(faults)})", value=SandboxFault.LOSE_ANSWER)],
            ),
            chosen,
        )

    def action_hand_over(self) -> None:
        self.app.push_screen(HandoverWriteScreen(self.who, self.alias))

    def action_onboarding(self) -> None:
        self.app.push_screen(OnboardingScreen(self.who, self.alias))

    def action_contacts(self) -> None:
        self.app.push_screen(ContactsScreen(self.who, self.alias))

    def action_announce(self) -> None:
        self.app.push_screen(AnnounceScreen(self.who, self.alias))

    def action_report(self) -> None:
        from cmconsole.tui.screens.report import ReportScreen  # plotext loads only when asked

        self.app.push_screen(ReportScreen(self.who, self.alias))

    def action_team(self) -> None:
        self.app.push_screen(TeamScreen(self.who, self.alias))

    def action_leave(self) -> None:
        def chosen(choice: EndShiftChoice | None) -> None:
            if choice == "end":
                self._end_shift()
            elif choice == "handover":
                self.app.push_screen(
                    HandoverWriteScreen(self.who, self.alias, ending_shift=True), written
                )

        def written(done: bool | None) -> None:
            if done:
                self._end_shift()

        self.app.push_screen(EndShiftDialog(self.alias), chosen)

    def _end_shift(self) -> None:
        self.console.end_shift(self.alias.id)
        self.dismiss()

    def action_switch_alias(self) -> None:
        """Home, without ending the shift: the desk stays open (installed) for coming back."""
        self.app.pop_screen()

    @on(Refreshed)
    def _check_notifications(self) -> None:
        """The desk moved: anything new for this operator is told (notifications.py)."""
        self._notices.check()

    def action_notifications(self) -> None:
        self.app.push_screen(NotificationsScreen(self.who, self.membership))
