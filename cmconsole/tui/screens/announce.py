"""Speaking first: write an announcement, now or for later, checked by the guide as you type;
the alias's scheduled posts below it, which a lead moves or calls off."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Static, TextArea

from cmconsole.domain.channel_limits import PostLimits
from cmconsole.domain.checker import check
from cmconsole.domain.guide import Guide, Severity
from cmconsole.domain.model import Alias, Post
from cmconsole.services.announcements import alias_clock_text, on_alias_clock
from cmconsole.services.guard import SignedIn
from cmconsole.tui.dialogs.prompt import Field, PromptDialog
from cmconsole.tui.safe import cell
from cmconsole.tui.screens.base import ConsoleScreen, service_work
from cmconsole.tui.widgets.compose import ComposeBox
from cmconsole.tui.widgets.speaker import Speaker


class AnnounceScreen(ConsoleScreen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "publish", "Publish", priority=True),
        Binding("f2", "fix", "Fix", priority=True),
        Binding("f6", "move", "Move", priority=True),
        Binding("f8", "call_off", "Call off", priority=True),
    ]

    class Loaded(Message):
        def __init__(
            self,
            guide: Guide | None,
            initials: str,
            scheduled: list[Post],
            limits: PostLimits | None = None,
        ) -> None:
            super().__init__()
            self.guide, self.initials, self.scheduled = guide, initials, scheduled
            self.limits = limits  # what the alias's Mastodon instance allows, if it said

    class Published(Message):
        def __init__(self, post: Post) -> None:
            super().__init__()
            self.post = post

    class Changed(Message):
        """A lead moved or called off a scheduled post."""

    def __init__(self, who: SignedIn, alias: Alias) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self._busy = False
        self._scheduled: dict[str, Post] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Speaker(self.alias, "Speak first, replying to no one, as", id="announce-alias")
        yield ComposeBox(id="announce-compose")
        yield Input(
            placeholder=f"when: YYYY-MM-DD HH:MM on {self.alias.time_zone}'s clock (empty: now)",
            id="announce-at",
        )
        yield Static("", id="announce-status", markup=False)
        yield DataTable(id="scheduled-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#scheduled-table", DataTable)
        table.add_columns("When", "Status", "Text")
        self.query_one("#reply").focus()
        self._load()

    @service_work(exclusive=True, group="announce-load")
    def _load(self) -> None:
        guide = self.services.guides.for_checking(self.who, self.alias.id)
        limits = self.services.guides.limits_for_checking(self.who, self.alias.id)
        initials = self.services.accounts.operator(self.who).initials
        scheduled = self.services.announcements.scheduled(self.who, self.alias.id)
        self.post_message(self.Loaded(guide, initials, scheduled, limits))

    def on_announce_screen_loaded(self, message: Loaded) -> None:
        guide, initials, channel = message.guide, message.initials, self.alias.channel
        limits = message.limits
        self.query_one(ComposeBox).use_checker(
            lambda text: check(
                text, guide, author_initials=initials, channel=channel, limits=limits
            )
        )
        table = self.query_one("#scheduled-table", DataTable)
        table.clear()
        self._scheduled = {}
        for post in message.scheduled:
            assert post.scheduled_for is not None
            key = str(post.id)
            self._scheduled[key] = post
            table.add_row(
                alias_clock_text(self.alias, post.scheduled_for),
                post.status.value.replace("_", " "),
                cell(post.text, 200),
                key=key,
            )

    def action_fix(self) -> None:
        if self.query_one(ComposeBox).apply_first_fix() is None:
            self._status("No finding has a fix to apply: rewrite it yourself.")

    def action_publish(self) -> None:
        box = self.query_one(ComposeBox)
        text, result = box.text, box.result
        if self._busy:
            return
        if not text.strip():
            self._status("The announcement is empty: write something first.", error=True)
            return
        if result is None:
            self._status("Still loading the alias's guide: try again in a moment.")
            return
        if not result.sendable:
            errors = ", ".join(f.rule for f in result.findings if f.severity is Severity.ERROR)
            self._status(f"Not sent: fix what the guide calls errors first ({errors}).", error=True)
            return
        when = self.query_one("#announce-at", Input).value
        warnings = sorted({f.rule for f in result.findings if f.severity is Severity.WARNING})
        if not warnings:
            self._start(text, when, {})
            return

        def explained(values: list[str] | None) -> None:
            if values is not None:
                self._start(text, when, dict(zip(warnings, values, strict=True)))

        self.app.push_screen(
            PromptDialog(
                "The guide warns about this announcement. Say why you pass it (the audit keeps it)",
                [Field(f"Why pass {rule}?") for rule in warnings],
            ),
            explained,
        )

    def _start(self, text: str, when: str, overrides: dict[str, str]) -> None:
        self._busy = True
        self._status("Queueing…")
        self._announce(text, when, overrides)

    @service_work(group="announce")
    def _announce(self, text: str, when: str, overrides: dict[str, str]) -> None:
        try:
            at = on_alias_clock(self.alias, when) if when.strip() else None
            post = self.services.announcements.announce(
                self.who, self.alias.id, text, at, overrides
            )
        finally:
            self._busy = False
        self.post_message(self.Published(post))

    def on_announce_screen_published(self, message: Published) -> None:
        post = message.post
        self.query_one("#reply", TextArea).clear()
        self.query_one("#announce-at", Input).value = ""
        if post.scheduled_for is not None:
            when = alias_clock_text(self.alias, post.scheduled_for)
            self._status(f"Scheduled for {when} ({post.status.value.replace('_', ' ')}).")
        else:
            self._status(f"On its way ({post.status.value.replace('_', ' ')}).")
        self._load()

    def on_announce_screen_changed(self, message: Changed) -> None:
        self._status("Done.")
        self._load()

    def _highlighted(self) -> Post | None:
        table = self.query_one("#scheduled-table", DataTable)
        if table.row_count == 0:
            self._status("Nothing is scheduled.")
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._scheduled.get(str(key))

    def action_move(self) -> None:
        post = self._highlighted()
        if post is None or post.scheduled_for is None:
            return
        current = alias_clock_text(self.alias, post.scheduled_for)

        def moved(values: list[str] | None) -> None:
            if values is not None:
                self._move(post.id, values[0])

        self.app.push_screen(
            PromptDialog(
                f"Move post {post.id} to (on {self.alias.time_zone}'s clock)",
                [Field("When? YYYY-MM-DD HH:MM", value=current)],
            ),
            moved,
        )

    @service_work(group="announce-change")
    def _move(self, post_id: int, when: str) -> None:
        at = on_alias_clock(self.alias, when)
        self.services.announcements.reschedule(self.who, post_id, at)
        self.post_message(self.Changed())

    def action_call_off(self) -> None:
        post = self._highlighted()
        if post is None:
            return

        def called_off(values: list[str] | None) -> None:
            if values is not None:
                self._call_off(post.id, values[0])

        self.app.push_screen(
            PromptDialog(f"Call off post {post.id}", [Field("Why? (kept in the audit)")]),
            called_off,
        )

    @service_work(group="announce-change")
    def _call_off(self, post_id: int, reason: str) -> None:
        self.services.announcements.cancel(self.who, post_id, reason)
        self.post_message(self.Changed())

    def action_back(self) -> None:
        self.dismiss(None)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#announce-status", Static)
        status.update(text)
        status.set_class(error, "error")

    def show_problem(self, reason: str) -> None:
        self._status(reason, error=True)
