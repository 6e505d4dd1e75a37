"""At 80x24 each screen's footer shows the keys an operator needs: back (esc), the keys help (`?`,
or f1 where a text field has the focus and `?` types a question mark) and quit (^q), with the
screen's own main keys; the others stay listed in the keys help."""

import io

import pytest
from rich.console import Console
from textual.widgets import DataTable, Footer, KeyPanel
from textual.widgets._key_panel import BindingsTable

from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.contacts import ContactsScreen
from cmconsole.tui.screens.guide_edit import GuideEditScreen
from cmconsole.tui.screens.notifications import NotificationsScreen
from cmconsole.tui.screens.review import ReviewScreen
from cmconsole.tui.screens.search import SearchScreen
from cmconsole.tui.screens.team import TeamScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import settle, until
from tests.test_snapshots_screens import _on_alias, _shown, awaiting_app, demo_app  # noqa: F401

SMALL = (80, 24)
EVERYWHERE = {"esc", "^q"}
KEYS_HELP = {"?", "f1"}


def _needed(shown: set[str], own: tuple[str, ...] = ()) -> bool:
    return (EVERYWHERE | set(own)) <= shown and bool(shown & KEYS_HELP)


def footer_keys(pilot) -> set[str]:
    """The keys the footer's line shows on the terminal, as rendered (a key scrolled or cut off
    past the last column is not there)."""
    footer = pilot.app.screen.query_one(Footer)
    line = pilot.app.screen._compositor.render_strips()[footer.region.y].text
    shown = set()
    for key in footer.query("FooterKey"):
        label = f"{key.key_display} {key.description}".strip()
        if label in line:
            shown.add(key.key_display)
    return shown


async def _footer(pilot, screen_type) -> set[str]:
    await _shown(pilot, screen_type)
    await settle(pilot)
    return footer_keys(pilot)


async def test_thread_footer(demo_app):  # noqa: F811
    async with demo_app.run_test(size=SMALL) as pilot:
        await _on_alias(pilot, "anna", "@bellehelene")
        await pilot.press("enter")
        shown = await _footer(pilot, ThreadScreen)
    assert _needed(shown, ("^s", "f2")), shown


async def test_alias_footer(demo_app):  # noqa: F811
    async with demo_app.run_test(size=SMALL) as pilot:
        await _on_alias(pilot, "lea", "@bellehelene")
        shown = await _footer(pilot, AliasScreen)
    assert _needed(shown), shown


@pytest.mark.parametrize(
    ("keys", "screen_type"),
    [
        pytest.param("c", ContactsScreen, id="contacts"),
        pytest.param("/", SearchScreen, id="search"),
        pytest.param("m", TeamScreen, id="team"),
        pytest.param("n", NotificationsScreen, id="notifications"),
        pytest.param("ge", GuideEditScreen, id="guide-edit"),
    ],
)
async def test_screen_footer(demo_app, keys, screen_type):  # noqa: F811
    async with demo_app.run_test(size=SMALL) as pilot:
        await _on_alias(pilot, "lea", "@bellehelene")
        await pilot.press(*keys)
        shown = await _footer(pilot, screen_type)
    assert _needed(shown), shown


async def test_review_footer(awaiting_app):  # noqa: F811
    async with awaiting_app.run_test(size=SMALL) as pilot:
        await _on_alias(pilot, "lea", "@bellehelene")
        await pilot.press("p")
        table = pilot.app.screen.query_one("#approval-table", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="the trainee's reply to approve")
        await pilot.press("enter")
        shown = await _footer(pilot, ReviewScreen)
    assert _needed(shown, ("^s", "^r")), shown


async def test_the_keys_left_out_of_the_thread_footer_are_listed_by_f1(demo_app):  # noqa: F811
    async with demo_app.run_test(size=SMALL) as pilot:
        await _on_alias(pilot, "anna", "@bellehelene")
        await pilot.press("enter")
        await _shown(pilot, ThreadScreen)
        await pilot.press("f1")
        await until(pilot, lambda: bool(pilot.app.screen.query(KeyPanel)), what="the keys")
        await settle(pilot)
        table = pilot.app.screen.query_one(KeyPanel).query_one(BindingsTable).render()
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(table)
        listed = console.export_text()
    for words in ("Take the claim over", "Insert a saved reply", "Follow-up done", "Send"):
        assert words in listed, listed
