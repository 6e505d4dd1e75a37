"""Show text from the public as data: never parsed as markup, never passed as terminal control."""

from rich.text import Text
from textual.content import Content

from cmconsole.domain.display import one_line, printable


def content(text: str) -> Content:
    """For Static and Label: literal text with control characters made visible and inert."""
    return Content(printable(text))


def cell(text: str, width: int = 80, style: str = "") -> Text:
    """For DataTable cells, which would otherwise parse a plain string as markup."""
    return Text(one_line(text, width), style=style, no_wrap=True)
