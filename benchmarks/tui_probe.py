"""Drive the console as a lead would on the workspace given, then print the peak resident memory
of this process as JSON. Run by the memory benchmark in a process of its own:

    python -m benchmarks.tui_probe URL FACTS_JSON
"""

import asyncio
import json
import sys
import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, OptionList

from benchmarks.generate import Facts
from cmconsole.tui.app import CmconsoleApp
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.alias_picker import AliasPickerScreen
from cmconsole.tui.screens.handover_read import HandoverReadScreen
from cmconsole.wiring import open_services

SCROLLS = 12


async def until(
    pilot: Pilot[str | None], ready: Callable[[], bool], what: str, limit: float = 120
) -> None:
    deadline = time.monotonic() + limit
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the console never showed {what}")
        await asyncio.sleep(0.05)


def rows(app: CmconsoleApp, table: str) -> int:
    found = app.screen.query(f"#{table}")
    return found.first(DataTable).row_count if found else 0


async def scroll(pilot: Pilot[str | None], table: DataTable[object]) -> None:
    """What PageDown, End and Home do. (Pilot's press and pause wait for the process to go idle,
    which a console polling its workspace every second never quite does: the probe calls the
    actions the keys are bound to, and lets the console run between them.)"""
    for _ in range(SCROLLS):
        table.action_page_down()
        await asyncio.sleep(0.05)
    table.action_scroll_bottom()
    await asyncio.sleep(0.05)
    table.action_scroll_top()
    await asyncio.sleep(0.05)


async def drive(url: str, facts: Facts) -> None:
    now = facts.moment
    services = open_services(url, clock=lambda: now)
    app = CmconsoleApp(services, clock=lambda: now, public_every=None)
    app.animation_level = "none"  # scrolling jumps: the probe measures memory, not animation
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            app.screen.query_one("#name", Input).value = facts.lead
            app.screen.query_one("#passphrase", Input).value = facts.passphrase
            app.screen.query_one("#sign-in-button", Button).press()
            await until(
                pilot,
                lambda: (
                    isinstance(app.screen, AliasPickerScreen)
                    and bool(app.screen.query("#aliases"))
                    and app.screen.query_one("#aliases", OptionList).option_count > 0
                ),
                "the lead's aliases",
            )
            options = app.screen.query_one("#aliases", OptionList)
            for index in range(options.option_count):
                if facts.alias_handle in str(options.get_option_at_index(index).prompt):
                    options.highlighted = index
            options.action_select()
            await until(
                pilot,
                lambda: isinstance(app.screen, AliasScreen | HandoverReadScreen),
                "the alias",
            )
            while isinstance(app.screen, HandoverReadScreen):
                app.screen.action_acknowledge()
                await asyncio.sleep(0.2)
            screen = app.screen
            assert isinstance(screen, AliasScreen)
            await until(pilot, lambda: rows(app, "inbox-table") > 0, "the inbox")
            await scroll(pilot, screen.query_one("#inbox-table", DataTable))
            screen.action_tab("audit")
            await until(pilot, lambda: rows(app, "audit-table") > 0, "the audit")
            await scroll(pilot, screen.query_one("#audit-table", DataTable))
            screen.action_tab("spoken")
            await asyncio.sleep(1.0)
            screen.action_tab("inbox")
            await asyncio.sleep(2.5)  # another round of the polls that refresh everything
    finally:
        services.close()


def main() -> None:
    url, facts = sys.argv[1], Facts.from_json(sys.argv[2])
    asyncio.run(drive(url, facts))
    print(json.dumps({"peak_mb": own_peak_mb()}))


def own_peak_mb() -> float:
    """This process's own peak resident memory. (getrusage's ru_maxrss is not: it keeps the peak
    of the parent this process was forked from, which for the benchmark is the process that built
    the whole workspace.)"""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    main()
