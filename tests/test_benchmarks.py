"""The benchmark suite runs (so it cannot rot); its numbers are read, never asserted, here."""

import json
import random
import sqlite3

from sqlalchemy import create_engine, text
from sqlmodel import Session

from benchmarks.__main__ import main
from benchmarks.check_draft import DRAFT, fifty_rule_guide
from benchmarks.generate import published_details, queued_details
from cmconsole.domain.audit_chain import canonical_details
from cmconsole.storage.threads import refresh_thread

NAMES = [
    "startup",
    "inbox_first_page",
    "inbox_unanswered",
    "inbox_by_facet",
    "desk_refresh",
    "desk_idle",
    "home_agent",
    "home_lead",
    "home_idle",
    "audit_first_page",
    "audit_search",
    "audit_speakers",
    "audit_search_speakers",
    "search_threads",
    "contact_card",
    "report_90_days",
    "check_draft",
    "audit_verify",
    "dispatch",
    "memory",
]
WITH_BASELINE = {
    "startup",
    "inbox_first_page",
    "inbox_unanswered",
    "inbox_by_facet",
    "desk_refresh",
    "desk_idle",
    "home_agent",
    "home_lead",
    "home_idle",
    "audit_first_page",
    "search_threads",
    "contact_card",
    "report_90_days",
}
# Reported for information: no target of their own.
INFORMATION = {"audit_speakers", "audit_search_speakers"}
THREAD = (
    "SELECT alias_id, contact_handle, last_inbound_id, last_activity_at, waiting_since, "
    "unanswered, message_count FROM contact_thread"
)


def test_the_suite_runs_and_writes_its_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    arguments = ["--scale", "small", "--repeats", "20", "--workdir", str(tmp_path)]
    assert main([*arguments, "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    assert (document["scale"], document["database"]) == ("small", "sqlite")
    results = {result["name"]: result for result in document["results"]}
    assert list(results) == NAMES
    for name, result in results.items():
        assert set(result) == {"name", "value", "unit", "baseline", "ratio", "target", "ok"}
        assert result["value"] > 0, name
        if name in INFORMATION:
            assert result["target"] is None and result["ok"] is None, name
        else:
            assert result["target"] > 0 and isinstance(result["ok"], bool), name
        if name in WITH_BASELINE | {"audit_verify"}:
            assert result["baseline"] > 0 and result["ratio"] > 0, name
        else:
            assert result["baseline"] is None and result["ratio"] is None, name
    verify = results["audit_verify"]
    assert (verify["unit"], verify["target"]) == ("ev/s", 300_000)
    assert verify["ratio"] == verify["baseline"] / verify["value"]
    assert results["startup"]["target"] == 2 * results["startup"]["baseline"]
    assert results["inbox_first_page"]["ratio"] == (
        results["inbox_first_page"]["value"] / results["inbox_first_page"]["baseline"]
    )
    assert results["desk_refresh"]["target"] == 3 * results["desk_refresh"]["baseline"]
    assert (results["desk_idle"]["unit"], results["desk_idle"]["target"]) == ("ms", 1.0)
    assert (results["check_draft"]["unit"], results["check_draft"]["target"]) == ("ms", 2.0)
    assert (results["memory"]["unit"], results["memory"]["target"]) == ("MB", 200.0)
    printed = capsys.readouterr().out
    for name in NAMES:
        assert name in printed
    _the_threads_are_what_storage_would_compute(tmp_path / "workspace-small.db")
    _each_thread_has_its_contact_as_storage_keeps_it(tmp_path / "workspace-small.db")


_CONTACTS_ASTRAY = """
SELECT COUNT(*) FROM contact_thread t
LEFT JOIN contact_handle h ON h.alias_id = t.alias_id AND h.handle = t.contact_handle
LEFT JOIN contact c ON c.id = h.contact_id
WHERE c.id IS NULL
  OR c.first_contact_at != (SELECT MIN(received_at) FROM inbound_message m
                            WHERE m.alias_id = t.alias_id AND m.author_handle = t.contact_handle)
  OR c.last_contact_at != (SELECT MAX(received_at) FROM inbound_message m
                           WHERE m.alias_id = t.alias_id AND m.author_handle = t.contact_handle)
"""


def _each_thread_has_its_contact_as_storage_keeps_it(path):
    with sqlite3.connect(path) as plain:
        [(threads,)] = plain.execute("SELECT COUNT(*) FROM contact_thread").fetchall()
        [(contacts,)] = plain.execute("SELECT COUNT(*) FROM contact").fetchall()
        [(astray,)] = plain.execute(_CONTACTS_ASTRAY).fetchall()
    assert (contacts, astray) == (threads, 0) and threads > 0


def _the_threads_are_what_storage_would_compute(path):
    """The generator fills contact_thread itself; storage must find nothing to change in it."""
    with sqlite3.connect(path) as plain:
        stored = plain.execute(THREAD).fetchall()
    assert any(row[5] for row in stored) and not all(row[5] for row in stored)
    engine = create_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        for row in random.Random(1).sample(stored, 200):
            refresh_thread(session, row[0], row[1])
            again = session.execute(
                text(f"{THREAD} WHERE alias_id = :alias AND contact_handle = :contact"),
                {"alias": row[0], "contact": row[1]},
            ).one()
            assert tuple(again) == tuple(row)
        session.rollback()
    engine.dispose()


def test_the_generated_audit_details_are_canonical():
    assert queued_details("1790000000000000042", 7) == canonical_details(
        {
            "in_reply_to": "1790000000000000042",
            "shift": 7,
            "guide_version": 1,
            "overrides": {},
        }
    )
    assert queued_details(None, 7) == canonical_details(
        {"in_reply_to": None, "shift": 7, "guide_version": 1, "overrides": {}}
    )
    for approver in (None, 3):
        assert published_details(approver, "Léa \"\\ c'est\t✓", "1800") == canonical_details(
            {
                "channel_post_id": "1800",
                "author": "Léa \"\\ c'est\t✓",
                "by": "agency-box:4242",
                "approver": approver,
            }
        )


def test_check_draft_measures_what_the_issue_names():
    guide = fifty_rule_guide()
    assert len(guide.rules) == 50
    assert {rule.kind.value for rule in guide.rules} == {
        "forbidden",
        "substitute",
        "pattern",
        "limit",
        "person",
    }
    assert len(DRAFT) == 280
