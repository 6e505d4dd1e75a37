"""Guides as versions in the workspace, and the guide's part in speaking. On every engine."""

from pathlib import Path

import pytest

from cmconsole.domain.errors import HandoversUnread, InvalidInput, PermissionDenied
from cmconsole.domain.guide import GuideError
from cmconsole.domain.model import PostStatus, SignatureKind
from cmconsole.services.posting import DraftRefused, WarningsNeedReason
from tests.conftest import receive

GUIDES = Path(__file__).resolve().parent.parent / "config" / "guides"

GUIDE = """
name = "The Brand"
language = "en"

[signature]
policy = "initials"

[prose]
"Who we are" = "A brand."

[[rules]]
id = "no-asap"
kind = "forbidden"
severity = "warning"
terms = ["asap"]
suggestion = "soon"

[[rules]]
id = "we-not-i"
kind = "person"
severity = "error"
speaks_as = "we"
"""


def ready(services, who, alias):
    """Start a shift and read everything the console would lead the operator through."""
    services.shifts.start(who, alias.id)
    for handover in services.handovers.pending(who, alias.id):
        services.handovers.acknowledge(who, handover.id)
    unread = services.guides.unread(who, alias.id)
    if unread is not None:
        services.guides.acknowledge(who, alias.id, unread.version.version)


@pytest.fixture
def guided(services, team, tmp_path):
    path = tmp_path / "brand.toml"
    path.write_text(GUIDE)
    services.guides.import_file("@brand", path, by=team.lead)
    return team


def test_importing_a_guide_makes_version_one_and_sets_the_signature(services, guided):
    [version] = services.guides.versions(guided.lead, guided.alias.id)
    assert (version.version, version.author_name, version.change_note) == (
        1,
        "lena",
        "imported brand.toml",
    )
    current = services.guides.current(guided.operator, guided.alias.id)
    assert current.guide.name == "The Brand"
    [alias] = services.accounts.aliases()
    assert alias.signature_kind is SignatureKind.INITIALS


def test_a_malformed_guide_is_refused_and_the_previous_stays_in_force(services, guided, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text(GUIDE + '\n[[rules]]\nid = "x"\nkind = "forbiden"\nseverity = "error"\n')
    with pytest.raises(GuideError) as raised:
        services.guides.import_file("@brand", broken, by=guided.lead)
    assert str(broken) in str(raised.value) and "line" in str(raised.value)
    assert "forbiden" in str(raised.value)
    assert [v.version for v in services.guides.versions(guided.lead, guided.alias.id)] == [1]
    with pytest.raises(GuideError):
        services.guides.save(guided.lead, guided.alias.id, "this is = = not toml", "oops")
    assert services.guides.current(guided.lead, guided.alias.id).version.version == 1


def test_leads_save_versions_with_a_note_and_see_the_diff(services, guided):
    source = GUIDE.replace('terms = ["asap"]', 'terms = ["asap", "a.s.a.p."]')
    with pytest.raises(PermissionDenied, match="only a lead"):
        services.guides.save(guided.operator, guided.alias.id, source, "more spellings")
    with pytest.raises(InvalidInput, match="change note"):
        services.guides.save(guided.lead, guided.alias.id, source, "  ")
    with pytest.raises(InvalidInput, match="already version 1"):
        services.guides.save(guided.lead, guided.alias.id, GUIDE, "same again")
    saved = services.guides.save(guided.lead, guided.alias.id, source, "more spellings")
    assert (saved.version, saved.author_name) == (2, "lena")
    diff = services.guides.diff(guided.lead, guided.alias.id, 2)
    assert '-terms = ["asap"]' in diff and '+terms = ["asap", "a.s.a.p."]' in diff
    created = [
        e
        for e in services.audit.for_alias(guided.lead, guided.alias.id)
        if e.event.kind == "guide.version_created"
    ]
    assert [(e.event.subject, e.actor_name) for e in created] == [
        ("guide v2", "lena"),
        ("guide v1", "lena"),
    ]


def test_nobody_speaks_before_reading_the_guide_once(services, guided):
    message_id = receive(services, guided.alias, "@fan", "@brand hi")
    services.shifts.start(guided.operator, guided.alias.id)
    with pytest.raises(HandoversUnread, match="the guide of @brand"):
        services.posting.reply(guided.operator, message_id, "Hello")
    services.guides.acknowledge(guided.operator, guided.alias.id, 1)
    assert services.guides.unread(guided.operator, guided.alias.id) is None
    services.posting.reply(guided.operator, message_id, "Hello")


def test_errors_refuse_and_warnings_need_a_reason_kept_with_the_post(services, guided):
    message_id = receive(services, guided.alias, "@fan", "@brand when?")
    ready(services, guided.operator, guided.alias)
    with pytest.raises(DraftRefused, match="we-not-i") as refused:
        services.posting.reply(guided.operator, message_id, "I will answer asap")
    assert [f.rule for f in refused.value.findings] == ["we-not-i"]
    with pytest.raises(WarningsNeedReason, match="no-asap"):
        services.posting.reply(guided.operator, message_id, "We will answer asap")
    with pytest.raises(WarningsNeedReason):
        services.posting.reply(guided.operator, message_id, "We will answer asap", {"no-asap": " "})
    post = services.posting.reply(
        guided.operator, message_id, "We will answer asap", {"no-asap": "quoting the fan"}
    )
    assert (post.status, post.guide_version, post.overrides) == (
        PostStatus.QUEUED,
        1,
        {"no-asap": "quoting the fan"},
    )
    [sent] = services.dispatcher.dispatch_pending()
    assert sent.status is PostStatus.PUBLISHED
    [public] = services.timeline.public_posts(guided.operator, guided.alias.id)
    assert public.text == "We will answer asap ^OO"  # the guide's signature policy
    queued = next(
        e
        for e in services.audit.for_alias(guided.lead, guided.alias.id)
        if e.event.kind == "post.queued"
    )
    assert queued.event.details["overrides"] == {"no-asap": "quoting the fan"}
    assert queued.event.details["guide_version"] == 1


def test_the_signature_counts_in_the_length(services, guided):
    message_id = receive(services, guided.alias, "@fan", "@brand hi")
    ready(services, guided.operator, guided.alias)
    with pytest.raises(DraftRefused, match="length"):
        services.posting.reply(guided.operator, message_id, "x" * 277)  # + " ^OO" = 281
    services.posting.reply(guided.operator, message_id, "x" * 276)


def test_guide_changes_reach_the_handover_and_the_next_shift(services, guided, clock):
    alias = guided.alias
    ready(services, guided.operator, alias)
    services.shifts.end(guided.operator, alias.id)
    clock.advance(hours=1)
    ready(services, guided.lead, alias)
    clock.advance(minutes=5)
    source = GUIDE.replace('suggestion = "soon"', 'suggestion = "as soon as we can"')
    services.guides.save(guided.lead, alias.id, source, "kinder wording for asap")
    draft = services.handovers.draft(guided.lead, alias.id)
    assert draft.guide_changes == ("v2 by lena: kinder wording for asap",)
    clock.advance(minutes=5)
    services.shifts.start(guided.operator, alias.id)
    changed = services.guides.changed_since_last_shift(guided.operator, alias.id)
    assert [(v.version, v.change_note) for v in changed] == [(2, "kinder wording for asap")]


@pytest.mark.parametrize("name", ["bellehelene.toml", "acmehelp.toml"])
def test_the_example_guides_import(services, team, name, tmp_path):
    alias = services.accounts.add_alias(name.removesuffix(".toml"), "Example", by=team.lead)
    version = services.guides.import_file(alias.handle, GUIDES / name, by=team.lead)
    assert version.version == 1


def test_who_may_edit_the_guide_is_told_before_editing(services, team):
    services.guides.check_may_edit(team.lead, team.alias.id)
    for who in (team.operator, team.trainee):
        with pytest.raises(PermissionDenied) as up_front:
            services.guides.check_may_edit(who, team.alias.id)
        with pytest.raises(PermissionDenied) as on_save:
            services.guides.save(who, team.alias.id, "name = 'x'", "a note")
        assert str(up_front.value) == str(on_save.value)
