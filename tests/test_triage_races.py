"""Closing a thread while the fan writes again, from two consoles at once, on every engine:
whatever the interleaving, the thread's stored state is the one its rows say."""

import threading

from cmconsole.domain.triage import CloseReason, ThreadState
from cmconsole.services.inbox import InboxFilter
from cmconsole.wiring import open_services
from tests.conftest import make_team, receive

ROUNDS = 40


def test_a_spam_closing_racing_the_fans_next_message_stays_spam(database_url, clock):
    closer = open_services(database_url, clock=clock)
    syncer = open_services(database_url, clock=clock)
    try:
        team = make_team(closer)
        fans = [f"@fan{n}" for n in range(ROUNDS)]
        for fan in fans:
            receive(closer, team.alias, fan, f"@brand buy followers now {fan}")
        both = threading.Barrier(2)
        failures: list[BaseException] = []

        def close_each() -> None:
            for fan in fans:
                both.wait()
                closer.triage.close(team.lead, team.alias.id, [fan], CloseReason.SPAM)

        def sync_each() -> None:
            for fan in fans:
                syncer.public.mention(fan, f"@brand last chance {fan}")
                both.wait()
                syncer.inbox.sync(team.alias.id)

        def guarded(work):
            def run() -> None:
                try:
                    work()
                except BaseException as error:  # reported by the test, not lost in a thread
                    failures.append(error)
                    both.abort()

            return run

        workers = [threading.Thread(target=guarded(w)) for w in (close_each, sync_each)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert not failures, failures
        assert closer.inbox.threads(team.lead, team.alias.id) == [], "spam is out of the inbox"
        spam = closer.inbox.threads(team.lead, team.alias.id, InboxFilter.SPAM, limit=ROUNDS)
        assert {t.thread.contact_handle: t.thread.state for t in spam} == {
            fan: ThreadState.SPAM for fan in fans
        }
        assert {t.thread.message_count for t in spam} == {2}
    finally:
        closer.close()
        syncer.close()
