"""The desk: one read, in one transaction, of everything an alias screen shows."""

from cmconsole.domain.errors import PermissionDenied
from cmconsole.domain.model import Role
from cmconsole.services.desk_model import DeskFilters
from cmconsole.services.inbox import InboxFilter
from tests.conftest import receive


def test_the_desk_lists_threads_by_contact_with_who_answers_and_what_waits_for_approval(
    services, team, clock
):
    asked = receive(services, team.alias, "@ann", "@brand where is my parcel?")
    receive(services, team.alias, "@bob", "@brand hello")
    services.shifts.start(team.trainee, team.alias.id)
    services.posting.reply(team.trainee, asked, "It left today")
    services.claims.claim(team.operator, team.alias.id, "@bob")

    desk = services.desk.read(team.lead, team.alias.id)

    assert {t.key for t in desk.threads} == {"@ann", "@bob"}
    ann, bob = desk.thread("@ann"), desk.thread("@bob")
    assert ann is not None and bob is not None
    assert ann.awaiting_approval and not bob.awaiting_approval
    assert bob.claim is not None and bob.claim.operator_name == "otto"
    [waiting] = desk.awaiting
    assert (waiting.author, waiting.asked, waiting.post.text) == (
        "tina",
        "@brand where is my parcel?",
        "It left today",
    )
    assert desk.on_shift == ["tina"]
    assert desk.role is Role.LEAD and desk.may_edit_guide
    assert desk.stale_at == bob.claim.expires_at


def test_the_desk_shows_the_readers_role_as_it_is_now(services, team):
    assert services.desk.read(team.trainee, team.alias.id).role is Role.TRAINEE
    services.onboarding.promote(team.lead, team.alias.id, "tina", reason="ready early")
    desk = services.desk.read(team.trainee, team.alias.id)
    assert desk.role is Role.OPERATOR and desk.may_review


def test_the_desks_version_moves_with_every_change_it_shows(services, team):
    before = services.desk.read(team.operator, team.alias.id).version
    receive(services, team.alias, "@ann", "@brand hi")
    after_message = services.desk.read(team.operator, team.alias.id).version
    assert after_message > before
    services.claims.claim(team.other, team.alias.id, "@ann")
    desk = services.desk.read(team.operator, team.alias.id)
    assert desk.version > after_message
    assert desk.thread("@ann").claim.operator_name == "olga"


def test_the_desks_audit_leaves_out_inbox_syncs_the_ledger_keeps(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    services.shifts.start(team.lead, team.alias.id)
    desk = services.desk.read(team.lead, team.alias.id)
    kinds = [entry.event.kind for entry in desk.audit]
    assert "shift.started" in kinds and "inbox.synced" not in kinds
    ledger = [entry.event.kind for entry in services.audit.for_alias(team.lead, team.alias.id)]
    assert "inbox.synced" in ledger


def test_the_desk_filters_the_inbox_and_names_an_unknown_handover_author(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    services.claims.claim(team.operator, team.alias.id, "@ann")
    receive(services, team.alias, "@bob", "@brand yo")
    mine = services.desk.read(
        team.operator, team.alias.id, DeskFilters(inbox=InboxFilter.MINE, timeline=False)
    )
    assert [t.key for t in mine.threads] == ["@ann"]
    from cmconsole.services.desk_model import HandoverFilter

    nobody = services.desk.read(
        team.operator, team.alias.id, DeskFilters(handovers=HandoverFilter(author="zed"))
    )
    assert nobody.handovers == [] and "zed" in (nobody.handovers_problem or "")


def test_only_members_read_an_alias_desk(services, team):
    services.accounts.add_operator("xavier", "X", "correct horse battery", by=team.lead)
    stranger = services.accounts.sign_in("xavier", "correct horse battery")
    try:
        services.desk.read(stranger, team.alias.id)
    except PermissionDenied:
        return
    raise AssertionError("a stranger read the desk")
