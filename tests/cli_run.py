"""The command line run in-process, and kept from the user's own data and shell variables."""

from collections.abc import Mapping

import pytest
from click.testing import CliRunner, Result

from cmconsole.cli import main

# Variables of the shell that would point a test at the user's workspace or keys.
SHELL_SETTINGS = (
    "CMCONSOLE_DATABASE_URL",
    "CMCONSOLE_CREDENTIALS",
    "CMCONSOLE_X_CONSUMER_KEY",
    "CMCONSOLE_X_CONSUMER_SECRET",
)


def run(
    *args: str, input: str | bytes | None = None, env: Mapping[str, str] | None = None
) -> Result:
    """`cmconsole ARGS` as a shell would run it, its output and exit code kept."""
    return CliRunner().invoke(main, list(args), input=input, env=env)


def run_clean(*args: str, input: str | bytes | None = None) -> Result:
    """Like `run`, and a traceback (anything but an exit) fails the test with the output."""
    result = run(*args, input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def keep_private(tmp_path, monkeypatch: pytest.MonkeyPatch, *more: str) -> None:
    """Home and data directories of the test's own, and no workspace or keys from the shell;
    `more` variables are recorded first, so that what a command sets is undone after the test."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in (*SHELL_SETTINGS, *more):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
