"""Pilot walks of speaking first: an announcement scheduled on the alias's clock, listed, moved by
a lead, refused to an operator; one published at once reaches the public timeline."""

from textual.widgets import DataTable, Static, TextArea

from cmconsole.domain.channel_limits import PostLimits
from cmconsole.domain.model import PostStatus, Role
from cmconsole.tui.dialogs.prompt import PromptDialog
from cmconsole.tui.screens.announce import AnnounceScreen
from tests.pilot import SIZE, cells, make_app, open_alias, settle, sign_in, until
from tests.test_mastodon_instance_length import french_draft


def _status(pilot) -> str:
    return str(pilot.app.screen.query_one("#announce-status", Static).render())


async def _open_announce(pilot, name, passphrase):
    await sign_in(pilot, name, passphrase)
    await open_alias(pilot, "@bellehelene")
    await pilot.press("A")
    await until(pilot, lambda: isinstance(pilot.app.screen, AnnounceScreen), what="the screen")
    await settle(pilot)


async def test_an_operator_schedules_on_the_alias_clock_and_only_a_lead_moves_it(demo, clock):
    # The fake clock says 2026-11-02 09:00 UTC; the demo's @bellehelene lives in Paris.
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await _open_announce(pilot, "anna", "anna-demo-pass")
        await pilot.press(*"Galette des rois ce week-end !")
        await pilot.press("tab", *"2026-11-03 10:00", "ctrl+s")
        table = pilot.app.screen.query_one("#scheduled-table", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="the scheduled post")
        assert cells(table) == [["2026-11-03 10:00", "queued", "Galette des rois ce week-end !"]]
        assert "Scheduled for 2026-11-03 10:00" in _status(pilot)
        # anna operates; moving is a lead's call, refused by the service and said on the screen.
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(pilot.app.screen, PromptDialog), what="the prompt")
        await pilot.press("enter")
        await until(pilot, lambda: "only a lead" in _status(pilot), what="the refusal")
        lea = demo.accounts.sign_in("lea", "lead-demo-pass")
        [post] = demo.announcements.scheduled(lea, post_alias_id(demo))
        assert post.scheduled_for.isoformat() == "2026-11-03T09:00:00+00:00"  # 10:00 in Paris


def post_alias_id(services) -> int:
    return next(a.id for a in services.accounts.aliases() if a.handle == "@bellehelene")


async def test_a_lead_moves_a_scheduled_post_and_an_announcement_now_goes_public(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await _open_announce(pilot, "lea", "lead-demo-pass")
        await pilot.press(*"Ouverture à 8h demain", "tab", *"2026-11-03 07:30", "ctrl+s")
        table = pilot.app.screen.query_one("#scheduled-table", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="the scheduled post")
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(pilot.app.screen, PromptDialog), what="the prompt")
        await pilot.press("end", *["backspace"] * 5, *"08:00", "enter")
        await settle(pilot)
        moved = lambda: [row[0] for row in cells(table)] == ["2026-11-03 08:00"]  # noqa: E731
        await until(pilot, moved, what="the moved post")
        await pilot.press("shift+tab")  # back to the announcement's text
        await pilot.press(*"Bonjour à toutes et à tous", "ctrl+s")
        await until(pilot, lambda: "On its way" in _status(pilot), what="the announcement")
        lea = demo.accounts.sign_in("lea", "lead-demo-pass")
        posts = demo.posting.posts(lea, post_alias_id(demo))
        now = [p for p in posts if p.text == "Bonjour à toutes et à tous"]
        assert [p.status in (PostStatus.QUEUED, PostStatus.PUBLISHED) for p in now] == [True]


async def test_on_a_mastodon_alias_the_draft_is_held_against_its_instances_limit(demo, clock):
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    demo.accounts.add_alias("@grande", "Grande", language="fr", channel="mastodon", by=lea)
    demo.accounts.grant("anna", "@grande", Role.OPERATOR, by=lea)
    demo.accounts.record_channel_connected(
        "@grande", "mastodon", "1", "@grande@masto.example", limits=PostLimits(1000, 23), by=lea
    )
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@grande")
        await pilot.press("A")
        await until(pilot, lambda: isinstance(pilot.app.screen, AnnounceScreen), what="the screen")
        length = pilot.app.screen.query_one("#draft-length", Static)
        await until(pilot, lambda: "/1000" in str(length.render()), what="the instance's limit")
        pilot.app.screen.query_one("#reply", TextArea).text = french_draft(600)
        await until(pilot, lambda: str(length.render()) == "600/1000", what="the draft counted")
