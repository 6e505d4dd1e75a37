"""`cmconsole search` on the demo workspace: hits in lines or JSON, errors in one line."""

import json

import pytest
from click.testing import CliRunner

from cmconsole.cli import main
from cmconsole.wiring import open_services


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)


@pytest.fixture
def demo_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert CliRunner().invoke(main, ["demo", "--no-launch", "--db", url]).exit_code == 0
    return url


def as_lea(*args, passphrase="lead-demo-pass"):
    command = ["search", *args, "--as", "lea", "--passphrase-stdin"]
    return CliRunner().invoke(main, command, input=f"{passphrase}\n")


def test_search_prints_the_hits_best_first_with_the_message_to_open(demo_db):
    result = as_lea("boite ecrasee", "--alias", "@bellehelene", "--db", demo_db)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines and all(line.count("\t") == 4 for line in lines)
    _, kind, contact, message_id, text = lines[0].split("\t")
    assert (kind, contact) == ("message", "@jules75")
    assert "écrasée" in text
    services = open_services(demo_db)
    lea = services.accounts.sign_in("lea", "lead-demo-pass")
    alias = next(a for a in services.accounts.aliases() if a.handle == "@bellehelene")
    conversation = services.inbox.conversation(lea, alias.id, "@jules75", int(message_id))
    services.close()
    assert "écrasée" in next(m.text for m in conversation.messages if m.id == int(message_id))


def test_search_as_json_keeps_the_text_exact_and_says_whether_more_follow(demo_db):
    result = as_lea("API key", "--alias", "acmehelp", "--json", "--db", demo_db)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["page"], document["more"]) == (1, False)
    kinds = {hit["kind"] for hit in document["hits"]}
    assert kinds == {"message", "reply"}  # "How do I reset my API key?" and omar's answer
    assert all(hit["contact"] == "@kim_r" for hit in document["hits"])
    [reply] = [hit for hit in document["hits"] if hit["kind"] == "reply"]
    assert reply["text"].startswith("Settings > API > Regenerate.")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["*", "--alias", "@acmehelp"], "at least one word"),
        (["ship", "--alias", "@nobody"], "no alias @nobody"),
    ],
)
def test_search_refusals_are_one_line_and_exit_non_zero(demo_db, args, words):
    result = as_lea(*args, "--db", demo_db)
    assert result.exit_code != 0
    assert words in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) <= 2


def test_search_needs_a_member_of_the_alias(demo_db):
    result = CliRunner().invoke(main, ["search", "ship", "--alias", "@acmehelp", "--db", demo_db])
    assert result.exit_code == 2 and "--as NAME" in result.stderr


def test_pages_are_counted_from_one(demo_db):
    result = as_lea("ship", "--alias", "@acmehelp", "--page", "0", "--db", demo_db)
    assert result.exit_code == 2 and "'--page': 0 is not in the range" in result.stderr


def test_text_from_the_public_reaches_the_terminal_inert(demo_db):
    services = open_services(demo_db)
    alias = next(a for a in services.accounts.aliases() if a.handle == "@acmehelp")
    services.public.mention("@evil\x1b[2J", "@acmehelp parcel \x1b]0;pwned\x07 \x1b[31mred\u202e")
    services.inbox.sync(alias.id)
    services.close()
    result = as_lea("parcel", "--alias", "@acmehelp", "--db", demo_db)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\u202e" not in result.stdout and "parcel" in result.stdout
    as_json = as_lea("parcel", "--alias", "@acmehelp", "--json", "--db", demo_db)
    assert "\x1b" not in as_json.stdout
    [hit] = json.loads(as_json.stdout)["hits"]
    assert "\x1b]0;pwned\x07" in hit["text"]  # exact in JSON, escaped on the way out


def test_a_private_message_found_says_so_in_lines_and_in_json(demo_db):
    services = open_services(demo_db)
    try:
        alias = next(a for a in services.accounts.aliases() if a.handle == "@acmehelp")
        services.public.mention("@kim_r", "@acmehelp zanzibar: 3 rue X", private=True)
        services.inbox.sync(alias.id)
    finally:
        services.close()
    [line] = as_lea("--alias", "@acmehelp", "zanzibar", "--db", demo_db).stdout.splitlines()
    assert line.split("\t")[4] == "private: @acmehelp zanzibar: 3 rue X"
    [hit] = json.loads(
        as_lea("--alias", "@acmehelp", "zanzibar", "--json", "--db", demo_db).stdout
    )["hits"]
    assert (hit["text"], hit["private"]) == ("@acmehelp zanzibar: 3 rue X", True)
