"""The ledger covers what was said, not only that something happened: with the triggers dropped,
an edited post, handover, guide version or operator is named by verify (table, row, what
differs); a redaction done the designed way is reported as one; the database refuses every way
to rewrite the ledger it can see. On every engine."""

from pathlib import Path

import pytest
from sqlalchemy import create_engine, exc, text

from tests.conftest import receive

GUIDE = Path(__file__).parent.parent / "config" / "guides" / "acmehelp.toml"


def _sql(url, *statements, params=None):
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement), params or {})
    finally:
        engine.dispose()


def _drop_triggers(url):
    if url.startswith("sqlite"):
        names = ["handover_no_update", "handover_no_delete", "handover_no_replace"]
        _sql(url, *(f"DROP TRIGGER {name}" for name in names))
    else:
        _sql(url, "DROP TRIGGER handover_no_change ON handover")


@pytest.fixture
def spoken(services, team, clock):
    """A published post by a trainee, approved by the lead; a handover; a guide version."""
    for who in (team.operator, team.trainee, team.lead):
        services.shifts.start(who, team.alias.id)
    message = receive(services, team.alias, "@fan", "@brand where is my parcel?")
    post = services.posting.reply(team.trainee, message, "It left the depot this morning")
    services.posting.approve(team.lead, post.id)
    services.dispatcher.dispatch_pending()
    handover = services.handovers.write(team.operator, team.alias.id, "All quiet, parcel fan ok")
    guide = services.guides.save(team.lead, team.alias.id, GUIDE.read_text(), "first rules")
    assert services.audit.verify().intact
    return post, handover, guide


def _problems(services):
    report = services.audit.verify()
    return report, [str(problem) for problem in report.tampered]


def test_forged_post_text_author_and_approver_are_named(services, database_url, team, spoken):
    post, _, _ = spoken
    _sql(
        database_url,
        f"UPDATE post SET text = 'We never said that', author_id = {team.operator.operator_id}, "
        f"approver_id = NULL WHERE id = {post.id}",
    )
    report, problems = _problems(services)
    assert not report.intact and report.chain_intact
    published = max(
        e.event.seq
        for e in services.audit.who(str(post.id), by=team.lead).events
        if e.event.kind == "post.published"
    )
    assert problems == [
        f"table post, row {post.id}: approver, author, text no longer match what event "
        f"{published} recorded"
    ]
    who = services.audit.who(str(post.id), by=team.lead)
    assert who.tampered == ("approver", "author", "text")


@pytest.mark.parametrize("column", ["text", "author_id", "approver_id"])
def test_each_post_field_alone_is_caught(services, database_url, team, spoken, column):
    post, _, _ = spoken
    value = {
        "text": "'forged'",
        "author_id": team.other.operator_id,
        "approver_id": team.other.operator_id,
    }[column]
    _sql(database_url, f"UPDATE post SET {column} = {value} WHERE id = {post.id}")
    report, problems = _problems(services)
    field = {"text": "text", "author_id": "author", "approver_id": "approver"}[column]
    assert [p.fields for p in report.tampered] == [(field,)], problems


def test_forged_handover_summary_is_named(services, database_url, spoken):
    _, handover, _ = spoken
    _drop_triggers(database_url)
    _sql(database_url, f"UPDATE handover SET summary = 'Nothing happened' WHERE id = {handover.id}")
    _, problems = _problems(services)
    assert len(problems) == 1
    assert problems[0].startswith(f"table handover, row {handover.id}: summary no longer matches")


def test_forged_operator_name_is_named(services, database_url, team, spoken):
    operator = team.operator.operator_id
    _sql(database_url, f"UPDATE operator SET name = 'mallory' WHERE id = {operator}")
    _, problems = _problems(services)
    assert problems and problems[0].startswith(
        f"table operator, row {team.operator.operator_id}: name no longer matches"
    )


def test_forged_guide_source_is_named(services, database_url, team, spoken):
    _sql(database_url, "UPDATE guide_version SET source = source || '\n# anything goes'")
    _, problems = _problems(services)
    assert problems and problems[0].startswith(
        f"table guide_version, row {team.alias.id}.1: source no longer matches"
    )


def test_a_deleted_post_and_a_post_added_behind_the_ledger_are_named(
    services, database_url, team, spoken
):
    post, _, _ = spoken
    _sql(database_url, "DELETE FROM post_attempt", f"DELETE FROM post WHERE id = {post.id}")
    _sql(
        database_url,
        "INSERT INTO post (id, alias_id, author_id, text, status, attempts, created_at, overrides)"
        f" VALUES (900, {team.alias.id}, {team.operator.operator_id}, 'sneaked in', 'published',"
        " 1, '2026-11-02 09:00:00+00:00', '{}')",
    )
    _, problems = _problems(services)
    assert any(p.startswith(f"table post, row {post.id}: gone, but event") for p in problems)
    assert (
        "table post, row 900: no ledger event records it (added behind the program's back)"
        in problems
    )


def test_a_redaction_done_as_designed_is_not_tampering(services, database_url, spoken):
    post, _, _ = spoken
    _sql(database_url, f"UPDATE post SET text = '', content_salt = NULL WHERE id = {post.id}")
    report = services.audit.verify()
    assert report.intact
    assert report.redacted == [f"post {post.id}"]


def test_a_redaction_that_keeps_the_salt_or_the_text_is_tampering(services, database_url, spoken):
    post, _, _ = spoken
    _sql(database_url, f"UPDATE post SET text = '' WHERE id = {post.id}")
    assert [p.fields for p in services.audit.verify().tampered] == [("text",)]
    _sql(
        database_url,
        f"UPDATE post SET text = 'other words', content_salt = NULL WHERE id = {post.id}",
    )
    report = services.audit.verify()
    assert [p.fields for p in report.tampered] == [("text",)] and report.redacted == []


def test_a_redacted_posts_people_are_still_checked(services, database_url, team, spoken):
    post, _, _ = spoken
    _sql(
        database_url,
        f"UPDATE post SET text = '', content_salt = NULL, author_id = {team.other.operator_id} "
        f"WHERE id = {post.id}",
    )
    report = services.audit.verify()
    assert [p.fields for p in report.tampered] == [("author",)]


def test_an_edit_on_approval_is_stamped_and_stays_intact(services, database_url, team):
    for who in (team.trainee, team.lead):
        services.shifts.start(who, team.alias.id)
    message = receive(services, team.alias, "@fan", "@brand hello?")
    post = services.posting.reply(team.trainee, message, "hello there")
    services.posting.approve(team.lead, post.id, "Hello, how can we help?")
    rejected = services.posting.reply(team.trainee, message, "hi again")
    services.posting.reject(team.lead, rejected.id, "too short")
    services.dispatcher.dispatch_pending()
    assert services.audit.verify().intact
    _sql(database_url, f"UPDATE post SET text = 'hello there' WHERE id = {post.id}")
    assert [p.ref for p in services.audit.verify().tampered] == [f"post {post.id}"]


# Every way to rewrite history the database can see, on each engine.
def _ways(engine, table, key):
    if engine == "sqlite":
        return {
            "update": f"UPDATE {table} SET {key} = {key}",
            "delete": f"DELETE FROM {table} WHERE {key} = 1",
            "truncate": f"DELETE FROM {table}",  # SQLite's truncate optimisation
            "replace": f"INSERT OR REPLACE INTO {table} SELECT * FROM {table} WHERE {key} = 1",
        }
    return {
        "update": f"UPDATE {table} SET {key} = {key}",
        "delete": f"DELETE FROM {table} WHERE {key} = 1",
        "truncate": f"TRUNCATE {table} CASCADE",
        "replace": f"INSERT INTO {table} SELECT * FROM {table} WHERE {key} = 1 "
        f"ON CONFLICT ({key}) DO UPDATE SET {key} = EXCLUDED.{key}",
    }


@pytest.mark.parametrize("way", ["update", "delete", "truncate", "replace"])
@pytest.mark.parametrize(
    "table,key,refusal",
    [
        ("audit_event", "seq", "audit events are append-only"),
        ("handover", "id", "handovers are immutable"),
    ],
)
def test_the_database_refuses_to_rewrite_the_ledger(
    services, database_url, spoken, way, table, key, refusal
):
    engine = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    before = _count(database_url, table)
    with pytest.raises(exc.DBAPIError, match=refusal):
        _sql(database_url, _ways(engine, table, key)[way])
    assert _count(database_url, table) == before
    assert services.audit.verify().intact


def test_emptying_what_the_ledger_hangs_on_is_refused(services, database_url, spoken):
    # PostgreSQL cascades a TRUNCATE to the handovers of the operators; SQLite has no TRUNCATE,
    # and emptying the acknowledgements then the handovers is its nearest way.
    cascade = (
        ["DELETE FROM handover_ack", "DELETE FROM handover"]
        if database_url.startswith("sqlite")
        else ["TRUNCATE operator CASCADE"]
    )
    with pytest.raises(exc.DBAPIError, match="handovers are immutable"):
        _sql(database_url, *cascade)
    assert services.audit.verify().intact


def _count(url, table):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def postgres_url():
    from tests.conftest import _postgres_schema_url

    yield from _postgres_schema_url()


def test_rows_written_during_a_walk_are_not_blamed(postgres_url, clock, monkeypatch):
    """On PostgreSQL, writers carry on during a verification: what they commit meanwhile is in
    neither the walk nor the rows it checks (on SQLite too: tests/test_ledger_erasure.py)."""
    import cmconsole.services.verification as verification
    from cmconsole.wiring import open_services
    from tests.conftest import PASSPHRASE

    monkeypatch.setattr(verification, "PROGRESS_EVERY", 2)
    checking = open_services(postgres_url, clock=clock)
    writing = open_services(postgres_url, clock=clock)
    try:
        for n in range(5):
            writing.accounts.add_operator(f"op{n}", f"Op {n}", PASSPHRASE)
        added = iter(range(100))

        def meanwhile(done, total):
            writing.accounts.add_operator(f"late{next(added)}", "Late", PASSPHRASE)

        report = checking.audit.verify(progress=meanwhile)
        assert report.intact, [str(p) for p in report.tampered]
        assert report.events == 5
        assert checking.audit.verify().events == 7
    finally:
        checking.close()
        writing.close()
