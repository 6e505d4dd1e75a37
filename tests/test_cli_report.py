"""`cmconsole report` and `cmconsole alias set-hours` on the demo workspace: the numbers the
service counts, as text, CSV or JSON; errors in one line."""

import csv
import io
import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from cmconsole.cli import main
from cmconsole.wiring import open_services

UNTIL = date.today() + timedelta(days=1)
SINCE = UNTIL - timedelta(days=30)


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'demo.db'}"
    assert CliRunner().invoke(main, ["demo", "--no-launch", "--db", url]).exit_code == 0
    return url


def run(db, *args, who="lea", passphrase="lead-demo-pass"):
    command = [*args, "--as", who, "--passphrase-stdin", "--db", db]
    return CliRunner().invoke(main, command, input=f"{passphrase}\n")


def period(*extra):
    return [
        "report",
        "--alias",
        "@bellehelene",
        "--since",
        str(SINCE),
        "--until",
        str(UNTIL),
        *extra,
    ]


def service_report(db, who, passphrase):
    services = open_services(db)
    try:
        person = services.accounts.sign_in(who, passphrase)
        alias = next(a for a in services.accounts.aliases() if a.handle == "@bellehelene")
        return services.reports.report(person, alias.id, SINCE, UNTIL)
    finally:
        services.close()


def test_json_holds_the_numbers_the_service_counts(demo_db):
    result = run(demo_db, *period("--format", "json"))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    expected = service_report(demo_db, "lea", "lead-demo-pass")
    assert document["team"]["received"] == expected.team.received > 0
    assert document["team"]["replies"] == expected.team.replies > 0
    assert document["team"]["median_seconds"] == expected.team.median_seconds
    assert [d["backlog"] for d in document["days"]] == [d.backlog for d in expected.days]
    assert [o["name"] for o in document["operators"]] == [o.name for o in expected.operators]


def test_csv_has_a_row_per_team_operator_day_and_hour(demo_db):
    result = run(demo_db, *period("--format", "csv"))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = service_report(demo_db, "lea", "lead-demo-pass")
    [team] = [row for row in rows if row["section"] == "team"]
    assert int(team["received"]) == expected.team.received
    assert int(team["threads_answered"]) == expected.team.threads_answered
    assert len([row for row in rows if row["section"] == "day"]) == 31
    assert len([row for row in rows if row["section"] == "hour"]) == 24


def test_text_lists_the_team_then_each_operator(demo_db):
    result = run(demo_db, *period())
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"@bellehelene from {SINCE} to {UNTIL}")
    assert "the team's numbers" in lines[0]
    assert lines[3].startswith("@bellehelene\t")


def test_an_operator_gets_only_their_own_numbers(demo_db):
    result = run(demo_db, *period("--format", "json"), who="anna", passphrase="anna-demo-pass")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["team"] is None and document["scope"] == "anna"
    assert [o["name"] for o in document["operators"]] == ["anna"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["report", "--alias", "@bellehelene", "--since", "2026-13-01"],
            "--since '2026-13-01' is not a date",
        ),
        (["report", "--alias", "@nobody"], "there is no alias @nobody"),
        (
            ["report", "--alias", "@bellehelene", "--since", "2026-02-01", "--until", "2026-01-01"],
            "ends",
        ),
        (["alias", "set-hours", "@bellehelene", "mon-fri 9-18"], "is not like"),
    ],
)
def test_bad_input_is_one_line_without_a_traceback(demo_db, args, message):
    result = run(demo_db, *args)
    assert result.exit_code != 0
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


def test_set_hours_changes_what_reports_count_in(demo_db):
    result = run(
        demo_db, "alias", "set-hours", "bellehelene", "mon-fri 09:00-18:00", "--target", "60"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "@bellehelene is staffed mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; "
        "thu 09:00-18:00; fri 09:00-18:00, answering within 60 min"
    )
    report = service_report(demo_db, "lea", "lead-demo-pass")
    assert report.target_minutes == 60 and report.business_hours.startswith("mon 09:00")
    refused = run(
        demo_db,
        "alias",
        "set-hours",
        "@bellehelene",
        "always",
        who="anna",
        passphrase="anna-demo-pass",
    )
    assert refused.exit_code == 1 and "only a lead of @bellehelene" in refused.stderr
