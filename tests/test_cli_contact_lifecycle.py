"""`cmconsole contact merge|unmerge|erase|export` on the demo workspace: for leads only, errors
in one line, erasure confirmed with --yes, the public's text never printed raw."""

import json

import pytest
from click.testing import CliRunner

from cmconsole.cli import main
from cmconsole.wiring import open_services
from tests.test_cli_contacts import PASSES, _one_line_refusal, contact


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)


@pytest.fixture
def demo_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert CliRunner().invoke(main, ["demo", "--no-launch", "--db", url]).exit_code == 0
    return url


HOSTILE = "@bellehelene \x1b]0;owned\x07 colis 4471 perdu"


def _mention(demo_db, author, text):
    services = open_services(demo_db)
    try:
        services.public.mention(author, text)
        alias = next(a for a in services.accounts.aliases() if a.handle == "@bellehelene")
        services.inbox.sync(alias.id)
    finally:
        services.close()


def test_merge_unmerge_and_export_from_the_shell(demo_db):
    _mention(demo_db, "@jules_pro", HOSTILE)
    refused = contact(demo_db, "anna", "merge", "@bellehelene", "@jules75", "@jules_pro")
    _one_line_refusal(refused, "only a lead of @bellehelene may merge contacts")

    merged = contact(demo_db, "lea", "merge", "@bellehelene", "@jules75", "jules_pro")
    assert merged.exit_code == 0, merged.output
    assert merged.stdout.strip().endswith("@jules75 @jules_pro")
    shown = contact(demo_db, "lea", "show", "@bellehelene", "@jules75")
    assert "colis 4471 perdu" in shown.stdout and "\x1b" not in shown.stdout

    exported = contact(demo_db, "lea", "export", "@bellehelene", "@jules75")
    assert exported.exit_code == 0, exported.output
    assert "\x1b" not in exported.stdout and "\x07" not in exported.stdout
    record = json.loads(exported.stdout)
    assert record["handles"] == ["@jules75", "@jules_pro"]
    assert HOSTILE in [m["text"] for m in record["messages"]]

    undone = contact(demo_db, "lea", "unmerge", "@bellehelene", "@jules_pro")
    assert undone.exit_code == 0, undone.output
    assert undone.stdout.strip().endswith("@jules75 | @jules_pro")
    _one_line_refusal(
        contact(demo_db, "lea", "unmerge", "@bellehelene", "@jules_pro"), "nothing to undo"
    )
    _one_line_refusal(
        contact(demo_db, "lea", "export", "@bellehelene", "@nobody"),
        "@bellehelene has no contact @nobody",
    )


def test_an_erasure_is_confirmed_leaves_the_audit_verified_and_the_search_blind(demo_db):
    _mention(demo_db, "@mallory", HOSTILE)
    _one_line_refusal(contact(demo_db, "lea", "erase", "@bellehelene", "@mallory"), "--yes")
    _one_line_refusal(
        contact(demo_db, "theo", "erase", "@bellehelene", "@mallory", "--yes"), "only a lead"
    )
    search = ["search", "4471", "--alias", "@bellehelene", "--as", "lea", "--passphrase-stdin"]
    found = CliRunner().invoke(main, [*search, "--db", demo_db], input=f"{PASSES['lea']}\n")
    assert "@mallory" in found.stdout

    erased = contact(demo_db, "lea", "erase", "@bellehelene", "@mallory", "--yes")

    assert erased.exit_code == 0, erased.output
    assert erased.stdout.startswith("erased @mallory on @bellehelene: 1 messages")
    found = CliRunner().invoke(main, [*search, "--db", demo_db], input=f"{PASSES['lea']}\n")
    assert "@mallory" not in found.stdout
    verified = CliRunner().invoke(main, ["audit", "verify", "--db", demo_db])
    assert verified.exit_code == 0, verified.output
    shown = contact(demo_db, "lea", "show", "@bellehelene", "@mallory", "--json")
    assert [i["text"] for i in json.loads(shown.stdout)["history"]] == [""]
    assert json.loads(shown.stdout)["erased_at"]
    card = contact(demo_db, "lea", "show", "@bellehelene", "@mallory").stdout.splitlines()
    assert card[3].startswith("erased\t") and "4471" not in "\n".join(card)
