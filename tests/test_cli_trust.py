"""The command line is not a back door: once a workspace has a lead, commands that change people,
roles, guides or credentials, or read others' audit, act as a signed-in person."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cmconsole.domain.model import Role
from cmconsole.wiring import open_services
from tests.cli_run import run

PASSPHRASE = "correct horse battery"
GUIDE = str(Path(__file__).resolve().parent.parent / "config" / "guides" / "acmehelp.toml")
CLOSED = "cmconsole: this workspace has a lead: say who you are with --as NAME\n"


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CMCONSOLE_AS", raising=False)


@pytest.fixture
def db(tmp_path):
    """Set up from the shell while the workspace has no lead, as the README shows: lea leads
    @acmehelp, theo is a trainee and omar an operator there."""
    url = f"sqlite:///{tmp_path / 'trust.db'}"
    assert run("init", "--db", url).exit_code == 0
    for name in ("lea", "theo", "omar"):
        added = run("operator", "add", name, "--passphrase-stdin", "--db", url, input=PASSPHRASE)
        assert added.exit_code == 0, added.output
    assert run("alias", "add", "@acmehelp", "--name", "Acme", "--db", url).exit_code == 0
    assert run("grant", "theo", "@acmehelp", "trainee", "--db", url).exit_code == 0
    assert run("grant", "omar", "@acmehelp", "operator", "--db", url).exit_code == 0
    granted = run("grant", "lea", "@acmehelp", "lead", "--db", url)
    assert granted.exit_code == 0, granted.output
    return url


def _role(db: str, name: str) -> Role | None:
    services = open_services(db)
    try:
        lea = services.accounts.sign_in("lea", PASSPHRASE)
        [alias] = services.accounts.aliases()
        members = services.team.members(lea, alias.id)
        return next((m.role for m in members if m.operator.name == name), None)
    finally:
        services.close()


def _events(db: str) -> list[dict[str, object]]:
    exported = run(
        "audit", "export", "--db", db, "--as", "lea", "--passphrase-stdin", input=PASSPHRASE
    )
    assert exported.exit_code == 0, exported.output
    return [json.loads(line) for line in exported.stdout.splitlines()]


def test_an_unsigned_shell_no_longer_promotes_a_trainee(db):
    refused = run("grant", "theo", "@acmehelp", "operator", "--db", db)
    assert (refused.exit_code, refused.output) == (2, CLOSED)
    as_theo = run(
        "grant", "theo", "@acmehelp", "operator", "--as", "theo", "--passphrase-stdin",
        "--db", db, input=PASSPHRASE + "\n",
    )  # fmt: skip
    assert as_theo.exit_code == 1
    assert as_theo.output == "cmconsole: only a lead of @acmehelp can grant roles\n"
    assert _role(db, "theo") is Role.TRAINEE


def test_a_wrong_passphrase_is_refused_and_audited(db):
    wrong = run(
        "grant", "theo", "@acmehelp", "operator", "--as", "lea", "--passphrase-stdin",
        "--db", db, input="not her passphrase\n",
    )  # fmt: skip
    assert wrong.exit_code == 1
    assert wrong.output == "cmconsole: unknown operator or wrong passphrase\n"
    assert _role(db, "theo") is Role.TRAINEE
    refused = [e for e in _events(db) if e["kind"] == "sign_in.refused"]
    assert [(e["subject"], e["details"]) for e in refused] == [
        ("lea", {"reason": "wrong passphrase"})
    ]


def test_a_lead_grants_from_the_shell_and_the_audit_names_her(db):
    granted = run(
        "grant", "theo", "@acmehelp", "operator", "--as", "lea", "--passphrase-stdin",
        "--db", db, input=PASSPHRASE + "\n",
    )  # fmt: skip
    assert granted.exit_code == 0, granted.output
    assert _role(db, "theo") is Role.OPERATOR
    [changed] = [e for e in _events(db) if e["kind"] == "role.changed"]
    assert (changed["actor"], changed["subject"]) == ("lea", "theo")


def test_the_name_can_come_from_the_environment_but_never_the_passphrase(db):
    env = {"CMCONSOLE_AS": "lea"}
    closed = run("grant", "theo", "@acmehelp", "operator", "--db", db, env=env)
    # No terminal to ask on, and the passphrase is not taken from anywhere but stdin or a prompt.
    assert closed.exit_code == 2
    assert "no terminal to ask lea's passphrase: pass --passphrase-stdin" in closed.output
    granted = run(
        "grant", "theo", "@acmehelp", "operator", "--passphrase-stdin", "--db", db,
        input=PASSPHRASE + "\n", env=env,
    )  # fmt: skip
    assert granted.exit_code == 0, granted.output
    assert _role(db, "theo") is Role.OPERATOR


def test_nobody_grants_a_deactivated_operator_lead(db):
    left = run(
        "operator", "deactivate", "omar", "--reason", "left", "--as", "lea",
        "--passphrase-stdin", "--db", db, input=PASSPHRASE + "\n",
    )  # fmt: skip
    assert left.exit_code == 0, left.output
    granted = run(
        "grant", "omar", "@acmehelp", "lead", "--as", "lea", "--passphrase-stdin", "--db", db,
        input=PASSPHRASE + "\n",
    )  # fmt: skip
    assert granted.exit_code == 1
    assert granted.output == "cmconsole: omar has been deactivated\n"
    assert _role(db, "omar") is Role.OPERATOR


def test_an_operator_exports_only_their_own_events(db):
    services = open_services(db)
    omar = services.accounts.sign_in("omar", PASSPHRASE)
    theo = services.accounts.sign_in("theo", PASSPHRASE)
    [alias] = services.accounts.aliases()
    services.shifts.start(omar, alias.id)
    services.shifts.start(theo, alias.id)
    services.close()

    assert run("audit", "export", "--alias", "@acmehelp", "--db", db).output == CLOSED
    assert run("audit", "list", "--db", db).output == CLOSED
    for command in (["audit", "export", "--alias", "@acmehelp"], ["audit", "list"]):
        as_omar = run(
            *command, "--as", "omar", "--passphrase-stdin", "--db", db, input=PASSPHRASE + "\n"
        )
        assert as_omar.exit_code == 0, as_omar.output
        lines = as_omar.stdout.splitlines()
        actors = (
            {json.loads(line)["actor"] for line in lines}
            if command[1] == "export"
            else {line.split("\t")[3] for line in lines}
        )
        assert actors == {"omar"}, command
    everyone = {e["actor"] for e in _events(db)}
    assert {"lea", "omar", "theo"} <= everyone


def test_changing_people_aliases_and_guides_needs_a_lead(db):
    cases = [
        ["operator", "add", "newbie"],
        ["operator", "deactivate", "omar", "--reason", "left"],
        ["alias", "add", "@third", "--name", "Third"],
        ["guide", "import", "@acmehelp", GUIDE],
        ["saved", "add", "@acmehelp", "hi", "Hello!"],
        ["saved", "remove", "@acmehelp", "hi"],
        ["alias", "connect-x", "@acmehelp"],
    ]
    for command in cases:
        unsigned = run(*command, "--db", db, input=PASSPHRASE + "\n")
        assert (unsigned.exit_code, unsigned.output) == (2, CLOSED), command
        as_omar = run(
            *command, "--as", "omar", "--passphrase-stdin", "--db", db,
            input=f"{PASSPHRASE}\n{PASSPHRASE}\n",
        )  # fmt: skip
        assert as_omar.exit_code == 1, (command, as_omar.output)
        assert "only a lead" in as_omar.output, command
        assert "Traceback" not in as_omar.output
    names = run("operator", "list", "--db", db).output
    assert "newbie" not in names and "omar\tomar\tO\tactive" in names


def test_a_lead_adds_an_operator_reading_both_passphrases_from_stdin(db):
    added = run(
        "operator", "add", "newbie", "--as", "lea", "--passphrase-stdin", "--db", db,
        input=f"{PASSPHRASE}\nnewbie's own passphrase\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    services = open_services(db)
    try:
        assert services.accounts.sign_in("newbie", "newbie's own passphrase").name == "newbie"
    finally:
        services.close()
    [event] = [e for e in _events(db) if e["kind"] == "operator.added" and e["subject"] == "newbie"]
    assert event["actor"] == "lea"


def test_a_real_shell_process_is_held_to_the_same_rule(db):
    command = [sys.executable, "-m", "cmconsole", "grant", "theo", "@acmehelp", "operator"]
    env = {**os.environ, "CMCONSOLE_DATABASE_URL": db}
    closed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert (closed.returncode, closed.stderr) == (2, CLOSED)
    as_lea = subprocess.run(
        [*command, "--as", "lea", "--passphrase-stdin"],
        env=env, input=PASSPHRASE + "\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert as_lea.returncode == 0, as_lea.stderr
    assert as_lea.stdout == "theo is now operator on @acmehelp\n"
    assert _role(db, "theo") is Role.OPERATOR


def test_on_a_terminal_the_passphrase_is_asked_hidden_and_never_echoed(db, tmp_path):
    from tests.test_pty import TIMEOUT, Terminal, _plain_env

    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "cmconsole", "grant", "theo", "@acmehelp", "operator"]
    terminal = Terminal([*command, "--as", "lea", "--db", db], _plain_env(tmp_path), root)
    try:
        asked = terminal.expect("lea's passphrase: ")
        terminal.type(PASSPHRASE + "\r")
        terminal.expect("theo is now operator on @acmehelp", asked)
        assert terminal.process.wait(timeout=TIMEOUT) == 0
        assert PASSPHRASE.encode() not in terminal.output
    finally:
        terminal.close()
    assert _role(db, "theo") is Role.OPERATOR
