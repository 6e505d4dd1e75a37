"""Every screen where one writes under the alias says who speaks: its colour, name and handle."""

import pytest

from cmconsole.tui.dialogs.note import NoteDialog
from cmconsole.tui.screens.announce import AnnounceScreen
from cmconsole.tui.screens.guide_edit import GuideEditScreen
from cmconsole.tui.screens.handover_write import HandoverWriteScreen
from cmconsole.tui.screens.thread import ThreadScreen
from cmconsole.tui.widgets.speaker import Speaker
from tests.pilot import SIZE, make_app, open_alias, open_message, settle, sign_in, until


def _alias(services, handle):
    return next(a for a in services.accounts.aliases() if a.handle == handle)


def _drawn(speaker: Speaker) -> list[tuple[str, str | None]]:
    """The speaker line as drawn: each piece of text with its colour (hex), if it has one."""
    drawn = []
    for segment in speaker.render_line(0):
        colour = segment.style.color if segment.style is not None else None
        drawn.append((segment.text, colour.triplet.hex if colour and colour.triplet else None))
    return drawn


async def _shows_the_alias(pilot, alias, lead: str) -> None:
    await settle(pilot)
    speaker = pilot.app.screen.query_one(Speaker)
    assert speaker.alias.id == alias.id
    text = "".join(piece for piece, _ in _drawn(speaker) if piece)
    assert f"{lead} {alias.display_name} ({alias.handle}, {alias.channel}):" in text, text
    colours = {colour for piece, colour in _drawn(speaker) if "██" in piece and colour}
    assert colours == {alias.colour.lower()}, (colours, alias.colour)


async def _thread(pilot) -> None:
    await open_message(pilot, "éclairs au café")


async def _note(pilot) -> None:
    await open_message(pilot, "éclairs au café")
    await pilot.press("f5")
    await until(pilot, lambda: isinstance(pilot.app.screen, NoteDialog), what="the note")


@pytest.mark.parametrize(
    ("name", "go", "shown", "lead"),
    [
        pytest.param("anna", _thread, ThreadScreen, "Reply as", id="thread"),
        pytest.param("anna", _note, NoteDialog, "Noted on", id="contact-note"),
        pytest.param(
            "anna", "A", AnnounceScreen, "Speak first, replying to no one, as", id="announce"
        ),
        pytest.param("anna", "h", HandoverWriteScreen, "Written for", id="handover"),
        pytest.param("lea", "ge", GuideEditScreen, "The guide that checks", id="guide-edit"),
    ],
)
async def test_each_screen_where_one_writes_names_the_alias_in_its_colour(
    demo, clock, name, go, shown, lead
):
    app = make_app(demo, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, name, "lead-demo-pass" if name == "lea" else f"{name}-demo-pass")
        await open_alias(pilot, "@bellehelene")
        if isinstance(go, str):
            await pilot.press(*go)
        else:
            await go(pilot)
        await until(pilot, lambda: isinstance(app.screen, shown), what=shown.__name__)
        await _shows_the_alias(pilot, _alias(demo, "@bellehelene"), lead)
