"""The workspace database itself: migrations, the append-only audit chain, concurrency, errors."""

import threading
from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cmconsole.domain.errors import WorkspaceUnavailable
from cmconsole.wiring import open_services
from tests.conftest import PASSPHRASE, FakeClock, make_team


def _newest_migration():
    from alembic.script import ScriptDirectory

    import cmconsole.storage.migrations as migrations

    return ScriptDirectory(Path(migrations.__file__).parent).get_current_head()


def raw_engine(url):
    return create_engine(url)


def test_opening_twice_migrates_once_and_keeps_the_data(database_url, clock):
    first = open_services(database_url, clock=clock)
    first.accounts.add_operator("lea", "Léa", PASSPHRASE)
    first.close()
    again = open_services(database_url, clock=clock)
    assert [o.name for o in again.accounts.operators()] == ["lea"]
    again.close()
    with raw_engine(database_url).connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == _newest_migration()


def test_the_schema_head_the_workspace_knows_is_the_newest_migration():
    from cmconsole.storage.workspace import SCHEMA_HEAD

    assert _newest_migration() == SCHEMA_HEAD


def test_timestamps_come_back_timezone_aware_utc(services, clock):
    services.accounts.add_operator("lea", "Léa", PASSPHRASE)
    [entry] = services.audit.recent(1)
    assert entry.event.occurred_at == clock.now
    assert entry.event.occurred_at.tzinfo is not None
    assert entry.event.occurred_at.utcoffset() == UTC.utcoffset(None)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET subject = 'forged' WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 1",
    ],
)
def test_the_database_refuses_to_change_audit_events(services, database_url, statement):
    services.accounts.add_operator("lea", "Léa", PASSPHRASE)
    engine = raw_engine(database_url)
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()
    assert services.audit.verify().intact


def _drop_triggers(connection, dialect):
    if dialect == "sqlite":
        connection.execute(text("DROP TRIGGER audit_event_no_update"))
        connection.execute(text("DROP TRIGGER audit_event_no_delete"))
    else:
        connection.execute(text("DROP TRIGGER audit_event_no_change ON audit_event"))


@pytest.mark.parametrize(
    "tamper, first_bad",
    [
        ('UPDATE audit_event SET details = \'{"by": "someone else"}\' WHERE seq = 2', 2),
        ("DELETE FROM audit_event WHERE seq = 2", 3),
        ("UPDATE audit_event SET seq = seq + 100 WHERE seq = 1", 2),
    ],
)
def test_verify_finds_edits_even_by_someone_who_dropped_the_triggers(
    services, database_url, tamper, first_bad
):
    for name in ("lea", "max", "ned"):
        services.accounts.add_operator(name, name.title(), PASSPHRASE)
    assert services.audit.verify().events == 3
    engine = raw_engine(database_url)
    with engine.begin() as connection:
        _drop_triggers(connection, engine.dialect.name)
        connection.execute(text(tamper))
    engine.dispose()
    report = services.audit.verify()
    assert not report.intact
    assert report.first_bad_seq == first_bad
    assert report.problem


def test_concurrent_writers_keep_one_unbroken_chain(database_url):
    # Separate workspaces in threads stand for separate consoles on the same database.
    consoles = [open_services(database_url, clock=FakeClock()) for _ in range(3)]
    team = make_team(consoles[0])
    people = [team.operator, team.other, team.lead]
    errors: list[Exception] = []

    def work(console, who):
        # Starting and ending a shift reads before it writes: the case in which a deferred SQLite
        # transaction fails at once with "database is locked" when another console just wrote.
        for _ in range(25):
            try:
                console.shifts.start(who, team.alias.id)
                console.shifts.end(who, team.alias.id)
            except Exception as error:  # any failure at all is what this test looks for
                errors.append(error)

    before = consoles[0].audit.verify().events
    threads = [
        threading.Thread(target=work, args=pair) for pair in zip(consoles, people, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = consoles[0].audit.verify()
    assert report.intact
    assert report.events == before + 3 * 25 * 2
    for console in consoles:
        console.close()


def test_an_unreachable_database_is_named_without_its_password():
    with pytest.raises(WorkspaceUnavailable) as raised:
        open_services("postgresql+psycopg://cm:s3cret-pw@127.0.0.1:1/nowhere")
    message = str(raised.value)
    assert "127.0.0.1:1/nowhere" in message
    assert "s3cret-pw" not in message


@pytest.mark.parametrize(
    "url, words",
    [
        ("not a url", "is not a database URL"),
        ("mysql://root@127.0.0.1/test", "unsupported database"),
    ],
)
def test_unusable_urls_get_a_clear_message(url, words):
    with pytest.raises(WorkspaceUnavailable, match=words):
        open_services(url)


def test_a_sqlite_workspace_uses_wal_and_a_busy_timeout(tmp_path):
    services = open_services(f"sqlite:///{tmp_path / 'ws.db'}")
    services.close()
    import sqlite3

    connection = sqlite3.connect(tmp_path / "ws.db")
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_another_programs_database_is_never_touched(tmp_path):
    import sqlite3

    foreign = tmp_path / "other.db"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    connection.commit()
    connection.close()
    with pytest.raises(WorkspaceUnavailable, match="is not a cmconsole workspace"):
        open_services(f"sqlite:///{foreign}")
    connection = sqlite3.connect(foreign)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    connection.close()
    assert tables == {"invoices"}


def test_a_workspace_from_a_newer_cmconsole_is_refused(database_url):
    open_services(database_url).close()
    engine = raw_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(WorkspaceUnavailable, match="newer cmconsole \\(schema 9999\\)"):
        open_services(database_url)


def _tamper(database_url, *statements, params=()):
    engine = raw_engine(database_url)
    with engine.begin() as connection:
        _drop_triggers(connection, engine.dialect.name)
        for statement in statements:
            connection.execute(text(statement), *params)
    engine.dispose()


def _five_events(services):
    for name in ("lea", "max", "ned", "ola", "pia"):
        services.accounts.add_operator(name, name.title(), PASSPHRASE)


def test_a_checkpoint_catches_a_tail_cut_off(services, database_url):
    _five_events(services)
    mark = services.audit.checkpoint()
    assert (mark.events, str(mark).split(":")[0]) == (5, "5")
    _tamper(database_url, "DELETE FROM audit_event WHERE seq >= 4")
    # Without a checkpoint, a shorter chain looks whole; only the rows its lost events wrote
    # (here two operators) give it away.
    alone = services.audit.verify()
    assert alone.chain_intact
    assert [str(problem).split(":")[0] for problem in alone.tampered] == [
        "table operator, row 4",
        "table operator, row 5",
    ]
    report = services.audit.verify(mark)
    assert (report.intact, report.first_bad_seq) == (False, 4)
    assert "events were removed from its end" in report.problem


def test_a_checkpoint_catches_a_chain_rewritten_to_look_whole(services, database_url):
    from cmconsole.domain.audit_chain import canonical_details, event_hash

    _five_events(services)
    mark = services.audit.checkpoint()
    events = list(services.audit.recent(10))[::-1]
    with raw_engine(database_url).connect() as connection:
        rows = connection.execute(text("SELECT seq, content_ref, content FROM audit_event"))
        stamps = {seq: (ref, content) for seq, ref, content in rows}
    # The forger edits event 2 and recomputes every hash after it, so the links all hold.
    forged, prev = [], events[0].event.hash
    for entry in events[1:]:
        event = entry.event
        content_ref, content = stamps[event.seq]
        details = {"by": "someone else"} if event.seq == 2 else event.details
        digest = event_hash(
            seq=event.seq,
            occurred_at=event.occurred_at,
            kind=event.kind,
            actor_id=event.actor_id,
            alias_id=event.alias_id,
            subject=event.subject,
            details=details,
            prev_hash=prev,
            content_ref=content_ref,
            content=content,
        )
        forged.append((event.seq, details, prev, digest))
        prev = digest

    statements = [
        f"UPDATE audit_event SET details = '{canonical_details(d)}', "
        f"prev_hash = '{p}', hash = '{h}' WHERE seq = {seq}"
        for seq, d, p, h in forged
    ]
    _tamper(database_url, *statements)
    assert services.audit.verify().intact
    report = services.audit.verify(mark)
    assert (report.intact, report.first_bad_seq) == (False, 5)
    assert "does not match the checkpoint" in report.problem


def test_verify_catches_two_events_swapped_and_one_inserted(services, database_url):
    _five_events(services)
    _tamper(
        database_url,
        "UPDATE audit_event SET seq = 100 WHERE seq = 2",
        "UPDATE audit_event SET seq = 2 WHERE seq = 3",
        "UPDATE audit_event SET seq = 3 WHERE seq = 100",
    )
    swapped = services.audit.verify()
    assert (swapped.intact, swapped.first_bad_seq) == (False, 2)


def test_verify_catches_an_event_inserted_in_the_middle(services, database_url):
    from cmconsole.domain.audit_chain import event_hash, stamp

    _five_events(services)
    second = next(e.event for e in services.audit.recent(10) if e.event.seq == 2)
    _tamper(
        database_url,
        "UPDATE audit_event SET seq = seq + 100 WHERE seq >= 3",
        "UPDATE audit_event SET seq = seq - 99 WHERE seq >= 100",
    )
    when = second.occurred_at
    digest = event_hash(
        seq=3,
        occurred_at=when,
        kind="operator.added",
        actor_id=None,
        alias_id=None,
        subject="mallory",
        details={},
        prev_hash=second.hash,
    )
    engine = raw_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_event (seq, occurred_at, kind, actor_id, alias_id, subject, "
                "details, prev_hash, hash) VALUES (3, :when, 'operator.added', NULL, NULL, "
                "'mallory', '{}', :prev, :hash)"
            ),
            {"when": stamp(when), "prev": second.hash, "hash": digest},
        )
    engine.dispose()
    report = services.audit.verify()
    assert (report.intact, report.first_bad_seq) == (False, 4)
    assert "link to the previous event" in report.problem


def test_a_long_verification_reports_progress(tmp_path):
    from benchmarks.audit_verify import build

    path = tmp_path / "long.db"
    build(path, 20_000)
    services = open_services(f"sqlite:///{path}")
    calls: list[tuple[int, int]] = []
    report = services.audit.verify(progress=lambda done, total: calls.append((done, total)))
    services.close()
    assert report.intact and report.events == 20_000
    assert calls == [(10_000, 20_000), (20_000, 20_000)]


def test_the_migrated_schema_has_every_table_column_and_index_the_models_declare(
    database_url, clock
):
    """What the code declares (storage/tables.py and its siblings) is what the migrations built:
    a model's index that no migration creates is a query plan that exists only in tests."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import cmconsole.storage.tables  # noqa: F401  (registers every table)

    open_services(database_url, clock=clock).close()
    # Only what the models declare and the database lacks: the migrations also build what no
    # model declares (full-text tables and indexes, triggers), on purpose.
    kinds = {"add_table", "add_column", "add_index"}
    with raw_engine(database_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    missing = [each for each in differences if isinstance(each, tuple) and each[0] in kinds]
    names = [(kind, getattr(thing, "name", thing)) for kind, thing, *_ in missing]
    assert names == []
