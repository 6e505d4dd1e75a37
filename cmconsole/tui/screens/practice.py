"""Practice on the alias's real history: answer a past message, then see what the alias said."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, Label, Static, TextArea

from cmconsole.domain.channel_limits import PostLimits
from cmconsole.domain.checker import check
from cmconsole.domain.guide import Guide
from cmconsole.domain.model import Alias
from cmconsole.services.guard import SignedIn
from cmconsole.services.onboarding import PracticeItem, PracticeResult
from cmconsole.tui.safe import content
from cmconsole.tui.screens.base import ConsoleScreen, service_work
from cmconsole.tui.widgets.compose import ComposeBox


class PracticeScreen(ConsoleScreen[None]):
    """Nothing written here is ever published."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Compare", priority=True),
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("escape", "back", "Back"),
    ]

    class ItemLoaded(Message):
        def __init__(
            self,
            item: PracticeItem | None,
            guide: Guide | None,
            initials: str,
            limits: PostLimits | None = None,
        ) -> None:
            super().__init__()
            self.item = item
            self.guide = guide
            self.initials = initials
            self.limits = limits  # what the alias's server stated of a post's length, if known

    class Compared(Message):
        def __init__(self, result: PracticeResult) -> None:
            super().__init__()
            self.result = result

    def __init__(self, who: SignedIn, alias: Alias) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self._item: PracticeItem | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(
            f"Practice as {self.alias.display_name}: nothing here is published",
            classes="title",
            markup=False,
        )
        yield Static("", id="practice-message", markup=False)
        yield ComposeBox(id="compose")
        yield Static("", id="practice-result", markup=False)
        yield Static(
            "ctrl+s compares with what the alias said · ctrl+n next message · esc back",
            id="practice-status",
            markup=False,
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reply", TextArea).focus()
        self._load()

    @service_work(exclusive=True, group="practice")
    def _load(self) -> None:
        item = self.services.onboarding.next_practice(self.who, self.alias.id)
        guide = self.services.guides.for_checking(self.who, self.alias.id)
        limits = self.services.guides.limits_for_checking(self.who, self.alias.id)
        initials = self.services.accounts.operator(self.who).initials
        self.post_message(self.ItemLoaded(item, guide, initials, limits))

    def on_practice_screen_item_loaded(self, message: ItemLoaded) -> None:
        self._item = item = message.item
        guide, initials, limits = message.guide, message.initials, message.limits
        channel = self.alias.channel
        # Counted as the alias's own server counts (a Mastodon instance may allow more than 500).
        self.query_one(ComposeBox).use_checker(
            lambda text: check(
                text, guide, author_initials=initials, channel=channel, limits=limits
            )
        )
        shown = (
            f"{item.message.author_handle} wrote:\n{item.message.text}"
            if item
            else "You have practised on every past conversation the alias has answered."
        )
        self.query_one("#practice-message", Static).update(content(shown))
        self.query_one("#practice-result", Static).update("")
        self.query_one("#reply", TextArea).text = ""

    def action_submit(self) -> None:
        text = self.query_one(ComposeBox).text
        if self._item is None or not text.strip():
            self._status("Write a reply to the message first.")
            return
        self._compare(self._item.message.id, text)

    @service_work(exclusive=True, group="compare")
    def _compare(self, inbound_id: int, text: str) -> None:
        result = self.services.onboarding.practise(self.who, self.alias.id, inbound_id, text)
        self.post_message(self.Compared(result))

    def on_practice_screen_compared(self, message: Compared) -> None:
        result = message.result
        findings = [f"  {f.severity.value} {f.rule}: {f.message}" for f in result.findings]
        lines = [
            "The guide: " + ("no finding" if not findings else f"{len(findings)} finding(s)"),
            *findings,
            "",
            f"What the alias said: {result.actual}",
            result.closeness.describe(),
        ]
        self.query_one("#practice-result", Static).update(content("\n".join(lines)))
        self._status("ctrl+n for the next message.")

    def show_problem(self, reason: str) -> None:
        self._status(reason)

    def action_next(self) -> None:
        self._load()

    def _status(self, text: str) -> None:
        self.query_one("#practice-status", Static).update(content(text))

    def action_back(self) -> None:
        self.dismiss()
