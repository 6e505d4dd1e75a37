"""A trainee in the demo goes through the track, practises, is reviewed, and is promoted."""

from textual.widgets import DataTable, Static, TextArea

from cmconsole.domain.channel_limits import PostLimits
from cmconsole.domain.model import PostStatus, Role
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.onboarding import OnboardingScreen
from cmconsole.tui.screens.practice import PracticeScreen
from cmconsole.tui.screens.team import TeamScreen
from tests.pilot import SIZE, cells, make_app, open_alias, open_message, settle, sign_in, until
from tests.test_mastodon_instance_length import french_draft


def _alias(demo, handle):
    return next(a for a in demo.accounts.aliases() if a.handle == handle)


async def test_a_trainee_goes_through_the_track_and_practises(demo, clock):
    alias = _alias(demo, "@acmehelp")
    public_before = len(
        demo.timeline.public_posts(demo.accounts.sign_in("lea", "lead-demo-pass"), alias.id)
    )
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "theo", "theo-demo-pass")
        await open_alias(pilot, "@acmehelp", onboarding=True)
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, OnboardingScreen)
        table = screen.query_one("#onboarding-table", DataTable)
        steps = [row[0] for row in cells(table)]
        assert steps[-3:] == [
            "Read the recent handovers",
            "Study the golden examples and the best past replies",
            "Practise on past conversations",
        ]
        assert steps[0].startswith("Read the guide: ")

        for row in range(len(steps) - 1):  # every reading step
            table.move_cursor(row=row)
            await pilot.press("enter")
            await settle(pilot)
            shown = str(pilot.app.screen.query_one("#acknowledge-text", Static).render())
            assert shown.strip()
            await pilot.press("enter")
            await settle(pilot)
        # The table is read again by a worker once the last step is acknowledged; on a busy
        # machine its rows may land a moment after the workers settle.
        await until(pilot, lambda: all(row[1] for row in cells(table)[:-1]), what="every step done")

        table.move_cursor(row=len(steps) - 1)
        await pilot.press("enter")
        await settle(pilot)
        practice = pilot.app.screen
        assert isinstance(practice, PracticeScreen)
        seen = set()
        for _ in range(3):
            message = str(practice.query_one("#practice-message", Static).render())
            assert message not in seen
            seen.add(message)
            await pilot.press(*"Thanks, we are on it.")
            await pilot.press("ctrl+s")
            await settle(pilot)
            result = str(practice.query_one("#practice-result", Static).render())
            assert "What the alias said:" in result and "% close in voice" in result
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert practice.query_one("#reply", TextArea).text == ""
        await pilot.press("escape")
        await settle(pilot)
        progress = str(screen.query_one("#onboarding-progress", Static).render())
        assert progress.startswith(f"{len(steps)}/{len(steps)} steps, 3/3 practice replies")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    assert len(demo.timeline.public_posts(lea, alias.id)) == public_before
    state = demo.onboarding.track(lea, alias.id, "theo")
    assert state.progress.complete


async def test_a_lead_promotes_a_reviewed_trainee_from_the_team_screen(demo, clock):
    alias = _alias(demo, "@acmehelp")
    theo = demo.accounts.sign_in("theo", "theo-demo-pass")
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "theo", "theo-demo-pass")
        await open_alias(pilot, "@acmehelp")
        for fan_text, reply in (("#4411", "Let us check your order."), ("502s", "ok")):
            await open_message(pilot, fan_text)
            await pilot.press(*reply)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(pilot.app.screen, AliasScreen)
    first, second = sorted(demo.posting.awaiting_approval(lea, alias.id), key=lambda post: post.id)
    demo.shifts.start(lea, alias.id)
    for pending in demo.handovers.pending(lea, alias.id):
        demo.handovers.acknowledge(lea, pending.id)
    guide = demo.guides.unread(lea, alias.id)
    if guide is not None:
        demo.guides.acknowledge(lea, alias.id, guide.version.version)
    assert demo.posting.approve(lea, first.id).status is PostStatus.QUEUED
    rejected = demo.posting.reject(lea, second.id, "Too short: say what we are doing about it.")
    assert rejected.review_comment == "Too short: say what we are doing about it."
    demo.shifts.end(lea, alias.id)

    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("m")
        await settle(pilot)
        team = pilot.app.screen
        assert isinstance(team, TeamScreen)
        table = team.query_one("#team-table", DataTable)
        names = [row[0] for row in cells(table)]
        table.move_cursor(row=names.index("theo"))
        assert "0 clean" in cells(table)[names.index("theo")][5]
        await pilot.press("P")
        await settle(pilot)
        await pilot.press(*"Covered the launch week well", "enter")
        await settle(pilot)
        assert cells(table)[names.index("theo")][2] == "operator"
    roles = {m.operator.name: m.role for m in demo.team.members(lea, alias.id)}
    assert roles["theo"] is Role.OPERATOR
    [promoted] = [
        e for e in demo.audit.for_alias(lea, alias.id) if e.event.kind == "onboarding.promoted"
    ]
    assert promoted.actor_name == "lea" and promoted.event.details["rule_met"] is False
    assert theo.name == "theo"


async def test_practice_on_a_mastodon_alias_counts_against_its_instances_limit(demo, clock):
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    demo.accounts.add_alias("@grande", "Grande", language="fr", channel="mastodon", by=lea)
    demo.accounts.grant("theo", "@grande", Role.TRAINEE, by=lea)
    demo.accounts.record_channel_connected(
        "@grande", "mastodon", "1", "@grande@masto.example", limits=PostLimits(1000, 23), by=lea
    )
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "theo", "theo-demo-pass")
        await open_alias(pilot, "@grande")
        desk = pilot.app.screen
        pilot.app.push_screen(PracticeScreen(desk.who, desk.alias))
        await until(pilot, lambda: isinstance(pilot.app.screen, PracticeScreen), what="practice")
        practice = pilot.app.screen
        await until(pilot, lambda: practice.query("#draft-length"), what="the compose box")
        length = practice.query_one("#draft-length", Static)
        await until(pilot, lambda: "/1000" in str(length.render()), what="the instance's limit")
        practice.query_one("#reply", TextArea).text = french_draft(600)
        await until(pilot, lambda: str(length.render()) == "600/1000", what="the draft counted")
