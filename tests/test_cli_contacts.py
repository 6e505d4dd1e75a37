"""`cmconsole contact` on the demo workspace: cards, notes, tags, ratings; errors in one line;
the public's text printed inert."""

import json

import pytest
from click.testing import CliRunner

from cmconsole.cli import main
from cmconsole.wiring import open_services

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


def contact(demo_db, who, *args):
    command = ["contact", *args, "--as", who, "--passphrase-stdin", "--db", demo_db]
    return CliRunner().invoke(main, command, input=f"{PASSES[who]}\n")


def _one_line_refusal(result, words):
    assert result.exit_code != 0
    assert words in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_show_prints_the_card_with_each_reply_s_real_author(demo_db):
    result = contact(demo_db, "lea", "show", "@bellehelene", "@marie.patisse")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("contact\t@marie.patisse\t")
    history = [line.split("\t") for line in lines if "\treply\t" in line or "\tmessage\t" in line]
    assert [row[1:3] for row in history][:2] == [["message", "@marie.patisse"], ["reply", "anna"]]


def test_a_trainee_s_note_is_flagged_and_a_correction_marks_the_note_it_corrects(demo_db):
    result = contact(demo_db, "theo", "note", "@bellehelene", "jules75", "Très déçu du colis")
    assert result.exit_code == 0, result.output
    note_id = int(result.stdout.split()[1])
    fixed = contact(
        demo_db,
        "anna",
        "note",
        "@bellehelene",
        "@jules75",
        "Remboursé",
        "--pin",
        "--corrects",
        str(note_id),
    )
    assert fixed.exit_code == 0, fixed.output
    shown = contact(demo_db, "lea", "show", "@bellehelene", "@jules75", "--json")
    notes = json.loads(shown.stdout)["notes"]
    assert [(n["author"], n["pinned"], n["trainee"], n["corrected"]) for n in notes] == [
        ("anna", True, False, False),
        ("theo", False, True, True),
    ]


def test_tags_come_from_the_list_a_lead_edits_and_do_not_engage_is_shown(demo_db):
    refused = contact(demo_db, "anna", "tags", "@bellehelene", "--set", "VIP,press")
    _one_line_refusal(refused, "only a lead of @bellehelene")
    edited = contact(demo_db, "lea", "tags", "@bellehelene", "--set", "VIP,press,do-not-engage")
    assert edited.stdout.splitlines() == ["VIP", "press", "do-not-engage"]
    tagged = contact(demo_db, "anna", "tag", "@bellehelene", "@jules75", "do-not-engage")
    assert tagged.exit_code == 0 and tagged.stdout.startswith("tagged @jules75")
    _one_line_refusal(
        contact(demo_db, "anna", "tag", "@bellehelene", "@jules75", "partner"),
        "'partner' is not one of @bellehelene's tags",
    )
    shown = contact(demo_db, "theo", "show", "@bellehelene", "@jules75")
    assert "warning\tdo-not-engage" in shown.stdout


def test_ratings_are_given_with_a_reason_and_refused_to_trainees(demo_db):
    rated = contact(
        demo_db,
        "anna",
        "rate",
        "@bellehelene",
        "@camille_b",
        "expertise",
        "4",
        "--reason",
        "pâtissière",
    )
    assert rated.exit_code == 0, rated.output
    shown = json.loads(
        contact(demo_db, "lea", "show", "@bellehelene", "@camille_b", "--json").stdout
    )
    assert shown["ratings"]["expertise"]["by"] == "anna"
    _one_line_refusal(
        contact(
            demo_db, "theo", "rate", "@bellehelene", "@camille_b", "trust", "2", "--reason", "x"
        ),
        "a trainee does not rate",
    )
    out_of_range = contact(
        demo_db, "anna", "rate", "@bellehelene", "@camille_b", "trust", "9", "--reason", "x"
    )
    assert out_of_range.exit_code == 2 and "Traceback" not in out_of_range.output
    listed = contact(demo_db, "lea", "list", "@bellehelene", "--sort", "get-to-know")
    assert listed.stdout.splitlines()[0].split("\t")[2] == "@camille_b"


def test_the_public_s_text_is_printed_inert(demo_db):
    services = open_services(demo_db)
    services.public.mention("@mallory", "@bellehelene \x1b]0;owned\x07[@click=app.quit]hi[/]")
    alias = next(a for a in services.accounts.aliases() if a.handle == "@bellehelene")
    services.inbox.sync(alias.id)
    services.close()
    result = contact(demo_db, "lea", "show", "@bellehelene", "@mallory")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "[@click=app.quit]" in result.stdout  # shown as text, never parsed
    as_json = contact(demo_db, "lea", "show", "@bellehelene", "@mallory", "--json")
    assert "\x1b" not in as_json.stdout
    assert "\x1b]0;owned" in json.loads(as_json.stdout)["history"][0]["text"]


def test_refusals_are_one_line(demo_db):
    _one_line_refusal(
        contact(demo_db, "lea", "show", "@bellehelene", "@nobody"),
        "@bellehelene has no contact @nobody",
    )
    _one_line_refusal(contact(demo_db, "lea", "show", "@nope", "@jules75"), "no alias @nope")
    bare = CliRunner().invoke(main, ["contact", "list", "@bellehelene", "--db", demo_db])
    assert bare.exit_code == 2 and "--as NAME" in bare.stderr
