"""Triage on both engines: thread states, closing and reopening, handing a thread over, counts."""

import pytest
from sqlalchemy import create_engine, text

from cmconsole.domain.errors import InvalidInput, NotFound, PermissionDenied
from cmconsole.domain.triage import CloseReason, ThreadState
from cmconsole.services import desk, desk_model
from cmconsole.services.claims import CLAIM_IDLE
from cmconsole.services.inbox import InboxFilter
from tests.conftest import receive

# Threads whose fan waits, counted from the raw rows: the contact's newest message is newer than
# the newest one a live, approved reply answers, and no closing covers it (spam covers all).
_WAITING_SQL = """
SELECT COUNT(*) FROM (
  SELECT m.author_handle AS contact, MAX(m.id) AS newest FROM inbound_message m
  WHERE m.alias_id = :alias GROUP BY m.author_handle
) AS c
WHERE c.newest > COALESCE((
    SELECT MAX(a.id) FROM inbound_message a JOIN post p ON p.in_reply_to_id = a.id
    WHERE a.alias_id = :alias AND a.author_handle = c.contact
      AND p.status NOT IN ('failed', 'rejected', 'awaiting_approval')
  ), 0)
  AND NOT EXISTS (
    SELECT 1 FROM contact_thread t
    WHERE t.alias_id = :alias AND t.contact_handle = c.contact
      AND (t.closed_reason = 'spam' OR t.closed_upto >= c.newest)
  )
"""


def _states(services, who, alias_id, which=InboxFilter.ALL):
    return {
        t.thread.contact_handle: t.thread.state
        for t in services.inbox.threads(who, alias_id, which)
    }


def _waiting_by_sql(database_url, alias_id):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(_WAITING_SQL), {"alias": alias_id}).scalar_one()
    finally:
        engine.dispose()


def _kinds(services, who):
    return [(e.event.kind, e.actor_name, e.event.subject) for e in services.audit.recent(50, who)]


def test_a_thread_is_new_then_awaits_approval_then_is_answered_then_open_again(services, team):
    asked = receive(services, team.alias, "@ann", "@brand where is my parcel?")
    assert _states(services, team.lead, team.alias.id) == {"@ann": ThreadState.NEW}
    services.shifts.start(team.trainee, team.alias.id)
    post = services.posting.reply(team.trainee, asked, "It left today")
    assert _states(services, team.lead, team.alias.id) == {"@ann": ThreadState.AWAITING_APPROVAL}
    services.shifts.start(team.lead, team.alias.id)
    services.posting.approve(team.lead, post.id)
    assert _states(services, team.lead, team.alias.id) == {"@ann": ThreadState.ANSWERED}
    receive(services, team.alias, "@ann", "@brand thanks, and the invoice?")
    assert _states(services, team.lead, team.alias.id) == {"@ann": ThreadState.OPEN}


def test_a_selection_closes_at_once_with_a_reason_and_each_closing_is_audited(
    services, team, database_url
):
    for n, fan in enumerate(["@ann", "@bob", "@cat", "@dan"]):
        receive(services, team.alias, fan, f"@brand hello {n}")
        receive(services, team.alias, fan, f"@brand hello again {n}")
    desk = services.desk.read(team.operator, team.alias.id)
    assert desk.waiting == 4 == _waiting_by_sql(database_url, team.alias.id)

    closed = services.triage.close(
        team.operator, team.alias.id, ["@ann", "@bob"], CloseReason.NO_REPLY_NEEDED, "just thanks"
    )

    assert [(t.contact_handle, t.state) for t in closed] == [
        ("@ann", ThreadState.CLOSED),
        ("@bob", ThreadState.CLOSED),
    ]
    assert closed[0].closing is not None and closed[0].closing.note == "just thanks"
    desk = services.desk.read(team.operator, team.alias.id)
    assert desk.waiting == 2 == _waiting_by_sql(database_url, team.alias.id)
    unanswered = _states(services, team.operator, team.alias.id, InboxFilter.UNANSWERED)
    assert set(unanswered) == {"@cat", "@dan"}
    assert set(_states(services, team.operator, team.alias.id, InboxFilter.CLOSED)) == {
        "@ann",
        "@bob",
    }
    closings = [k for k in _kinds(services, team.lead) if k[0] == "thread.closed"]
    assert sorted(closings) == [
        ("thread.closed", "otto", "@ann"),
        ("thread.closed", "otto", "@bob"),
    ]


def test_the_fans_next_message_reopens_a_closed_thread_and_the_ledger_says_so(
    services, team, database_url
):
    receive(services, team.alias, "@ann", "@brand thanks!")
    services.triage.close(team.operator, team.alias.id, ["@ann"], CloseReason.NO_REPLY_NEEDED)
    assert _waiting_by_sql(database_url, team.alias.id) == 0

    receive(services, team.alias, "@ann", "@brand actually, one more question")

    assert _states(services, team.lead, team.alias.id) == {"@ann": ThreadState.NEW}
    assert services.desk.read(team.lead, team.alias.id).waiting == 1
    assert _waiting_by_sql(database_url, team.alias.id) == 1
    assert ("thread.reopened", None, "@ann") in _kinds(services, team.lead)


def test_spam_stays_spam_whatever_the_sender_writes_next_and_leaves_the_all_list(
    services, team, database_url
):
    receive(services, team.alias, "@bot", "@brand cheap followers here")
    receive(services, team.alias, "@ann", "@brand hello")
    services.triage.close(team.lead, team.alias.id, ["@bot"], CloseReason.SPAM)
    receive(services, team.alias, "@bot", "@brand cheap followers, again")

    assert _states(services, team.lead, team.alias.id) == {"@ann": ThreadState.NEW}
    assert _states(services, team.lead, team.alias.id, InboxFilter.SPAM) == {
        "@bot": ThreadState.SPAM
    }
    assert services.desk.read(team.lead, team.alias.id).waiting == 1
    assert _waiting_by_sql(database_url, team.alias.id) == 1
    assert "thread.reopened" not in [k[0] for k in _kinds(services, team.lead)]


def test_undoing_a_closing_gives_each_thread_back_the_state_it_had(services, team):
    asked = receive(services, team.alias, "@ann", "@brand hello")
    receive(services, team.alias, "@bob", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    services.posting.reply(team.operator, asked, "Hello!")
    services.dispatcher.run_once()
    services.triage.close(
        team.operator, team.alias.id, ["@ann", "@bob"], CloseReason.HANDLED_ELSEWHERE, "by email"
    )

    reopened = services.triage.reopen(team.operator, team.alias.id, ["@ann", "@bob"])

    assert {t.contact_handle: t.state for t in reopened} == {
        "@ann": ThreadState.ANSWERED,
        "@bob": ThreadState.NEW,
    }
    reopenings = [k for k in _kinds(services, team.lead) if k[0] == "thread.reopened"]
    assert sorted(reopenings) == [
        ("thread.reopened", "otto", "@ann"),
        ("thread.reopened", "otto", "@bob"),
    ]


def test_a_trainee_hands_a_thread_over_rather_than_closing_it(services, team):
    receive(services, team.alias, "@ann", "@brand hello")
    with pytest.raises(PermissionDenied, match="hand the thread"):
        services.triage.close(team.trainee, team.alias.id, ["@ann"], CloseReason.SPAM)
    assert _states(services, team.lead, team.alias.id) == {"@ann": ThreadState.NEW}


def test_closing_names_the_threads_it_cannot_find_and_closes_none(services, team):
    receive(services, team.alias, "@ann", "@brand hello")
    with pytest.raises(NotFound, match="@nobody"):
        services.triage.close(
            team.operator, team.alias.id, ["@ann", "@nobody"], CloseReason.NO_REPLY_NEEDED
        )
    assert _states(services, team.lead, team.alias.id) == {"@ann": ThreadState.NEW}
    with pytest.raises(InvalidInput, match="under 500"):
        services.triage.close(
            team.operator, team.alias.id, ["@ann"], CloseReason.NO_REPLY_NEEDED, "x" * 501
        )


def test_a_thread_handed_to_a_colleague_is_theirs_with_the_note_and_in_the_handover(services, team):
    receive(services, team.alias, "@ann", "@brand I want to speak to a manager")
    receive(services, team.alias, "@bob", "@brand hello")
    services.claims.claim(team.operator, team.alias.id, "@ann")

    handing = services.triage.hand(
        team.operator, team.alias.id, "@ann", "olga", "she asked for a refund twice"
    )

    assert (handing.to_name, handing.by_name) == ("olga", "otto")
    mine = services.inbox.threads(team.other, team.alias.id, InboxFilter.MINE)
    assert [t.thread.contact_handle for t in mine] == ["@ann"]
    [listed] = mine
    assert listed.claim is None  # the one handing gave up their claim
    assert listed.thread.handing is not None
    assert listed.thread.handing.note == "she asked for a refund twice"
    assert listed.thread.state is ThreadState.OPEN
    assert services.inbox.threads(team.operator, team.alias.id, InboxFilter.MINE) == []
    assert ("thread.handed", "otto", "@ann") in _kinds(services, team.lead)
    draft = services.handovers.draft(team.operator, team.alias.id)
    assert any(
        line.startswith("@ann:") and "handed to olga by otto: she asked for a refund" in line
        for line in draft.open_threads
    )


def test_an_answered_handed_thread_leaves_the_receivers_mine_list(services, team, clock):
    asked = receive(services, team.alias, "@ann", "@brand hello")
    services.triage.hand(team.operator, team.alias.id, "@ann", "olga", "")
    services.shifts.start(team.other, team.alias.id)
    services.posting.reply(team.other, asked, "Hello!")
    clock.advance(seconds=CLAIM_IDLE.total_seconds() + 1)  # her claim from replying lapses
    assert services.inbox.threads(team.other, team.alias.id, InboxFilter.MINE) == []


def test_a_thread_goes_to_the_lead_on_shift_or_says_none_is(services, team):
    receive(services, team.alias, "@ann", "@brand this is a legal matter")
    with pytest.raises(InvalidInput, match="no other lead is on shift"):
        services.triage.hand(team.operator, team.alias.id, "@ann", None, "legal")
    services.shifts.start(team.lead, team.alias.id)

    handing = services.triage.hand(team.operator, team.alias.id, "@ann", None, "legal")

    assert handing.to_name == "lena"
    mine = services.inbox.threads(team.lead, team.alias.id, InboxFilter.MINE)
    assert [t.thread.contact_handle for t in mine] == ["@ann"]


def test_handing_refuses_oneself_strangers_and_unknown_threads(services, team):
    receive(services, team.alias, "@ann", "@brand hello")
    services.accounts.add_operator("sam", "Sam Stranger", "a long passphrase", by=team.lead)
    with pytest.raises(InvalidInput, match="someone else"):
        services.triage.hand(team.operator, team.alias.id, "@ann", "otto", "")
    with pytest.raises(InvalidInput, match="sam does not work @brand"):
        services.triage.hand(team.operator, team.alias.id, "@ann", "sam", "")
    with pytest.raises(NotFound, match="no active operator 'zed'"):
        services.triage.hand(team.operator, team.alias.id, "@ann", "zed", "")
    with pytest.raises(NotFound, match="no thread with @nobody"):
        services.triage.hand(team.operator, team.alias.id, "@nobody", "olga", "")


def test_colleagues_list_leads_and_those_on_shift_first(services, team):
    services.shifts.start(team.other, team.alias.id)
    names = [c.name for c in services.triage.colleagues(team.operator, team.alias.id)]
    assert names == ["lena", "olga", "tina"]


def test_past_what_the_desk_counts_the_banner_says_so_rather_than_count_every_thread(
    services, team, monkeypatch
):
    for fan in ("@ann", "@bob", "@cat", "@dan"):
        receive(services, team.alias, fan, f"@brand hello from {fan}")
    monkeypatch.setattr(desk_model, "WAITING_COUNTED", 2)
    monkeypatch.setattr(desk, "WAITING_COUNTED", 2)
    model = services.desk.read(team.lead, team.alias.id)
    assert (model.waiting, model.waiting_text) == (3, "2+ waiting")
    services.triage.close(team.lead, team.alias.id, ["@ann", "@bob"], CloseReason.SPAM)
    model = services.desk.read(team.lead, team.alias.id)
    assert (model.waiting, model.waiting_text) == (2, "2 waiting")
