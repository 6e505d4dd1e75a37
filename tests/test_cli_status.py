"""`cmconsole status` on the demo workspace: each alias and what waits, in lines or JSON."""

import json

import pytest
from click.testing import CliRunner

from cmconsole.cli import main


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CMCONSOLE_AS", raising=False)


@pytest.fixture
def demo_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert CliRunner().invoke(main, ["demo", "--no-launch", "--db", url]).exit_code == 0
    return url


def status(db, *args, name="anna", passphrase="anna-demo-pass"):
    command = ["status", *args, "--as", name, "--passphrase-stdin", "--db", db]
    return CliRunner().invoke(main, command, input=f"{passphrase}\n")


def test_status_lists_both_of_annas_aliases_with_what_waits(demo_db):
    result = status(demo_db)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "anna: 2 aliases, 4 threads waiting"
    handles = [line.split(" ", 1)[0] for line in lines[1:3]]
    assert sorted(handles) == ["@acmehelp", "@bellehelene"]
    acme = next(line for line in lines if line.startswith("@acmehelp"))
    assert "2 waiting, oldest" in acme and "on shift: nobody" in acme
    assert "to read: " in acme  # omar's handover


def test_status_as_json_gives_each_alias_and_the_leads_unattended(demo_db):
    result = status(demo_db, "--json", name="lea", passphrase="lead-demo-pass")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["person"] == "lea"
    by_handle = {row["handle"]: row for row in found["aliases"]}
    assert set(by_handle) == {"@acmehelp", "@bellehelene"}
    assert by_handle["@acmehelp"]["unanswered"] == 2
    assert by_handle["@acmehelp"]["role"] == "lead"
    assert sorted(found["unattended"]) == ["@acmehelp", "@bellehelene"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "say who you are with --as NAME"),
        (("--as", "nobody", "--passphrase-stdin"), "unknown operator or wrong passphrase"),
    ],
)
def test_status_refusals_are_one_line_and_exit_non_zero(demo_db, args, words):
    result = CliRunner().invoke(main, ["status", *args, "--db", demo_db], input="x\n")
    assert result.exit_code != 0
    [line] = result.output.splitlines()
    assert line.startswith("cmconsole: ") and words in line


def test_a_wrong_passphrase_is_refused_in_one_line(demo_db):
    result = status(demo_db, passphrase="wrong")
    assert result.exit_code != 0
    [line] = result.output.splitlines()
    assert line.startswith("cmconsole: ")
