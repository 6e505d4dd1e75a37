"""A dialog's title wraps inside the dialog rather than being cut at its edge."""

import pytest
from textual.widgets import Label

from cmconsole.tui.dialogs.end_shift import EndShiftDialog
from cmconsole.tui.dialogs.prompt import Field, PromptDialog
from tests.pilot import make_app, settle, until

TITLE = "Promise a follow-up to @a_very_long_handle_of_someone on Belle Hélène, due tomorrow"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_long_dialog_title_wraps_whole(demo, clock, size):
    async with make_app(demo, clock).run_test(size=size) as pilot:
        pilot.app.push_screen(PromptDialog(TITLE * (size[0] // 60), [Field("What?")]))
        await until(pilot, lambda: isinstance(pilot.app.screen, PromptDialog), what="the dialog")
        await settle(pilot)
        title = pilot.app.screen.query_one(".title", Label)
        box = title.parent.content_region
        assert title.region.right <= box.right
        assert title.region.height >= 2
        lines = title.render_lines(title.region.reset_offset)
        shown = "".join(segment.text for line in lines for segment in line).split()
        assert " ".join(shown).endswith("due tomorrow")


async def test_the_end_of_shift_dialog_fits_at_80_columns(demo, clock):
    async with make_app(demo, clock).run_test(size=(80, 24)) as pilot:
        pilot.app.push_screen(EndShiftDialog())
        await until(pilot, lambda: isinstance(pilot.app.screen, EndShiftDialog), what="it")
        await settle(pilot)
        dialog = pilot.app.screen.query_one(".dialog")
        assert dialog.region.right <= 80
        for button in pilot.app.screen.query("Button"):
            assert button.region.right <= dialog.content_region.right
