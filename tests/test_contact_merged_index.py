"""Migration 0026 on both engines: the contacts merged into another are found by an index (a card
reads its merged group twice, and scanned every contact of the workspace to do it), and a merge
made before the migration reads the same after it, and after going down and up again."""

from sqlalchemy import create_engine, text

from cmconsole.wiring import open_services
from tests.conftest import make_team, receive
from tests.migrating import migrate_again

# What storage asks for a card's merged group (storage/contact_lifecycle.group).
GROUP_QUERY = "SELECT id FROM contact WHERE merged_into IN (1, 2)"


def _plan(url: str) -> str:
    """How the engine would find a card's merged group: SQLite's query plan; on PostgreSQL the
    index that could serve it. (Its plan is no test there: a new index on rows updated in place
    waits for the oldest transaction of the whole server, `pg_index.indcheckxmin`, which another
    test's may be.)"""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {GROUP_QUERY}").all()
                return " ".join(str(row[-1]) for row in rows)
            found = connection.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                    "current_schema() AND tablename = 'contact' AND indexdef LIKE :shape"
                ),
                {"shape": "%(merged_into) WHERE (merged_into IS NOT NULL)"},
            ).all()
            return " ".join(name for name, _ in found)
    finally:
        engine.dispose()


def test_a_merged_contact_is_found_through_the_index_before_and_after_0026(database_url, clock):
    services = open_services(database_url, clock=clock)
    team = make_team(services)
    services.shifts.start(team.operator, team.alias.id)
    for handle in ("@ann", "@ann_work", "@bob"):
        receive(services, team.alias, handle, "@brand hello")
    services.contacts.note(team.operator, team.alias.id, "@ann_work", "writes from work")
    services.contact_life.merge(team.lead, team.alias.id, "@ann", "@ann_work")
    services.close()
    assert "ix_contact_merged_into" in _plan(database_url)

    migrate_again(database_url, "0025", "0025")
    assert "ix_contact_merged_into" not in _plan(database_url)
    migrate_again(database_url, "0025", "0026")
    assert "ix_contact_merged_into" in _plan(database_url)

    services = open_services(database_url, clock=clock)
    try:
        card = services.contacts.card(team.lead, team.alias.id, "@ann")
        assert card.contact.handles == ("@ann", "@ann_work")
        assert [n.text for n in card.notes] == ["writes from work"]
        assert services.contacts.card(team.lead, team.alias.id, "@bob").notes == ()
    finally:
        services.close()
