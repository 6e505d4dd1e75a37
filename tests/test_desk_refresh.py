"""The desk refreshed in place: only the panes a write changed are read again, and the result is
the desk a whole read would give."""

import contextlib
import random
from collections.abc import Callable, Iterator
from datetime import timedelta

from sqlalchemy import Engine, event

from cmconsole.domain.desk_panes import DeskPane
from cmconsole.domain.errors import CmconsoleError
from cmconsole.services.desk_model import DeskFilters, DeskModel
from cmconsole.services.inbox import InboxFilter
from tests.conftest import receive

QUIET = DeskFilters(timeline=False)


@contextlib.contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement this process sends while the block runs."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_rest) -> None:
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def test_a_refresh_after_a_colleagues_claim_reads_the_claims_again_and_nothing_else(
    services, colleague, team
):
    receive(services, team.alias, "@ann", "@brand where is my parcel?")
    receive(services, team.alias, "@bob", "@brand hello")
    shown = services.desk.read(team.operator, team.alias.id, QUIET)
    assert shown.reread == frozenset(DeskPane)

    colleague.claims.claim(team.other, team.alias.id, "@ann")
    with statements() as sent:
        desk = services.desk.refresh(team.operator, shown)

    assert desk.thread("@ann").claim.operator_name == "olga"
    assert desk.reread == {DeskPane.CLAIMS}
    unchanged = ("contact_thread", "audit_event", "FROM post", "handover", "guide")
    assert [s for s in sent if any(table in s for table in unchanged)] == []
    assert desk == services.desk.read(team.operator, team.alias.id, QUIET)


def test_an_idle_refresh_reads_no_pane(services, team):
    receive(services, team.alias, "@ann", "@brand hi")
    shown = services.desk.read(team.lead, team.alias.id, QUIET)
    desk = services.desk.refresh(team.lead, shown)
    assert desk.reread == frozenset()
    assert desk == shown


def test_a_reply_reads_the_inbox_outbox_and_audit_again_but_not_the_team(services, colleague, team):
    asked = receive(services, team.alias, "@ann", "@brand hi")
    colleague.shifts.start(team.other, team.alias.id)
    shown = services.desk.read(team.operator, team.alias.id, QUIET)
    colleague.posting.reply(team.other, asked, "Hello Ann")
    desk = services.desk.refresh(team.operator, shown)
    assert DeskPane.TEAM not in desk.reread
    assert {DeskPane.INBOX, DeskPane.OUTBOX, DeskPane.AUDIT} <= desk.reread
    assert desk == services.desk.read(team.operator, team.alias.id, QUIET)


def test_events_appended_to_the_audit_are_read_alone_not_the_whole_list(services, colleague, team):
    asked = receive(services, team.alias, "@ann", "@brand hi")
    colleague.shifts.start(team.other, team.alias.id)
    shown = services.desk.read(team.lead, team.alias.id, QUIET)
    colleague.posting.reply(team.other, asked, "Hello Ann")
    newest = max(entry.event.seq for entry in shown.audit)
    with statements() as sent:
        desk = services.desk.refresh(team.lead, shown)
    [audit_read] = [s for s in sent if "FROM audit_event" in s]
    assert "audit_event.seq >" in audit_read  # only what came after the newest shown
    assert DeskPane.LEDGER not in desk.reread
    assert [e.event.kind for e in desk.audit if e.event.seq > newest] == ["post.queued"]
    assert desk == services.desk.read(team.lead, team.alias.id, QUIET)


def test_a_refresh_by_someone_else_or_after_a_long_while_reads_everything(services, team, clock):
    shown = services.desk.read(team.operator, team.alias.id, QUIET)
    assert services.desk.refresh(team.other, shown).reread == frozenset(DeskPane)
    clock.advance(minutes=5)
    assert services.desk.refresh(team.operator, shown).reread == frozenset(DeskPane)


FANS = ["@ann", "@bob", "@cid", "@dee"]


def _writes(services, colleague, team, clock, rng: random.Random) -> list[Callable[[], object]]:
    """What colleagues do on the alias, each a call that may be refused (and then changes
    nothing): the test only asks that the desk shows what happened."""
    alias = team.alias.id
    people = [team.operator, team.other, team.lead]

    def fan() -> str:
        return rng.choice(FANS)

    def message() -> int:
        return receive(colleague, team.alias, fan(), f"@brand message {rng.random():.6f}")

    def newest(contact: str) -> int:
        answer = colleague.inbox.conversation(team.lead, alias, contact).answer_to
        if answer is None:
            raise CmconsoleError("nothing to answer")
        return answer

    def reply() -> object:
        who = rng.choice(people)
        colleague.shifts.start(who, alias)
        return colleague.posting.reply(who, newest(fan()), f"Answer {rng.random():.6f}")

    def trainee_reply() -> object:
        colleague.shifts.start(team.trainee, alias)
        return colleague.posting.reply(team.trainee, newest(fan()), "A trainee's answer")

    def review() -> object:
        waiting = colleague.posting.awaiting_approval(team.lead, alias)
        if not waiting:
            return None
        colleague.shifts.start(team.lead, alias)
        if rng.random() < 0.3:
            return colleague.posting.approve(team.lead, waiting[0].id)
        if rng.random() < 0.5:  # the audit's past entries show the edited text
            return colleague.posting.approve(team.lead, waiting[0].id, f"Edited {rng.random()}")
        return colleague.posting.reject(team.lead, waiting[0].id, "Not like this")

    def promise() -> object:
        return colleague.follow_ups.promise(
            team.operator, newest(fan()), "Call back", clock.now + timedelta(hours=2)
        )

    def later() -> None:
        clock.advance(seconds=rng.choice([1, 5, 20]))

    return [
        message,
        message,
        lambda: colleague.claims.claim(rng.choice(people), alias, fan()),
        lambda: colleague.claims.claim(rng.choice(people), alias, fan()),
        lambda: colleague.claims.release(rng.choice(people), alias, fan()),
        lambda: colleague.claims.renew(rng.choice(people), alias, fan()),
        lambda: colleague.claims.take_over(team.lead, alias, fan()),
        reply,
        reply,
        trainee_reply,
        review,
        lambda: colleague.dispatcher.run_once(),
        promise,
        lambda: colleague.shifts.heartbeat(rng.choice(people), alias),
        lambda: colleague.shifts.end(rng.choice(people), alias),
        later,
    ]


def _same(refreshed: DeskModel, fresh: DeskModel, step: int) -> None:
    assert refreshed == fresh, f"the refreshed desk differs from a whole read after step {step}"


def test_a_desk_refreshed_through_many_mixed_writes_is_the_desk_a_whole_read_gives(
    services, colleague, team, clock
):
    rng = random.Random(14)
    writes = _writes(services, colleague, team, clock, rng)
    receive(colleague, team.alias, "@ann", "@brand hello")
    readers = [
        (team.lead, QUIET),
        (team.operator, QUIET),
        (team.other, DeskFilters(inbox=InboxFilter.MINE, timeline=False)),
        (team.trainee, DeskFilters(inbox=InboxFilter.UNANSWERED, timeline=False)),
    ]
    shown = [services.desk.read(who, team.alias.id, filters) for who, filters in readers]
    partial = 0
    for step in range(120):
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            with contextlib.suppress(CmconsoleError):
                rng.choice(writes)()
        for n, (who, filters) in enumerate(readers):
            shown[n] = services.desk.refresh(who, shown[n])
            partial += shown[n].reread != frozenset(DeskPane)
            _same(shown[n], services.desk.read(who, team.alias.id, filters), step)
    assert partial > 100  # most refreshes read only part of the desk
