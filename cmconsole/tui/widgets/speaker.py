"""Which alias speaks: its colour, name, handle and channel, on every screen where one writes."""

from rich.text import Text
from textual.widgets import Static

from cmconsole.domain.display import one_line
from cmconsole.domain.model import Alias


def swatch(colour: str) -> Text:
    """The alias's colour as a block (a dim one when it set none)."""
    return Text("██ ", style=colour if colour.startswith("#") else "dim")


def speaking_as(alias: Alias, lead: str = "Reply as", channel: str | None = None) -> Text:
    """ "██ Reply as Belle Hélène (@bellehelene, sandbox):", the block in the alias's colour;
    `channel`: where this one goes (a reply goes where its message came from), else its own."""
    line = swatch(alias.colour)
    line.append(f"{lead} ")
    line.append(one_line(alias.display_name, 40), style=f"bold {alias.colour}".strip())
    line.append(f" ({one_line(alias.handle, 20)}, {channel or alias.channel}):")
    return line


class Speaker(Static):
    """The one line that says which alias speaks on a screen where one writes (`#speaker`)."""

    DEFAULT_CSS = """
    Speaker {
        height: auto;
    }
    Speaker.padded {
        padding: 0 1;
    }
    """

    def __init__(self, alias: Alias, lead: str, *, id: str = "speaker", classes: str = "") -> None:
        # A Text renders as it is: the alias's name and handle are never read as markup.
        super().__init__(speaking_as(alias, lead), id=id, classes=classes)
        self.alias = alias
        self.lead = lead

    def speak_on(self, channel: str) -> None:
        """Say that what is written here goes out on `channel`."""
        self.update(speaking_as(self.alias, self.lead, channel))
