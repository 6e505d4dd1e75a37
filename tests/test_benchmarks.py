"""The benchmark suite runs (so it cannot rot); its numbers are read, never asserted, here."""

import json

from benchmarks.__main__ import main
from benchmarks.check_draft import DRAFT, fifty_rule_guide


def test_the_suite_runs_and_writes_its_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    arguments = ["--scale", "small", "--repeats", "20", "--workdir", str(tmp_path)]
    assert main([*arguments, "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    assert (document["scale"], document["database"]) == ("small", "sqlite")
    check, first_page, search, verify = document["results"]
    for result in (check, first_page, search, verify):
        assert set(result) == {"name", "value", "unit", "baseline", "ratio", "target", "ok"}
        assert result["value"] > 0
    assert (check["name"], check["unit"], check["target"]) == ("check_draft", "ms", 2.0)
    assert (verify["name"], verify["unit"], verify["target"]) == ("audit_verify", "ev/s", 300_000)
    assert (first_page["name"], first_page["target"]) == ("audit_first_page", 5.0)
    assert first_page["baseline"] > 0
    assert (search["name"], search["target"]) == ("audit_search", 100.0)
    assert verify["baseline"] > 0
    assert verify["ratio"] == verify["baseline"] / verify["value"]
    printed = capsys.readouterr().out
    for name in ("check_draft", "audit_first_page", "audit_search", "audit_verify"):
        assert name in printed


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
