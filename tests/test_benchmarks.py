"""The benchmark suite runs (so it cannot rot); its numbers are read, never asserted, here."""

import json

from benchmarks.__main__ import main
from benchmarks.check_draft import DRAFT, fifty_rule_guide


def test_the_suite_runs_and_writes_its_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert main(["--scale", "small", "--repeats", "20", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    assert (document["scale"], document["database"]) == ("small", "sqlite")
    [result] = document["results"]
    assert result["name"] == "check_draft"
    assert set(result) == {"name", "value", "unit", "baseline", "ratio", "target", "ok"}
    assert result["value"] > 0 and result["unit"] == "ms" and result["target"] == 2.0
    assert "check_draft" in capsys.readouterr().out


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
