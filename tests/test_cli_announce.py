"""`cmconsole announce` and `cmconsole scheduled` on the demo workspace: times on the alias's
clock, leads' moves and cancels, errors in one line, the text printed inert."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from cmconsole.cli import main

PASSES = {"lea": "lead-demo-pass", "anna": "anna-demo-pass", "theo": "theo-demo-pass"}


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)


@pytest.fixture
def demo_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert CliRunner().invoke(main, ["demo", "--no-launch", "--db", url]).exit_code == 0
    return url


def run(demo_db, who, *args):
    command = [*args, "--as", who, "--passphrase-stdin", "--db", demo_db]
    return CliRunner().invoke(main, command, input=f"{PASSES[who]}\n")


def _tomorrow_in_paris(hour: int) -> str:
    day = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)
    return f"{day:%Y-%m-%d} {hour:02d}:00"


def _one_line_refusal(result, words):
    assert result.exit_code != 0
    assert words in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_scheduled_announcement_is_listed_on_the_alias_clock_and_a_lead_moves_it(demo_db):
    at = _tomorrow_in_paris(9)
    made = run(demo_db, "anna", "announce", "@bellehelene", "La galette arrive !", "--at", at)
    assert made.exit_code == 0, made.output
    post_id = int(made.stdout.split()[1])
    assert made.stdout.strip() == f"post {post_id} queued for {at}"
    listed = run(demo_db, "anna", "scheduled", "list", "@bellehelene")
    assert listed.stdout.splitlines() == [f"{post_id}\t{at}\tsandbox\tqueued\tLa galette arrive !"]
    refused = run(demo_db, "anna", "scheduled", "move", "@bellehelene", str(post_id), "--at", at)
    _one_line_refusal(refused, "only a lead")
    later = _tomorrow_in_paris(11)
    moved = run(demo_db, "lea", "scheduled", "move", "@bellehelene", str(post_id), "--at", later)
    assert moved.exit_code == 0, moved.output
    as_json = run(demo_db, "lea", "scheduled", "list", "@bellehelene", "--json")
    [row] = [json.loads(line) for line in as_json.stdout.splitlines()]
    wall = datetime.fromisoformat(row["scheduled_for"]).astimezone(ZoneInfo("Europe/Paris"))
    assert f"{wall:%Y-%m-%d %H:%M}" == later
    cancelled = run(
        demo_db, "lea", "scheduled", "cancel", "@bellehelene", str(post_id), "--reason", "rupture"
    )
    assert cancelled.exit_code == 0, cancelled.output
    assert run(demo_db, "lea", "scheduled", "list", "@bellehelene").stdout == ""


def test_bad_times_and_a_post_of_another_alias_are_refused_in_one_line(demo_db):
    _one_line_refusal(
        run(demo_db, "anna", "announce", "@bellehelene", "Bonjour", "--at", "demain 9h"),
        "YYYY-MM-DD HH:MM",
    )
    _one_line_refusal(
        run(demo_db, "anna", "announce", "@bellehelene", "Bonjour", "--at", "2020-01-01 09:00"),
        "has passed",
    )
    made = run(
        demo_db, "anna", "announce", "@bellehelene", "Bonjour", "--at", _tomorrow_in_paris(10)
    )
    post_id = made.stdout.split()[1]
    other = run(demo_db, "lea", "scheduled", "cancel", "@acmehelp", post_id, "--reason", "x")
    _one_line_refusal(other, "is not @acmehelp's")


def test_the_guide_gate_and_the_checker_hold_from_the_shell(demo_db):
    # theo, the demo's trainee, has not read the guide yet: he may not speak for the alias.
    unread = run(
        demo_db, "theo", "announce", "@bellehelene", "Bonjour", "--at", _tomorrow_in_paris(9)
    )
    _one_line_refusal(unread, "acknowledge the guide")
    hidden = run(demo_db, "anna", "announce", "@bellehelene", "Bonjour \x1b[31mà tous")
    _one_line_refusal(hidden, "unsafe-characters")
    assert "\x1b" not in hidden.stderr
    assert run(demo_db, "anna", "scheduled", "list", "@bellehelene").stdout == ""


def test_only_a_lead_sets_the_late_hold(demo_db):
    _one_line_refusal(
        run(demo_db, "anna", "scheduled", "late-hold", "@bellehelene", "15"), "only a lead"
    )
    result = run(demo_db, "lea", "scheduled", "late-hold", "@bellehelene", "15")
    assert result.exit_code == 0 and "more than 15 min" in result.stdout
