"""Pilot tests of the guide in the compose box: live findings, fixes, blocked sends, reasons."""

import threading

from textual.widgets import DataTable, Input, Static, TextArea

from cmconsole.domain.errors import NotFound, PermissionDenied
from cmconsole.domain.model import PostStatus
from cmconsole.tui.dialogs.prompt import PromptDialog
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.guide_edit import GuideEditScreen
from cmconsole.tui.screens.guide_versions import GuideVersionsScreen
from cmconsole.tui.screens.thread import ThreadScreen
from tests.pilot import SIZE, make_app, open_alias, open_message, settle, sign_in, until


def shown(screen, selector):
    return str(screen.query_one(selector, Static).render())


async def open_camille(pilot):
    await sign_in(pilot, "anna", "anna-demo-pass")
    await open_alias(pilot, "@bellehelene")
    await open_message(pilot, "éclairs au café")


async def test_findings_appear_while_typing_with_the_length_as_x_counts_it(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await open_camille(pilot)
        screen = pilot.app.screen
        await pilot.press(*"Merci")
        await until(pilot, lambda: shown(screen, "#draft-length") == "5/280", what="the length")
        assert shown(screen, "#draft-length") == "5/280"
        assert shown(screen, "#draft-findings") == ""
        await pilot.press(*" ! Tu peux passer demain")
        await until(
            pilot, lambda: "nous-et-vous" in shown(screen, "#draft-findings"), what="the finding"
        )
        findings = shown(screen, "#draft-findings")
        assert "✖ error nous-et-vous" in findings
        assert shown(screen, "#draft-length") == "29/280"
        await pilot.press(*" !!! 🍐")
        await until(
            pilot, lambda: "pas-de-cris" in shown(screen, "#draft-findings"), what="the finding"
        )
        findings = shown(screen, "#draft-findings")
        assert "✖ error pas-de-cris" in findings
        assert "f2 applies the first fix" in findings
        assert shown(screen, "#draft-length") == "36/280"  # the emoji counts 2
        preview = screen.query_one("#draft-preview", Static).render()
        styled = {str(preview)[span.start : span.end] for span in preview.spans}
        assert {"Tu", "!!!"} <= styled


async def test_a_draft_with_an_error_cannot_be_sent(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await open_camille(pilot)
        await pilot.press(*"Oui, je te les garde !!!")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ThreadScreen)
        status = shown(screen, "#compose-status")
        assert status.startswith("Not sent: fix what the guide calls errors first")
        assert "nous-et-vous" in status and "pas-de-cris" in status
    lea = demo.accounts.sign_in("lea", "lead-demo-pass")
    belle = next(a for a in demo.accounts.aliases() if a.handle == "@bellehelene")
    texts = [p.text for p in demo.posting.posts(lea, belle.id)]
    assert "Oui, je te les garde !!!" not in texts
    assert all(p.status.value == "published" for p in demo.posting.posts(lea, belle.id))


async def test_the_one_key_fix_applies_the_suggestion(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await open_camille(pilot)
        await pilot.press(*"Ils reviennent vendredi !!!")
        await pilot.press("f2")
        screen = pilot.app.screen
        await until(
            pilot,
            lambda: screen.query_one("#reply").text == "Ils reviennent vendredi !",
            what="the fix applied",
        )
        assert screen.query_one("#reply").text == "Ils reviennent vendredi !"
        assert "error" not in shown(screen, "#draft-findings")


async def test_a_warning_passes_only_with_a_reason_the_audit_keeps(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await open_camille(pilot)
        await pilot.press(*"Nos éclairs sont pas chers et reviennent vendredi.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, PromptDialog)
        dialog.query_one(Input).value = "la cliente a écrit « pas cher » elle-même"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)
    anna = demo.accounts.sign_in("anna", "anna-demo-pass")
    belle = next(a for a in demo.accounts.aliases() if a.handle == "@bellehelene")
    post = demo.posting.posts(anna, belle.id)[0]
    assert post.status is PostStatus.PUBLISHED
    assert post.overrides == {"pas-cher": "la cliente a écrit « pas cher » elle-même"}
    assert post.guide_version == 1
    overridden = next(
        e.event
        for e in demo.audit.for_alias(anna, belle.id)
        if e.event.kind == "post.warning_overridden"
    )
    assert overridden.details == {
        "rule": "pas-cher",
        "reason": "la cliente a écrit « pas cher » elle-même",
    }


async def test_everyone_reads_the_guide_and_a_lead_saves_a_new_version(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("g")
        text = shown(pilot.app.screen, "#guide-text")
        assert text.startswith("Belle Hélène: guide version 1")
        assert "[error] nous-et-vous" in text

        await pilot.press("e")
        await settle(pilot)
        editor = pilot.app.screen.query_one("#guide-source")
        source = editor.text
        editor.load_text(source.replace('kind = "forbidden"', 'kind = "forbiden"', 1))
        await pilot.press("ctrl+s")
        await pilot.press(*"typo on purpose", "enter")
        await settle(pilot)
        status = shown(pilot.app.screen, "#guide-status")
        assert status.startswith("Not saved: @bellehelene guide, line ")
        assert "forbiden" in status

        editor.load_text(source.replace("max = 2", "max = 1", 1))
        await pilot.press("ctrl+s")
        await pilot.press(*"one exclamation mark is enough", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AliasScreen)
        await pilot.press("r")
        await settle(pilot)
        assert shown(pilot.app.screen, "#guide-text").startswith("Belle Hélène: guide version 2")

        await pilot.press("v")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        diff = shown(pilot.app.screen, "#diff")
        assert "-max = 2" in diff and "+max = 1" in diff


async def test_an_operator_is_refused_the_guide_editor_before_typing_anything(demo, clock):
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "anna", "anna-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("g", "e")
        await settle(pilot)
        # Refused up front, with save's words: before, the editor opened and refused on save.
        assert isinstance(pilot.app.screen, AliasScreen)
        assert shown(pilot.app.screen, "#alias-error") == (
            "only a lead of @bellehelene may do this"
        )


async def test_an_editor_whose_lead_lost_the_right_meanwhile_stays_open_read_only(
    demo, clock, monkeypatch
):
    # The alias screen's check said yes; by the time the editor asks, the answer is no.
    checked = demo.guides.check_may_edit
    answers = iter([None])

    def yes_then_no(who, alias_id):
        if next(answers, "no") == "no":
            raise PermissionDenied("only a lead of @bellehelene may do this")
        checked(who, alias_id)

    monkeypatch.setattr(demo.guides, "check_may_edit", yes_then_no)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("g", "e")
        await until(pilot, lambda: isinstance(pilot.app.screen, GuideEditScreen), what="editor")
        editor = pilot.app.screen
        await until(
            pilot,
            lambda: shown(editor, "#guide-status").startswith("Read only: only a lead"),
            what="the refusal on the editor's status line",
        )
        assert editor.query_one("#guide-source", TextArea).read_only


async def test_the_guide_versions_screen_says_a_refused_diff_where_the_diff_goes(
    demo, clock, monkeypatch
):
    def refused(who, alias_id, version):
        raise NotFound(f"no version {version} of this guide")

    monkeypatch.setattr(demo.guides, "diff", refused)
    async with make_app(demo, clock).run_test(size=SIZE) as pilot:
        await sign_in(pilot, "lea", "lead-demo-pass")
        await open_alias(pilot, "@bellehelene")
        await pilot.press("g", "v")
        await until(pilot, lambda: isinstance(pilot.app.screen, GuideVersionsScreen), what="list")
        screen = pilot.app.screen
        table = screen.query_one("#versions", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="the versions")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: shown(screen, "#diff") == "no version 1 of this guide",
            what="the refusal where the diff goes",
        )


async def test_a_save_that_fails_before_the_permission_check_answers_says_why(
    demo, clock, monkeypatch
):
    # The alias screen's check answers; the editor's is slow to, and the lead saves a typo
    # meanwhile: the save's own problem is said, and the editor is not made read only as though
    # the check had refused.
    checked = demo.guides.check_may_edit
    answer = threading.Event()
    calls = iter(["alias screen"])

    def slow(who, alias_id):
        if next(calls, "editor") == "editor":
            answer.wait(60)
        checked(who, alias_id)

    monkeypatch.setattr(demo.guides, "check_may_edit", slow)
    try:
        async with make_app(demo, clock).run_test(size=SIZE) as pilot:
            await sign_in(pilot, "lea", "lead-demo-pass")
            await open_alias(pilot, "@bellehelene")
            await pilot.press("g", "e")
            await until(pilot, lambda: isinstance(pilot.app.screen, GuideEditScreen), what="editor")
            editor = pilot.app.screen
            source = editor.query_one("#guide-source", TextArea)
            source.load_text(source.text.replace('kind = "forbidden"', 'kind = "forbiden"', 1))
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(pilot.app.screen, PromptDialog), what="the note")
            await pilot.press(*"typo on purpose", "enter")
            await until(
                pilot,
                lambda: shown(editor, "#guide-status").startswith("Not saved: @bellehelene"),
                what="the save's problem on the status line",
            )
            assert "forbiden" in shown(editor, "#guide-status")
            assert not source.read_only
            answer.set()
    finally:
        answer.set()
