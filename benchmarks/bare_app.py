"""The startup baseline: a bare Textual app process that shows one static screen."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("Sign in")


if __name__ == "__main__":
    BareApp().run()
