"""Shifts and handovers: the voice survives when staff change. On every database engine."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from cmconsole.domain.errors import (
    HandoversUnread,
    InvalidInput,
    PermissionDenied,
    SignInRefused,
    SignInRequired,
)
from cmconsole.domain.model import PostStatus, Role
from cmconsole.services.shifts import STALE_AFTER
from cmconsole.wiring import open_services
from tests.conftest import PASSPHRASE, FakeClock, make_team, receive


def work_a_shift(services, clock, who, alias, minutes=30):
    services.shifts.start(who, alias.id)
    clock.advance(minutes=minutes)
    services.shifts.end(who, alias.id)
    clock.advance(minutes=1)


def test_you_cannot_speak_until_you_acknowledge_what_others_left(services, team, clock):
    alias = team.alias
    message_id = receive(services, alias, "@fan", "@brand any news?")
    work_a_shift(services, clock, team.operator, alias)
    work_a_shift(services, clock, team.other, alias)
    left = services.handovers.write(team.other, alias.id, "Fan @fan waits for news on the recall")

    services.shifts.start(team.operator, alias.id)
    with pytest.raises(HandoversUnread, match="1 handover left on @brand"):
        services.posting.reply(team.operator, message_id, "News soon!")
    assert [h.id for h in services.handovers.pending(team.operator, alias.id)] == [left.id]

    services.handovers.acknowledge(team.operator, left.id)
    assert services.handovers.pending(team.operator, alias.id) == []
    assert services.posting.reply(team.operator, message_id, "News soon!").status is (
        PostStatus.QUEUED
    )
    [record] = services.handovers.history(team.lead, alias.id)
    assert [a.operator_name for a in record.acknowledgements] == ["otto"]
    kinds = [e.event.kind for e in services.audit.for_alias(team.lead, alias.id)]
    assert "handover.written" in kinds and "handover.acknowledged" in kinds


def test_handovers_written_during_your_own_shift_do_not_block_you(services, team, clock):
    alias = team.alias
    message_id = receive(services, alias, "@fan", "@brand hi")
    work_a_shift(services, clock, team.operator, alias)
    services.shifts.start(team.operator, alias.id)
    services.shifts.start(team.other, alias.id)
    clock.advance(minutes=5)
    services.handovers.write(team.other, alias.id, "Leaving early, all quiet")
    services.shifts.end(team.other, alias.id)
    assert services.handovers.pending(team.operator, alias.id) == []
    services.posting.reply(team.operator, message_id, "Hello!")
    # Nor on the next shift: the operator was there when it was written.
    services.shifts.end(team.operator, alias.id)
    clock.advance(hours=12)
    services.shifts.start(team.operator, alias.id)
    assert services.handovers.pending(team.operator, alias.id) == []


def test_your_own_handovers_never_block_you(services, team, clock):
    alias = team.alias
    message_id = receive(services, alias, "@fan", "@brand hi")
    work_a_shift(services, clock, team.operator, alias)
    mine = services.handovers.write(team.operator, alias.id, "Note to self and others")
    services.shifts.start(team.operator, alias.id)
    services.posting.reply(team.operator, message_id, "Hi")
    with pytest.raises(PermissionDenied, match="you wrote this handover"):
        services.handovers.acknowledge(team.operator, mine.id)


def test_a_first_shift_ever_must_read_the_last_few_handovers(services, team, clock):
    alias = team.alias
    written = []
    for number in range(5):
        clock.advance(minutes=10)
        written.append(services.handovers.write(team.other, alias.id, f"note {number}"))
    services.shifts.start(team.operator, alias.id)
    pending = services.handovers.pending(team.operator, alias.id)
    assert [h.summary for h in pending] == ["note 2", "note 3", "note 4"]  # newest last


def test_approving_is_speaking_too(services, team, clock):
    alias = team.alias
    message_id = receive(services, alias, "@fan", "@brand q")
    work_a_shift(services, clock, team.operator, alias)
    services.handovers.write(team.other, alias.id, "Watch the trainee's drafts")
    services.shifts.start(team.trainee, alias.id)
    for handover in services.handovers.pending(team.trainee, alias.id):
        services.handovers.acknowledge(team.trainee, handover.id)
    draft = services.posting.reply(team.trainee, message_id, "We will look into it.")
    services.shifts.start(team.operator, alias.id)
    with pytest.raises(HandoversUnread):
        services.posting.approve(team.operator, draft.id)


def test_an_empty_summary_is_refused(services, team):
    with pytest.raises(InvalidInput, match="needs a summary"):
        services.handovers.write(team.operator, team.alias.id, "   ")
    assert services.handovers.history(team.lead, team.alias.id) == []


def test_a_handover_is_prefilled_from_the_data(services, team, clock):
    alias = team.alias
    waiting = receive(services, alias, "@waiting_fan", "@brand still waiting for my refund")
    asked = receive(services, alias, "@asker", "@brand is the shop open?")
    broken = receive(services, alias, "@unlucky", "@brand my parcel")
    for who in (team.trainee, team.operator):
        services.shifts.start(who, alias.id)
    services.posting.reply(team.trainee, asked, "Yes, until 7pm.")
    services.posting.reply(team.operator, broken, "Sorry, we will resend it.")
    services.sandbox.refuse_with("over capacity")
    services.dispatcher.dispatch_pending()
    services.sandbox.refuse_with(None)
    services.follow_ups.promise(
        team.operator, waiting, "Check the refund tomorrow", clock.now + timedelta(hours=20)
    )
    services.follow_ups.promise(
        team.operator, waiting, "Send the new catalogue", clock.now + timedelta(days=3)
    )

    draft = services.handovers.draft(team.operator, alias.id)
    assert any("@waiting_fan" in line and "refund" in line for line in draft.open_threads)
    assert draft.awaiting_approval == ("post 1 by tina: Yes, until 7pm.",)
    assert draft.failed_posts == ("post 2 by otto: over capacity",)
    assert len(draft.follow_ups_due) == 1
    assert "Check the refund tomorrow" in draft.follow_ups_due[0]

    written = services.handovers.write(
        team.operator,
        alias.id,
        "Busy evening",
        people_to_watch="@waiting_fan is upset",
        promises="Refund check tomorrow",
        mood="tense",
    )
    assert written.content.failed_posts == draft.failed_posts
    assert (written.content.people_to_watch, written.content.mood) == (
        "@waiting_fan is upset",
        "tense",
    )
    [stored] = services.handovers.history(team.lead, alias.id)
    assert stored.handover == written


def test_handovers_are_immutable_and_corrected_by_a_new_note(services, database_url, team):
    first = services.handovers.write(team.operator, team.alias.id, "Promo ends friday")
    engine = create_engine(database_url)
    with pytest.raises(Exception, match="immutable"), engine.begin() as connection:
        connection.execute(text("UPDATE handover SET summary = 'edited'"))
    engine.dispose()
    fix = services.handovers.write(
        team.operator, team.alias.id, "Promo ends thursday, not friday", corrects_id=first.id
    )
    assert fix.corrects_id == first.id
    assert [r.handover.summary for r in services.handovers.history(team.lead, team.alias.id)] == [
        "Promo ends thursday, not friday",
        "Promo ends friday",
    ]


def test_history_filters_by_author_and_date(services, team, clock):
    alias = team.alias
    services.handovers.write(team.operator, alias.id, "monday")
    clock.advance(days=1)
    middle = clock.now
    services.handovers.write(team.other, alias.id, "tuesday")
    clock.advance(days=1)
    services.handovers.write(team.operator, alias.id, "wednesday")

    def summaries(**filters):
        return [
            r.handover.summary for r in services.handovers.history(team.lead, alias.id, **filters)
        ]

    assert summaries(author="otto") == ["wednesday", "monday"]
    assert summaries(since=middle) == ["wednesday", "tuesday"]
    assert summaries(since=middle, until=middle + timedelta(hours=1)) == ["tuesday"]
    with pytest.raises(Exception, match="no operator 'nobody'"):
        summaries(author="nobody")


def test_a_lead_manages_roles_but_others_cannot(services, team):
    services.accounts.add_operator("newbie", "New Bie", PASSPHRASE, by=team.lead)
    services.team.set_role(team.lead, "newbie", team.alias.id, Role.TRAINEE)
    services.team.set_role(team.lead, "newbie", team.alias.id, Role.OPERATOR)
    members = {m.operator.name: m.role for m in services.team.members(team.operator, team.alias.id)}
    assert members["newbie"] is Role.OPERATOR
    with pytest.raises(PermissionDenied, match="only a lead"):
        services.team.set_role(team.operator, "newbie", team.alias.id, Role.LEAD)
    with pytest.raises(InvalidInput, match="only lead"):
        services.team.set_role(team.lead, "lena", team.alias.id, Role.OPERATOR)
    changes = [
        (e.event.kind, e.actor_name, e.event.details["role"])
        for e in services.audit.for_alias(team.lead, team.alias.id)
        if e.event.subject == "newbie"
    ]
    assert changes == [("role.changed", "lena", "operator"), ("role.granted", "lena", "trainee")]


def test_someone_who_leaves_loses_access_but_keeps_their_history(services, team, clock):
    alias = team.alias
    message_id = receive(services, alias, "@fan", "@brand q")
    services.shifts.start(team.trainee, alias.id)
    draft = services.posting.reply(team.trainee, message_id, "Draft by the leaver")

    with pytest.raises(PermissionDenied, match="only a lead"):
        services.team.deactivate(team.operator, "tina", "left")
    with pytest.raises(PermissionDenied, match="yourself"):
        services.team.deactivate(team.lead, "lena", "bored")
    services.team.deactivate(team.lead, "tina", "joined another agency")

    with pytest.raises(SignInRefused, match="deactivated"):
        services.accounts.sign_in("tina", PASSPHRASE)
    with pytest.raises(PermissionDenied, match="no longer active"):
        services.posting.reply(team.trainee, message_id, "still here?")
    assert "tina" not in [o.name for _, o in services.shifts.on_shift(alias.id)]

    [automatic] = [r.handover for r in services.handovers.history(team.lead, alias.id)]
    assert automatic.automatic
    assert "Tina Trainee (tina) has left" in automatic.summary
    assert automatic.content.awaiting_approval == (f"post {draft.id} by tina: Draft by the leaver",)

    services.shifts.start(team.operator, alias.id)
    services.handovers.acknowledge(team.operator, automatic.id)
    assert services.posting.approve(team.operator, draft.id).status is PostStatus.QUEUED

    entries = services.audit.for_alias(team.lead, alias.id)
    authored = [e for e in entries if e.event.subject == f"post {draft.id}"]
    assert ("post.awaiting_approval", "tina") in [(e.event.kind, e.actor_name) for e in authored]
    refused = services.audit.recent(50, by=team.lead)  # her team's sign-ins are hers to read
    assert any(
        e.event.kind == "sign_in.refused" and e.event.details == {"reason": "deactivated"}
        for e in refused
    )
    deactivated = next(e for e in refused if e.event.kind == "operator.deactivated")
    assert (deactivated.actor_name, deactivated.event.details["reason"]) == (
        "lena",
        "joined another agency",
    )


def test_a_shift_left_open_by_a_crash_is_closed_next_time(services, team, clock):
    alias = team.alias
    crashed = services.shifts.start(team.operator, alias.id)
    clock.advance(minutes=2)
    services.shifts.heartbeat(team.operator, alias.id)
    last_seen = clock.now
    clock.advance(seconds=STALE_AFTER.total_seconds() + 60)
    assert services.shifts.on_shift(alias.id) == []  # nobody's console is alive

    fresh = services.shifts.start(team.operator, alias.id)
    assert fresh.id != crashed.id
    closed = next(
        e.event
        for e in services.audit.for_alias(team.lead, alias.id)
        if e.event.kind == "shift.closed_after_crash"
    )
    assert closed.subject == f"shift {crashed.id}"
    assert closed.details["last_seen"] == last_seen.isoformat()


def test_a_live_shift_is_shared_by_a_second_console(services, team, clock):
    first = services.shifts.start(team.operator, team.alias.id)
    clock.advance(minutes=5)
    assert services.shifts.start(team.operator, team.alias.id).id == first.id


def test_two_operators_ending_shifts_at_once_lose_nothing(database_url):
    consoles = [open_services(database_url, clock=FakeClock()) for _ in range(2)]
    team = make_team(consoles[0])
    people = (team.operator, team.other)
    for console, who in zip(consoles, people, strict=True):
        console.shifts.start(who, team.alias.id)
    errors: list[Exception] = []

    def finish(console, who, note):
        try:
            console.handovers.write(who, team.alias.id, note)
            console.shifts.end(who, team.alias.id)
        except Exception as error:  # any failure at all is what this test looks for
            errors.append(error)

    threads = [
        threading.Thread(target=finish, args=(c, w, f"handover from {w.name}"))
        for c, w in zip(consoles, people, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert consoles[0].shifts.on_shift(team.alias.id) == []
    summaries = {
        r.handover.summary for r in consoles[0].handovers.history(team.lead, team.alias.id)
    }
    assert summaries == {"handover from otto", "handover from olga"}
    assert consoles[0].audit.verify().intact
    for console in consoles:
        console.close()


def test_deactivating_needs_a_lead_of_every_alias_and_keeps_a_lead_on_each(services, team):
    other_alias = services.accounts.add_alias("@second", "Second", by=team.lead)
    # @second has no lead yet: a lead of any alias names one.
    services.accounts.grant("otto", "@second", Role.OPERATOR, by=team.lead)
    services.accounts.grant("olga", "@second", Role.LEAD, by=team.lead)
    with pytest.raises(PermissionDenied, match="only a lead of @second can grant roles"):
        services.accounts.grant("lena", "@second", Role.LEAD, by=team.lead)
    with pytest.raises(PermissionDenied, match="every alias otto works"):
        services.team.deactivate(team.lead, "otto", "left")
    # The shell is no back door: once there is a lead, nobody unsigned deactivates anyone.
    with pytest.raises(SignInRequired):
        services.team.deactivate(None, "otto", "left")
    with pytest.raises(PermissionDenied, match="only a lead can deactivate operators"):
        services.team.deactivate(team.trainee, "otto", "left")
    services.accounts.grant("lena", "@second", Role.LEAD, by=team.other)
    services.team.deactivate(team.lead, "otto", "left")  # a lead of every alias otto works
    assert "otto" not in [
        m.operator.name
        for m in services.team.members(team.other, other_alias.id)
        if m.operator.active
    ]


def test_a_console_with_a_slow_clock_cannot_slip_a_handover_past_the_gate(database_url):
    right = FakeClock()
    slow = FakeClock(right.now - timedelta(minutes=10))  # Alice's machine runs ten minutes late
    bobs, alices = open_services(database_url, clock=right), open_services(database_url, clock=slow)
    team = make_team(bobs)
    bob, alice, alias = team.operator, team.other, team.alias
    bobs.shifts.start(bob, alias.id)
    right.advance(minutes=30)
    slow.advance(minutes=30)
    bobs.shifts.end(bob, alias.id)
    right.advance(minutes=5)
    slow.advance(minutes=5)
    # Written after Bob's shift ended, but stamped ten minutes before it did.
    note = alices.handovers.write(alice, alias.id, "The refund for @fan is still open")
    assert note.written_at < right.now - timedelta(minutes=5)
    right.advance(minutes=5)
    bobs.shifts.start(bob, alias.id)
    assert [h.id for h in bobs.handovers.pending(bob, alias.id)] == [note.id]
    bobs.close()
    alices.close()


def test_begin_says_whether_it_opened_the_shift_and_heartbeat_whether_one_is_open(services, team):
    shift, opened = services.shifts.begin(team.operator, team.alias.id)
    again, opened_again = services.shifts.begin(team.operator, team.alias.id)
    assert (opened, opened_again, again.id) == (True, False, shift.id)
    assert services.shifts.heartbeat(team.operator, team.alias.id)
    services.shifts.end(team.operator, team.alias.id)
    assert not services.shifts.heartbeat(team.operator, team.alias.id)


def test_history_lists_each_handovers_acknowledgements_in_order(services, team, clock):
    alias = team.alias
    first = services.handovers.write(team.lead, alias.id, "first")
    clock.advance(minutes=1)
    second = services.handovers.write(team.operator, alias.id, "second")
    clock.advance(minutes=1)
    services.handovers.write(team.other, alias.id, "third, read by nobody")
    for who, handover in [
        (team.trainee, first),
        (team.other, second),
        (team.operator, first),
        (team.lead, second),
        (team.other, first),
    ]:
        clock.advance(minutes=1)
        services.handovers.acknowledge(who, handover.id)

    history = services.handovers.history(team.lead, alias.id)

    assert [
        (r.handover.summary, [a.operator_name for a in r.acknowledgements]) for r in history
    ] == [
        ("third, read by nobody", []),
        ("second", ["olga", "lena"]),
        ("first", ["tina", "otto", "olga"]),
    ]
    assert [
        r.handover.summary for r in services.handovers.history(team.lead, alias.id, limit=1)
    ] == ["third, read by nobody"]


def test_history_reads_the_acknowledgements_of_all_its_handovers_at_once(services, team, clock):
    """One query for the acknowledgements, however many handovers are listed (it was one each)."""
    alias = team.alias

    def statements_for_history() -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(Engine, "before_cursor_execute", count)
        try:
            services.handovers.history(team.lead, alias.id)
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        return len(seen)

    services.handovers.write(team.operator, alias.id, "one")
    few = statements_for_history()
    for n in range(12):
        clock.advance(minutes=1)
        written = services.handovers.write(team.operator, alias.id, f"more {n}")
        services.handovers.acknowledge(team.other, written.id)

    assert statements_for_history() == few
