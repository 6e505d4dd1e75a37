"""Review a trainee's reply: approve it as written or edited, or send it back with a comment."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Label, Static, TextArea

from cmconsole.domain.model import Alias, Post, PostStatus
from cmconsole.services.guard import SignedIn
from cmconsole.tui.dialogs.prompt import Field, PromptDialog
from cmconsole.tui.safe import content, inert
from cmconsole.tui.screens.base import ConsoleScreen, service_work


class ReviewScreen(ConsoleScreen[None]):
    BINDINGS = [
        Binding("ctrl+s", "approve", "Approve", priority=True),
        Binding("ctrl+r", "reject", "Send back", priority=True),
        Binding("escape", "back", "Back"),
        Binding("f1", "app.toggle_help", "Keys", tooltip="(also ? where no text is typed)"),
    ]

    class ReviewDone(Message):
        def __init__(self, post: Post) -> None:
            super().__init__()
            self.post = post

    def __init__(self, who: SignedIn, alias: Alias, post: Post, author: str, asked: str) -> None:
        super().__init__()
        self.who = who
        self.alias = alias
        self.post = post
        self._author = author
        self._asked = asked
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="review-context"):
            if self.post.in_reply_to_id is None:
                # An announcement: it answers no one; a missed one says when it was due.
                yield Label("An announcement, replying to no one.", markup=False)
                if self.post.review_comment:
                    yield Static(self.post.review_comment, id="review-asked", markup=False)
            else:
                yield Label("The public wrote:", markup=False)
                yield Static(content(self._asked), id="review-asked", markup=False)
        yield Label(
            f"{self._author} would reply as {self.alias.display_name} (edit it if needed):",
            markup=False,
        )
        yield TextArea(self.post.text, id="review-draft", soft_wrap=True)
        yield Static(
            "ctrl+s approves · ctrl+r sends it back · esc leaves", id="review-status", markup=False
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#review-draft", TextArea).focus()

    def action_approve(self) -> None:
        if not self._busy:
            self._busy = True
            self._decide(self.query_one("#review-draft", TextArea).text, None)

    def action_reject(self) -> None:
        def commented(values: list[str] | None) -> None:
            if values is not None and not self._busy:
                self._busy = True
                self._decide(None, values[0])

        self.app.push_screen(
            PromptDialog(
                f"Send {self._author}'s reply back",
                [Field("What should they change? (they will read this)")],
            ),
            commented,
        )

    @service_work(group="review")
    def _decide(self, edited: str | None, comment: str | None) -> None:
        posting = self.services.posting
        if comment is None:
            post = posting.approve(self.who, self.post.id, edited)
        else:
            post = posting.reject(self.who, self.post.id, comment)
        self.post_message(self.ReviewDone(post))

    def on_review_screen_review_done(self, message: ReviewDone) -> None:
        verdict = "sent back" if message.post.status is PostStatus.REJECTED else "approved"
        self.notify(inert(f"{self._author}'s reply {verdict}."), markup=False)
        self.dismiss()

    def show_problem(self, reason: str) -> None:
        # The reply stays here to be decided again.
        self._busy = False
        status = self.query_one("#review-status", Static)
        status.update(content(reason))
        status.add_class("error")

    def action_back(self) -> None:
        self.dismiss()
