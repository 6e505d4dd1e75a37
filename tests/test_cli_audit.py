"""Attribution and export of the audit from the shell, on the demo workspace."""

import csv
import io
import json
import re

import pytest

from cmconsole.wiring import open_services
from tests.cli_run import run


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)


@pytest.fixture
def demo_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert run("demo", "--no-launch", "--db", url).exit_code == 0
    return url


def as_lea(*args):
    """The demo's lead, who leads both aliases, reads their audit from the shell."""
    command = [*args, "--as", "lea", "--passphrase-stdin"]
    return run(*command, input="lead-demo-pass\n")


def test_who_names_the_author_the_time_the_shift_and_the_guide(demo_db):
    services = open_services(demo_db)
    lea = services.accounts.sign_in("lea", "lead-demo-pass")
    acme = next(a for a in services.accounts.aliases() if a.handle == "@acmehelp")
    [post] = [
        p for p in services.posting.posts(lea, acme.id) if p.text.startswith("Glad it's sorted")
    ]
    services.close()

    by_local_id = as_lea("audit", "who", str(post.id), "--db", demo_db)
    assert by_local_id.exit_code == 0, by_local_id.output
    by_channel_id = as_lea("audit", "who", post.channel_post_id, "--db", demo_db)
    assert by_channel_id.output == by_local_id.output
    lines = by_local_id.output.splitlines()
    assert lines[0] == f"post {post.id} on @acmehelp (published)"
    assert lines[1] == "written by   Omar Haddad (omar)"
    assert lines[2] == "approved by  - (published without approval)"
    assert lines[3].startswith("queued       ") and re.search(r" in shift \d+$", lines[3])
    assert f"as {post.channel_post_id}" in lines[4]
    assert lines[5] == "guide        version 1"
    assert "post.queued\tomar" in by_local_id.output
    assert "post.published\tomar" in by_local_id.output


def test_who_of_an_unknown_post_says_so(demo_db):
    result = as_lea("audit", "who", "999", "--db", demo_db)
    assert result.exit_code == 1
    assert "no post has the id '999'" in result.output


def test_export_streams_jsonl_and_csv_with_filters(demo_db, tmp_path):
    everything = as_lea("audit", "export", "--db", demo_db)
    assert everything.exit_code == 0
    events = [json.loads(line) for line in everything.output.splitlines()]
    # lea leads every alias, and everyone works on hers: she reads the whole chain, in order.
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert set(events[0]) == {
        "seq",
        "occurred_at",
        "kind",
        "actor",
        "alias",
        "subject",
        "details",
        "hash",
        "post_text",
    }
    # A post's text comes from its row (the ledger holds only its salted stamp).
    published = [e for e in events if e["kind"] == "post.published"]
    assert published and all(e["post_text"] and "text" not in e["details"] for e in published)
    assert all(e["post_text"] is None for e in events if not e["subject"].startswith("post "))

    omar = as_lea("audit", "export", "--operator", "omar", "--alias", "@acmehelp", "--db", demo_db)
    kinds = [json.loads(line)["kind"] for line in omar.output.splitlines()]
    assert "post.published" in kinds and "handover.written" in kinds
    assert all(json.loads(line)["actor"] == "omar" for line in omar.output.splitlines())

    out = tmp_path / "audit.csv"
    as_csv = as_lea("audit", "export", "--format", "csv", "--output", str(out), "--db", demo_db)
    assert as_csv.exit_code == 0 and as_csv.output == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    # lea's sign-in for this export came after the first one
    assert [r["seq"] for r in rows[: len(events)]] == [str(e["seq"]) for e in events]
    assert [(r["kind"], r["actor"]) for r in rows[len(events) :]] == [("signed_in", "lea")] * 2
    assert json.loads(rows[0]["details"]) == events[0]["details"]
    assert not (tmp_path / ".audit.csv.partial").exists()

    later = as_lea("audit", "export", "--since", "2999-01-01", "--db", demo_db)
    assert (later.exit_code, later.output) == (0, "")


@pytest.mark.parametrize(
    "args, words",
    [
        (["--since", "yesterday"], "Invalid value for '--since'"),
        (["--operator", "ghost"], "there is no operator 'ghost'"),
        (["--alias", "@ghost"], "there is no alias @ghost"),
    ],
)
def test_export_refuses_bad_filters_with_exit_2_and_writes_nothing(demo_db, tmp_path, args, words):
    out = tmp_path / "audit.jsonl"
    result = as_lea("audit", "export", *args, "--output", str(out), "--db", demo_db)
    assert result.exit_code == 2
    assert words in result.output
    assert not out.exists()
    assert list(tmp_path.glob(".audit.jsonl*")) == []


def _glad_post(demo_db):
    services = open_services(demo_db)
    lea = services.accounts.sign_in("lea", "lead-demo-pass")
    acme = next(a for a in services.accounts.aliases() if a.handle == "@acmehelp")
    [post] = [
        p for p in services.posting.posts(lea, acme.id) if p.text.startswith("Glad it's sorted")
    ]
    services.close()
    return post


def test_who_and_verify_say_when_a_post_no_longer_matches_its_ledger_entry(demo_db):
    from sqlalchemy import create_engine, text

    post = _glad_post(demo_db)
    before = as_lea("audit", "who", str(post.id), "--db", demo_db)
    assert "ledger       matches its last ledger entry" in before.output
    engine = create_engine(demo_db)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE post SET text = 'We owe you nothing', author_id = 1 WHERE id = :id"),
            {"id": post.id},
        )
    engine.dispose()
    after = as_lea("audit", "who", str(post.id), "--db", demo_db)
    assert after.exit_code == 0
    assert (
        "LEDGER       does not match: author, text changed since its last ledger entry "
        "(what is shown above is not what was recorded)"
    ) in after.output
    verified = run("audit", "verify", "--db", demo_db)
    assert verified.exit_code == 1
    [line] = verified.stderr.splitlines()
    assert re.fullmatch(
        rf"content tampered: table post, row {post.id}: author, text no longer match what "
        r"event \d+ recorded",
        line,
    )
    refused = run("audit", "checkpoint", "--db", demo_db)
    assert refused.exit_code == 1
    assert "no checkpoint of a ledger whose rows were edited" in refused.stderr
