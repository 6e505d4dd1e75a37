"""The desk: one read, in one transaction, of everything an alias screen shows."""

import threading

import pytest

from cmconsole.domain.errors import PermissionDenied
from cmconsole.domain.model import PostStatus, Role
from cmconsole.domain.triage import ThreadState
from cmconsole.services.desk_model import DeskFilters
from cmconsole.services.inbox import InboxFilter
from cmconsole.wiring import open_services
from tests.conftest import PASSPHRASE, _postgres_schema_url, make_team, receive


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
    assert (ann.state, bob.state) == (ThreadState.AWAITING_APPROVAL, ThreadState.NEW)
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


def _in_thread(work):
    """Run `work` on a thread; return a function that joins it and gives its result."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()

    def joined():
        thread.join(timeout=60)
        assert not thread.is_alive(), "the wait never returned"
        return result[0]

    return joined


def test_a_colleagues_claim_wakes_a_waiting_console_and_shows_in_its_next_read(
    services, colleague, team
):
    receive(services, team.alias, "@ann", "@brand hi")
    shown = services.desk.read(team.operator, team.alias.id)
    waited = _in_thread(
        lambda: services.desk.wait_for_change(team.alias.id, shown.version, timeout=30)
    )
    colleague.claims.claim(team.other, team.alias.id, "@ann")

    moved = waited()
    assert moved != shown.version and moved == services.desk.version(team.alias.id)
    desk = services.desk.read(team.operator, team.alias.id)
    assert desk.version == moved
    assert desk.thread("@ann").claim.operator_name == "olga"


def test_a_message_synced_by_another_console_wakes_a_waiting_one(services, colleague, team):
    since = services.desk.version(team.alias.id)
    waited = _in_thread(lambda: services.desk.wait_for_change(team.alias.id, since, timeout=30))
    colleague.public.mention("@ann", "@brand hello")
    colleague.inbox.sync(team.alias.id)
    assert waited() != since
    assert services.desk.read(team.operator, team.alias.id).thread("@ann") is not None


def test_a_dispatcher_taking_a_post_wakes_a_waiting_console_while_it_sends(services, team):
    asked = receive(services, team.alias, "@ann", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    post = services.posting.reply(team.operator, asked, "Hello Ann")
    since = services.desk.version(team.alias.id)
    services.sandbox.slow_down(600)  # the channel holds the post until told otherwise
    sent = _in_thread(lambda: services.dispatcher.dispatch_post(post.id))
    try:
        assert services.desk.wait_for_change(team.alias.id, since, timeout=30) != since
        desk = services.desk.read(team.operator, team.alias.id)
        assert [o.post.status for o in desk.outbox if o.post.id == post.id] == [PostStatus.SENDING]
    finally:
        services.sandbox.slow_down(0)
    assert sent().status is PostStatus.PUBLISHED


def test_an_idle_wait_returns_the_same_version_when_it_times_out(services, team):
    since = services.desk.version(team.alias.id)
    assert services.desk.wait_for_change(team.alias.id, since, timeout=0.3) == since
    # Twice: the second wait reuses the listener the first one started.
    assert services.desk.wait_for_change(team.alias.id, since, timeout=0.3) == since


def test_a_change_on_another_alias_does_not_move_this_desk(services, colleague, team):
    other = services.accounts.add_alias("@other", "Other", by=team.lead)
    colleague.accounts.grant("otto", other.handle, Role.OPERATOR, by=team.lead)
    since = services.desk.version(team.alias.id)
    colleague.claims.claim(team.operator, other.id, "@ann")
    assert services.desk.version(other.id) > 0
    assert services.desk.wait_for_change(team.alias.id, since, timeout=0.3) == since


def test_workspaces_in_other_schemas_never_wake_each_other(clock):
    urls = [_postgres_schema_url() for _ in range(2)]
    try:
        first, second = (open_services(next(url), clock=clock) for url in urls)
    except pytest.skip.Exception:
        raise
    try:
        for opened in (first, second):
            make_team(opened)
        alias = first.accounts.aliases()[0]
        since = first.desk.version(alias.id)
        lead = second.accounts.sign_in("lena", PASSPHRASE)
        waited = _in_thread(lambda: first.desk.wait_for_change(alias.id, since, timeout=1.0))
        second.claims.claim(lead, alias.id, "@ann")  # same alias id, other workspace
        assert waited() == since
    finally:
        first.close()
        second.close()
        for url in urls:
            next(url, None)
