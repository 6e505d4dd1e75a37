"""Pasted text from X: f2 strips its hidden characters; findings that do not fit say so."""

import re

from textual import events
from textual.widgets import Static, TextArea

from tests.pilot import SIZE, make_app, open_alias, open_message, settle, sign_in, until

PASTED = "Merci \u2066@AppleSupport\u2069 et \u2066@bellehelene\u2069, à vendredi."


def shown(screen, selector):
    return str(screen.query_one(selector, Static).render())


async def test_f2_strips_every_hidden_character_of_a_paste_in_one_key(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "éclairs au café")
        reply = pilot.app.screen.query_one("#reply", TextArea)
        pilot.app.post_message(events.Paste(PASTED))
        await until(pilot, lambda: reply.text == PASTED, what="the paste in the reply")
        await settle(pilot)
        assert "unsafe-characters" in shown(pilot.app.screen, "#draft-findings")
        await pilot.press("f2")
        await until(pilot, lambda: "\u2066" not in reply.text, what="the isolates stripped")
        assert reply.text == "Merci @AppleSupport et @bellehelene, à vendredi."
        assert "unsafe-characters" not in shown(pilot.app.screen, "#draft-findings")


async def test_the_findings_list_says_how_many_more_there_are(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await open_message(pilot, "éclairs au café")
        reply = pilot.app.screen.query_one("#reply", TextArea)
        reply.load_text("Bonjour" + "\u2066a" * 9)
        await settle(pilot)
        findings = shown(pilot.app.screen, "#draft-findings").splitlines()
        unsafe = [line for line in findings if "unsafe-characters" in line]
        [more] = [line for line in findings if re.fullmatch(r"\+\d+ more", line)]
        assert len(unsafe) + int(more[1:].split()[0]) == 9
        assert len(findings) <= 6


async def test_the_guide_tab_fills_the_rules_placeholders(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@acmehelp")
        await pilot.press("g")
        await settle(pilot)
        text = shown(pilot.app.screen, "#guide-text")
        assert "Rules the checker applies" in text
        assert not re.search(r"\{(?:found|suggestion|count|max)\}", text)
        assert "more than 1 exclamation marks: 1 at most" in text
