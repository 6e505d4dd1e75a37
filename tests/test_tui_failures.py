"""A background load that fails is said on the screen's error line, and never its details."""

import pytest
from textual.widgets import Static

from cmconsole.domain.errors import WorkspaceUnavailable
from tests.pilot import SIZE, make_app, open_alias, settle, sign_in, until


@pytest.mark.parametrize(
    "error, said",
    [
        (RuntimeError("secret url"), "Something went wrong (RuntimeError)"),
        (WorkspaceUnavailable("The workspace is unreachable."), "The workspace is unreachable."),
    ],
)
async def test_a_failed_who_spoke_load_is_said(demo, clock, monkeypatch, error, said):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(demo.audit, "spoken", broken)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("w")
        line = pilot.app.screen.query_one("#alias-error", Static)
        await until(pilot, lambda: str(line.render()).startswith(said), what="the failure said")
        assert "secret url" not in str(line.render())
        assert pilot.app.is_running  # the console carries on


async def test_a_failure_is_handled_once(demo, clock, monkeypatch, caplog):
    """Textual calls each class's handler of a message: a screen's handler that also called its
    base class's handled every failure twice."""

    run, calls = demo.pump.run, []

    def broken_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("secret url")
        return run(*args, **kwargs)

    monkeypatch.setattr(demo.pump, "run", broken_once)  # a worker of the alias screen
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@acmehelp")
        # The run after the failed one has begun: the failure has long been handled.
        await until(pilot, lambda: len(calls) > 1, what="the next pump")
        await settle(pilot)
    logged = [r for r in caplog.records if r.getMessage() == "a console task failed"]
    assert len(logged) == 1
