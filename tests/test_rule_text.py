"""Rules read in the guide: their placeholders say what each rule looks for, never `{found}`."""

import re
from pathlib import Path

import pytest

from cmconsole.domain.checker import check, without_unsafe
from cmconsole.domain.guide import load_guide, parse_guide
from cmconsole.domain.rule_text import rule_message

PLACEHOLDER = re.compile(r"\{(?:found|suggestion|count|max)\}")
GUIDES = sorted((Path(__file__).resolve().parent.parent / "config" / "guides").glob("*.toml"))


@pytest.mark.parametrize("path", GUIDES, ids=lambda p: p.stem)
def test_no_placeholder_is_left_in_the_shipped_guides(path):
    guide = load_guide(path)
    assert guide.rules
    for rule in guide.rules:
        assert not PLACEHOLDER.search(rule_message(rule)), rule.id


def _rules(toml: str):
    return {rule.id: rule for rule in parse_guide(toml, "test").rules}


def test_each_placeholder_says_what_the_rule_looks_for():
    rules = _rules(
        """
name = "t"
language = "en"
[[rules]]
id = "soon"
kind = "forbidden"
severity = "warning"
terms = ["ASAP", "today"]
suggestion = "as soon as we can"
message = "\\"{found}\\" promises a time: say \\"{suggestion}\\""
[[rules]]
id = "bangs"
kind = "limit"
severity = "warning"
counts = "exclamations"
max = 1
message = "{count} exclamation marks: {max} at most"
"""
    )
    assert rule_message(rules["soon"]) == '"asap / today" promises a time: say "as soon as we can"'
    assert rule_message(rules["bangs"]) == "more than 1 exclamation marks: 1 at most"


ISOLATED = "Merci \u2066@AppleSupport\u2069 et \u2066@bellehelene\u2069 !"


def test_without_unsafe_strips_every_hidden_character_at_once():
    assert [f.rule for f in check(ISOLATED, None).findings].count("unsafe-characters") == 4
    stripped = without_unsafe(ISOLATED)
    assert stripped == "Merci @AppleSupport et @bellehelene !"
    assert check(stripped, None).ok


def test_without_unsafe_keeps_what_is_safe():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # joiners inside an emoji
    text = f"Bonjour {family} à tous\n"
    assert without_unsafe(text) == text
    assert without_unsafe("a\x1b[31mb\u202ec") == "a[31mbc"
