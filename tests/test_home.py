"""Home: every alias a person works, what waits there, in one read; counts checked against SQL."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cmconsole.domain.model import PostStatus, Role
from tests.conftest import PASSPHRASE, receive


def _independent(database_url: str, alias_id: int, now) -> dict[str, object]:
    """What waits on the alias, counted by hand in plain SQL."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:

            def one(sql: str, **values: object) -> object:
                return db.execute(text(sql), {"alias": alias_id, **values}).scalar()

            return {
                "unanswered": one(
                    "SELECT count(*) FROM contact_thread WHERE alias_id = :alias"
                    " AND state IN ('new', 'open')"
                ),
                "awaiting": one(
                    "SELECT count(*) FROM post WHERE alias_id = :alias"
                    " AND status = 'awaiting_approval'"
                ),
                "failed": one(
                    "SELECT count(*) FROM post WHERE alias_id = :alias AND status = 'failed'"
                ),
                "promises_due": one(
                    "SELECT count(*) FROM follow_up WHERE alias_id = :alias"
                    " AND done_at IS NULL AND due_at <= :until",
                    until=now + timedelta(hours=24),
                ),
            }
    finally:
        engine.dispose()


def _shown(row) -> dict[str, object]:
    return {
        "unanswered": row.unanswered,
        "awaiting": row.awaiting,
        "failed": row.failed,
        "promises_due": row.promises_due,
    }


@pytest.fixture
def two(services, team):
    """The team's @brand and a second alias, @shop, that otto and lena also work."""
    shop = services.accounts.add_alias("@shop", "The Shop", by=team.lead)
    services.accounts.grant("otto", "@shop", Role.OPERATOR, by=team.lead)
    services.accounts.grant("lena", "@shop", Role.LEAD, by=team.lead)
    return shop


def test_home_lists_each_alias_with_what_waits_counted_as_plain_sql_counts(
    services, team, two, clock, database_url
):
    ann = receive(services, team.alias, "@ann", "@brand where is my parcel?")
    receive(services, team.alias, "@bob", "@brand hello")
    receive(services, team.alias, "@cid", "@brand hi there")
    shop_q = receive(services, two, "@dan", "@shop is it open?")
    services.shifts.start(team.trainee, team.alias.id)
    services.posting.reply(team.trainee, ann, "It left today")  # awaits approval
    services.shifts.start(team.operator, two.id)
    services.sandbox.refuse_with("over capacity")
    sent = services.pump.send(team.operator, shop_q, "Yes, till 6")
    services.sandbox.refuse_with(None)
    assert sent.status is PostStatus.FAILED
    services.follow_ups.promise(team.operator, shop_q, "call back", clock() + timedelta(hours=2))

    home = services.home.read(team.lead)

    assert [row.alias.handle for row in home.aliases] == ["@shop", "@brand"]  # a failure first
    for row in home.aliases:
        assert _shown(row) == _independent(database_url, row.alias.id, clock())
    brand, shop = home.row(team.alias.id), home.row(two.id)
    assert brand is not None and shop is not None
    assert (brand.unanswered, brand.awaiting, shop.failed, shop.promises_due) == (2, 1, 1, 1)
    assert brand.on_shift == ["tina"] and shop.on_shift == ["otto"]
    assert brand.oldest_wait is not None and brand.oldest_wait <= clock()
    assert {row.alias.handle for row in home.led} == {"@brand", "@shop"}


def test_a_lead_sees_the_aliases_nobody_is_on_while_fans_wait(services, team, two):
    receive(services, team.alias, "@ann", "@brand anyone?")
    receive(services, two, "@dan", "@shop anyone?")
    services.shifts.start(team.operator, two.id)

    home = services.home.read(team.lead)

    assert [row.alias.handle for row in home.unattended] == ["@brand"]
    assert home.aliases[0].alias.handle == "@brand"  # unattended before attended


def test_a_person_sees_only_the_aliases_they_work(services, team, two):
    assert [row.alias.handle for row in services.home.read(team.trainee).aliases] == ["@brand"]
    home = services.home.read(team.operator)
    assert sorted(row.alias.handle for row in home.aliases) == ["@brand", "@shop"]
    assert home.led == []


def test_the_gates_show_per_alias_and_a_shift_on_one_is_untouched_by_leaving_another(
    services, team, two, clock
):
    services.shifts.start(team.lead, team.alias.id)
    services.handovers.write(team.lead, team.alias.id, "all calm")
    services.accounts.add_operator("nina", "Nina New", PASSPHRASE, by=team.lead)
    services.accounts.grant("nina", "@brand", Role.OPERATOR, by=team.lead)
    services.accounts.grant("nina", "@shop", Role.OPERATOR, by=team.lead)
    nina = services.accounts.sign_in("nina", PASSPHRASE)

    before = services.home.read(nina)
    brand, shop = before.row(team.alias.id), before.row(two.id)
    assert brand is not None and shop is not None
    assert brand.handovers_unread == 1 and brand.must_read
    assert shop.handovers_unread == 0
    for row in before.aliases:  # counted as the gate counts them
        assert row.handovers_unread == len(services.handovers.pending(nina, row.alias.id))

    services.shifts.start(team.operator, team.alias.id)
    services.shifts.start(team.operator, two.id)
    services.shifts.end(team.operator, two.id)
    after = services.home.read(team.operator)
    assert [r.alias.handle for r in after.aliases if r.mine] == ["@brand"]
    clock.advance(minutes=5)
    guide = (Path(__file__).parents[1] / "config" / "guides" / "acmehelp.toml").read_text()
    services.guides.save(team.lead, two.id, guide, "a first guide for the shop")
    services.handovers.write(team.lead, two.id, "shop: quiet")
    again = services.home.read(team.operator)
    for row in again.aliases:  # the gates as the services count them, shift or none
        alias_id = row.alias.id
        assert row.handovers_unread == len(services.handovers.pending(team.operator, alias_id))
        changes = services.guides.changed_since_last_shift(team.operator, alias_id)
        assert row.guide_changes == len(changes)
        assert row.guide_unread == (services.guides.unread(team.operator, alias_id) is not None)
    assert again.row(two.id).guide_changes == 1
    assert services.shifts.on_shift(team.alias.id)[-1][1].name == "otto"


def test_the_version_moves_when_a_fan_writes_and_stays_when_idle(services, team, two):
    home = services.home.read(team.operator)
    assert services.home.version(team.operator, home.alias_ids) == home.version
    receive(services, two, "@dan", "@shop hello")
    assert services.home.version(team.operator, home.alias_ids) != home.version
    moved = services.home.read(team.operator)
    services.accounts.add_alias("@third", "Third", by=team.lead)
    services.accounts.grant("otto", "@third", Role.OPERATOR, by=team.lead)
    assert services.home.version(team.operator, moved.alias_ids) != moved.version
