"""Which alias speaks: its colour, name, handle and channel, on every screen where one writes."""

from rich.text import Text

from cmconsole.domain.display import one_line
from cmconsole.domain.model import Alias


def swatch(colour: str) -> Text:
    """The alias's colour as a block (a dim one when it set none)."""
    return Text("██ ", style=colour if colour.startswith("#") else "dim")


def speaking_as(alias: Alias, lead: str = "Reply as") -> Text:
    """ "██ Reply as Belle Hélène (@bellehelene, sandbox):", the block in the alias's colour."""
    line = swatch(alias.colour)
    line.append(f"{lead} ")
    line.append(one_line(alias.display_name, 40), style=f"bold {alias.colour}".strip())
    line.append(f" ({one_line(alias.handle, 20)}, {alias.channel}):")
    return line
