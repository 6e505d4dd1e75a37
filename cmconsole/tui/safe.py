"""Show outside text as data: never parsed as markup, never passed as terminal control.

Every string that did not come from cmconsole's own code (messages, names, error reasons, which
may quote an API's answer) reaches a widget through one of these.
"""

from rich.text import Text
from textual.content import Content

from cmconsole.domain.display import PRIVATE, one_line, printable


def content(text: str) -> Content:
    """For Static and Label: literal text with control characters made visible and inert."""
    return Content(printable(text))


def cell(text: str, width: int = 80, style: str = "") -> Text:
    """For DataTable cells, which would otherwise parse a plain string as markup."""
    return Text(one_line(text, width), style=style, no_wrap=True)


def private_cell(text: str, width: int = 80, style: str = "", *, private: bool) -> Text:
    """A cell of a message's text; a private one (Mastodon's `direct`) says so first."""
    if not private:
        return cell(text, width, style)
    shown = cell(PRIVATE + text, width, style)
    shown.stylize("bold reverse", 0, len(PRIVATE) - 2)
    return shown


def inert(text: str) -> str:
    """For the APIs that take only a string (notify, titles): pass `markup=False` as well."""
    return printable(text)
