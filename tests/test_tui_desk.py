"""The desk on screen, live: the cursor stays on its fan, an open thread follows what arrives."""

import html
import re

import pytest
from textual.widgets import DataTable

from cmconsole.domain.model import Role
from cmconsole.services import demo_data
from cmconsole.tui.screens.review import ReviewScreen
from cmconsole.tui.screens.thread import ThreadScreen
from cmconsole.wiring import open_demo, open_services
from tests.conftest import FakeClock, _postgres_schema_url
from tests.pilot import SIZE, cells, make_app, open_alias, open_message, settle, sign_in, until


def _alias(demo, handle):
    return next(a for a in demo.accounts.aliases() if a.handle == handle)


def _contacts(table):
    return [row[2].split(" ")[0] for row in cells(table)]


def _highlighted(table):
    return _contacts(table)[table.cursor_row]


async def test_the_highlight_stays_on_its_fan_when_someone_else_writes(demo, clock):
    alias = _alias(demo, "@acmehelp")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        await until(pilot, lambda: "@kim_r" in _contacts(table), what="the inbox")
        table.move_cursor(row=_contacts(table).index("@kim_r"))
        assert _highlighted(table) == "@kim_r"

        # Someone else writes: their thread tops the inbox, above the highlighted one.
        clock.advance(minutes=1)
        demo.public.mention("@newfan", "@acmehelp Where is my parcel?")
        demo.inbox.sync(alias.id)
        await until(pilot, lambda: _contacts(table)[:1] == ["@newfan"], what="the new thread")
        assert _highlighted(table) == "@kim_r"

        await pilot.press("enter")
        await settle(pilot)
        thread = pilot.app.screen
        assert isinstance(thread, ThreadScreen)
        assert thread.contact == "@kim_r"
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    assert demo.claims.state(omar, alias.id, "@newfan").claim is None


async def test_a_claim_only_this_consoles_clock_calls_lapsed_costs_a_read_per_wait(
    demo, clock, monkeypatch
):
    # The workspace's clock says omar's claim is live; this console's clock, an hour ahead,
    # says it lapsed. The desk is read again after each wait, never in a loop without one.
    alias = _alias(demo, "@acmehelp")
    omar = demo.accounts.sign_in("omar", "omar-demo-pass")
    demo.claims.claim(omar, alias.id, "@kim_r")
    ahead = FakeClock(clock.now)
    ahead.advance(hours=1)
    calls = {"read": 0, "wait": 0}
    desk = demo.desk
    read, wait = desk.read, desk.wait_for_change

    def counted_read(*args, **kwargs):
        calls["read"] += 1
        return read(*args, **kwargs)

    def counted_wait(*args, **kwargs):
        calls["wait"] += 1
        return wait(*args, **kwargs)

    monkeypatch.setattr(desk, "read", counted_read)
    monkeypatch.setattr(desk, "wait_for_change", counted_wait)
    async with make_app(demo, ahead).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        await until(pilot, lambda: "@kim_r" in _contacts(table), what="the inbox")
        waits_before, reads_before = calls["wait"], calls["read"]
        await until(pilot, lambda: calls["wait"] >= waits_before + 4, what="four waits")
        waits, reads = calls["wait"] - waits_before, calls["read"] - reads_before
    assert reads <= waits + 1, (reads, waits)


def _shown(screen, selector):
    return str(screen.query_one(selector).render())


def _posted(demo, alias, text):
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    return next(p for p in demo.posting.posts(lea, alias.id) if p.text == text)


def _message(demo, alias, text):
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    return next(m for m in demo.inbox.messages(lea, alias.id) if m.text == text)


async def _a_fan_writes_while_the_thread_is_open(pilot, console, clock, alias):
    """A fan's message fetched by `console` (the demo's own, or another on the same workspace)."""
    clock.advance(minutes=1)
    console.public.mention("@dev_sam", "@acmehelp Any news on #4411?")
    console.inbox.sync(alias.id)
    screen = pilot.app.screen
    await until(
        pilot,
        lambda: "Any news on #4411?" in _shown(screen, "#conversation"),
        what="the new message in the open thread",
        timeout=10,
    )


async def test_f3_picks_an_older_message_to_answer(demo, clock):
    alias = _alias(demo, "@acmehelp")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "#4411")
        await _a_fan_writes_while_the_thread_is_open(pilot, demo, clock, alias)
        thread = pilot.app.screen
        await pilot.press("f3")
        assert "still says 'processing'" in _shown(thread, "#answering")
        await pilot.press(*"Checking the order.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: pilot.app.screen is not thread, what="the reply sent")
    older = _message(demo, alias, "@acmehelp My order #4411 still says 'processing' after 5 days.")
    assert _posted(demo, alias, "Checking the order.").in_reply_to_id == older.id


async def test_an_open_threads_times_tick(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "#4411")
        thread = pilot.app.screen
        assert "· 0s ago" in _shown(thread, "#conversation")
        clock.advance(minutes=12)
        await until(
            pilot,
            lambda: "· 12m ago" in _shown(thread, "#conversation"),
            what="the times to tick",
            timeout=10,
        )


async def test_at_80x24_the_message_answered_is_on_screen_next_to_the_compose_box(demo, clock):
    alias = _alias(demo, "@acmehelp")
    for n in range(8):
        clock.advance(seconds=10)
        demo.public.mention("@dev_sam", f"@acmehelp Message number {n} about my order.")
    demo.inbox.sync(alias.id)
    async with make_app(demo, clock).run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "Message number 7")
        thread = pilot.app.screen
        answering = thread.query_one("#answering")
        assert "Message number 7" in _shown(thread, "#answering")
        assert answering.region.height > 0
        assert thread.region.contains_region(answering.region)
        assert answering.region.bottom <= thread.query_one("#reply").region.y
        history = thread.query_one("#thread")
        # The history ends with the newest message, and that end is what shows.
        await until(pilot, lambda: history.scroll_y == history.max_scroll_y, what="the bottom")
        assert _shown(thread, "#conversation").rstrip().endswith("Message number 7 about my order.")


async def test_a_promoted_trainees_open_console_shows_the_new_role(demo_on_each_engine, clock):
    demo = demo_on_each_engine
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "theo", "theo-demo-pass")
        await open_alias(pilot, "@bellehelene")
        screen = pilot.app.screen
        await until(pilot, lambda: "(trainee)" in _shown(screen, "#alias-banner"), what="role")
        lea = demo.accounts.sign_in("lea", "lead-demo-pass")
        demo.accounts.grant("theo", "@bellehelene", Role.OPERATOR, by=lea)
        await until(
            pilot,
            lambda: "(operator)" in _shown(screen, "#alias-banner"),
            what="the new role on the open console",
            timeout=10,
        )


@pytest.fixture
def demo_on_postgresql(clock):
    for url in _postgres_schema_url():
        services, _ = open_demo(url, clock=clock)
        colleague = open_services(url, clock=clock)  # another console's own connection
        yield services, colleague
        colleague.close()
        services.close()


async def test_a_colleagues_claim_on_another_console_shows_here_on_postgresql(
    demo_on_postgresql, clock
):
    demo, colleague = demo_on_postgresql
    alias = _alias(demo, "@acmehelp")
    omar = colleague.accounts.sign_in("omar", "omar-demo-pass")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        await until(pilot, lambda: "@kim_r" in _contacts(table), what="the inbox")
        colleague.claims.claim(omar, alias.id, "@kim_r")

        def answering():
            return next(row[3] for row in cells(table) if row[2].startswith("@kim_r"))

        await until(pilot, lambda: answering() == "omar", what="omar's claim", timeout=10)


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_and_fan_console(request):
    """The demo, and the console a fan's message arrives through: on SQLite the demo's own; on
    PostgreSQL another console's connection, so the open thread learns of it by a notification."""
    if request.param == "sqlite":
        demo = request.getfixturevalue("demo")
        return demo, demo
    return request.getfixturevalue("demo_on_postgresql")


async def test_an_open_thread_shows_a_new_message_and_the_reply_answers_it(
    demo_and_fan_console, clock
):
    demo, fan_console = demo_and_fan_console
    alias = _alias(demo, "@acmehelp")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await open_message(pilot, "#4411")
        await _a_fan_writes_while_the_thread_is_open(pilot, fan_console, clock, alias)
        thread = pilot.app.screen
        assert "Any news on #4411?" in _shown(thread, "#answering")
        await pilot.press(*"Still on it.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: pilot.app.screen is not thread, what="the reply sent")
    newest = _message(demo, alias, "@acmehelp Any news on #4411?")
    assert _posted(demo, alias, "Still on it.").in_reply_to_id == newest.id


def _ready(demo, who, alias):
    """On shift, handovers read, the guide acknowledged: what speaking as the alias asks."""
    demo.shifts.start(who, alias.id)
    for handover in demo.handovers.pending(who, alias.id):
        demo.handovers.acknowledge(who, handover.id)
    demo.guides.acknowledge(who, alias.id, demo.guides.current(who, alias.id).version.version)


async def test_a_trainees_reply_awaiting_approval_leaves_the_thread_waiting_for_the_lead(
    demo_on_each_engine, clock
):
    demo = demo_on_each_engine
    alias = _alias(demo, "@bellehelene")
    theo = demo.accounts.sign_in("theo", "theo-demo-pass")
    _ready(demo, theo, alias)
    damaged = next(m for m in demo.inbox.messages(theo, alias.id) if "abîmée" in m.text)
    demo.posting.reply(theo, damaged.id, "Désolés, on regarde ça.")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@bellehelene")
        table = pilot.app.screen.query_one("#inbox-table", DataTable)

        def state():
            rows = [row for row in cells(table) if row[2].startswith(damaged.author_handle)]
            return rows[0][0].strip() if rows else None

        await until(pilot, lambda: state() == "approval", what="the thread awaiting approval")
        await pilot.press("f")  # unanswered: the fan still waits for the reply to go out
        await until(
            pilot,
            lambda: "unanswered" in _shown(pilot.app.screen, "#inbox-filter").lower(),
            what="the unanswered filter",
        )
        await settle(pilot)
        assert state() == "approval"


async def test_the_audit_tab_leaves_out_syncs_the_ledger_keeps(demo, clock):
    alias = _alias(demo, "@acmehelp")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        clock.advance(minutes=1)
        demo.public.mention("@newfan", "@acmehelp Where is my parcel?")
        demo.inbox.sync(alias.id)
        table = pilot.app.screen.query_one("#inbox-table", DataTable)
        await until(pilot, lambda: "@newfan" in _contacts(table), what="the synced message")
        await pilot.press("a")
        audit = pilot.app.screen.query_one("#audit-table", DataTable)
        await until(
            pilot, lambda: any(r[3] == "shift.started" for r in cells(audit)), what="the audit"
        )
        assert not [row for row in cells(audit) if row[3] == "inbox.synced"]
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    ledger = [e.event.kind for e in demo.audit.for_alias(lea, alias.id)]
    assert "inbox.synced" in ledger


def _screen_lines(app):
    """The text on screen, row by row, as the terminal shows it (read from a screenshot)."""
    rows: dict[float, list[tuple[float, str]]] = {}
    svg = app.export_screenshot()
    for x, y, text in re.findall(
        r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg
    ):
        rows.setdefault(float(y), []).append((float(x), html.unescape(text).replace("\xa0", " ")))
    return ["".join(text for _, text in sorted(rows[y])) for y in sorted(rows)]


async def test_at_80x24_the_sign_in_screen_shows_every_demo_account(demo, clock):
    async with make_app(demo, clock).run_test(size=(80, 24)) as pilot:
        screen = pilot.app.screen
        await until(pilot, lambda: pilot.app.focused is not None, what="the name field")
        box = screen.query_one("#demo-accounts")
        assert box.region.height > 0
        assert screen.region.contains_region(box.region)
        lines = _screen_lines(pilot.app)
    assert len(demo_data.ACCOUNTS) == 4
    for account in demo_data.ACCOUNTS:
        assert any(account.name in line and account.passphrase in line for line in lines), account


async def test_a_review_refused_is_said_on_its_status_line_and_the_reply_stays(demo, clock):
    alias = _alias(demo, "@bellehelene")
    theo = demo.accounts.sign_in("theo", "theo-demo-pass")
    _ready(demo, theo, alias)
    damaged = next(m for m in demo.inbox.messages(theo, alias.id) if "abîmée" in m.text)
    post = demo.posting.reply(theo, damaged.id, "Désolés, on regarde ça.")
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("p")
        table = pilot.app.screen.query_one("#approval-table", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="the trainee's reply to approve")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen), what="review")
        review = pilot.app.screen
        lea = demo.accounts.sign_in("lea", "lead-demo-pass")
        demo.posting.reject(lea, post.id, "Sent back from another console.")
        await pilot.press("ctrl+s")
        await until(
            pilot,
            lambda: "ctrl+s approves" not in _shown(review, "#review-status"),
            what="the refusal on the review's status line",
        )
        assert pilot.app.screen is review
        assert review.query_one("#review-status").has_class("error")
