"""The home waits on the desks' change signal over all the person's aliases: a colleague's write
on any of them wakes it at once (LISTEN/NOTIFY on PostgreSQL), another alias's never does."""

import threading
import time

import pytest

from cmconsole.domain.model import Role
from cmconsole.storage.desk_signals import ListenedSignals


@pytest.fixture
def aliases(services, team):
    """otto works @brand and @shop; @elsewhere is olga's only."""
    shop = services.accounts.add_alias("@shop", "The Shop", by=team.lead)
    services.accounts.grant("otto", "@shop", Role.OPERATOR, by=team.lead)
    services.accounts.grant("olga", "@shop", Role.OPERATOR, by=team.lead)
    elsewhere = services.accounts.add_alias("@elsewhere", "Elsewhere", by=team.lead)
    services.accounts.grant("olga", "@elsewhere", Role.OPERATOR, by=team.lead)
    return shop, elsewhere


def _waiting(services, alias_ids, since, timeout):
    """Start the home's wait on a thread; return a function that joins it: (signal, woke at)."""
    result: list[tuple[int, float]] = []

    def wait() -> None:
        moved = services.home.wait_for_change(alias_ids, since, timeout)
        result.append((moved, time.monotonic()))

    thread = threading.Thread(target=wait)
    thread.start()

    def joined() -> tuple[int, float]:
        thread.join(timeout=60)
        assert not thread.is_alive(), "the wait never returned"
        return result[0]

    return joined


def test_a_colleagues_write_on_one_of_my_aliases_wakes_the_home_at_once(
    services, colleague, team, aliases
):
    shop, _ = aliases
    model = services.home.read(team.operator)
    assert sorted(model.alias_ids) == sorted([team.alias.id, shop.id])
    since = services.home.signal(model.alias_ids)
    if services.home.wait_for_change(model.alias_ids, since, timeout=0.3) != since:
        since = services.home.signal(model.alias_ids)  # the grants' notices, heard late
    waited = _waiting(services, model.alias_ids, since, timeout=30)
    written = time.monotonic()
    colleague.claims.claim(team.other, shop.id, "@ann")
    moved, woke = waited()
    assert moved != since and moved == services.home.signal(model.alias_ids)
    assert woke - written < 1.0, f"woke {woke - written:.2f} s after the write"
    assert services.home.version(team.operator, model.alias_ids) != model.version


def test_a_change_on_an_alias_i_do_not_work_does_not_wake_my_home(
    services, colleague, team, aliases
):
    _, elsewhere = aliases
    mine = services.home.read(team.operator).alias_ids
    assert elsewhere.id not in mine
    since = services.home.signal(mine)
    if services.home.wait_for_change(mine, since, timeout=0.3) != since:
        since = services.home.signal(mine)
    colleague.claims.claim(team.other, elsewhere.id, "@ann")
    assert services.desk.version(elsewhere.id) > 0
    assert services.home.wait_for_change(mine, since, timeout=0.5) == since
    assert services.home.signal(mine) == since


# SQLite has no notifications: there an idle wait polls the counters (one cheap query).
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_idle_home_waiting_on_postgresql_costs_no_query(
    services, team, aliases, database_url, monkeypatch
):
    read: list[tuple[int, ...]] = []
    counted = ListenedSignals._pooled_version

    def counting(self, alias_ids):
        read.append(alias_ids)
        return counted(self, alias_ids)

    monkeypatch.setattr(ListenedSignals, "_pooled_version", counting)
    mine = services.home.read(team.operator).alias_ids
    since = services.home.signal(mine)
    while services.home.wait_for_change(mine, since, timeout=0.3) != since:
        since = services.home.signal(mine)  # the set-up's own notices, heard late
    read.clear()
    for _ in range(3):
        assert services.home.wait_for_change(mine, since, timeout=0.2) == since
    assert read == []
