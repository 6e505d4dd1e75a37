"""`cmconsole db grants`: consoles connect to PostgreSQL as a role that works but cannot rewrite
the ledger or the handovers, and the server itself refuses the attempt."""

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import psycopg
import pytest

from cmconsole.domain.contacts import Facet
from cmconsole.domain.model import PostStatus
from cmconsole.wiring import open_services
from tests.cli_run import run
from tests.conftest import PASSPHRASE, POSTGRES_URL, _postgres_schema_url, make_team, receive

PLAIN = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def owner_url() -> Iterator[str]:
    """A fresh schema on the test server, migrated by its owner (the test's superuser)."""
    yield from _postgres_schema_url()


@pytest.fixture
def console_role(owner_url: str) -> Iterator[str]:
    """A uniquely named login role, dropped (with every grant it got) after the test."""
    name = f"cm_console_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PLAIN, autocommit=True) as admin:
        yield name
        admin.execute(f'DROP OWNED BY "{name}"')
        admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def _schema(url: str) -> str:
    found = re.search(r"search_path%3D(\w+)", url)
    assert found is not None
    return found.group(1)


def _as_role(owner_url: str, role: str) -> str:
    """The same workspace, reached as `role` (the test server trusts local connections)."""
    return re.sub(r"//[^@/]+@", f"//{quote(role)}@", owner_url, count=1)


def _grant(owner_url: str, role: str) -> str:
    printed = run(
        "db", "grants", "--role", role, "--owner", "postgres", "--schema", _schema(owner_url),
        "--db", owner_url,
    )  # fmt: skip
    assert printed.exit_code == 0, printed.output
    with psycopg.connect(PLAIN, autocommit=True) as admin:
        admin.execute(printed.stdout)  # as psql would run it
    return printed.stdout


def test_on_sqlite_the_command_says_it_does_not_apply_and_creates_nothing(tmp_path):
    path = tmp_path / "missing" / "cm.db"
    result = run("db", "grants", "--db", f"sqlite:///{path}")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("cmconsole: db grants is for PostgreSQL: on sqlite ")
    assert len(result.stderr.splitlines()) == 1
    assert not path.parent.exists()


def test_names_that_are_not_plain_identifiers_are_refused():
    for args in (["--role", 'x"; DROP TABLE operator; --'], ["--role", "same", "--owner", "same"]):
        result = run("db", "grants", *args, "--db", "postgresql+psycopg://u@h/d")
        assert result.exit_code == 2, args
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1


def test_the_sql_grants_no_rewrite_of_the_ledger_or_the_handovers():
    sql = run("db", "grants", "--db", "postgresql+psycopg://u@h/d").stdout
    for table in ("audit_event", "handover", "contact_note", "contact_rating"):
        granted = re.findall(rf'GRANT ([A-Z, ]+) ON "public"."{table}" TO', sql)
        assert granted == ["SELECT, INSERT"], table
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."post" TO' in sql
    assert "TRUNCATE" not in sql.replace("REVOKE UPDATE, DELETE, TRUNCATE", "")
    assert "Migrations run as cmconsole_owner only" in sql
    # Erasure redacts notes through the owner's function, the only way granted to change them.
    assert re.findall(r"GRANT EXECUTE ON FUNCTION (.+) TO", sql) == [
        '"public".cmconsole_erase_contact_notes(integer)'
    ]


def test_a_team_works_under_the_console_role_and_the_server_refuses_tampering(
    owner_url, console_role
):
    setup = open_services(owner_url)  # migrations run as the owner
    team = make_team(setup)
    setup.close()
    _grant(owner_url, console_role)
    url = _as_role(owner_url, console_role)

    services = open_services(url)
    try:
        lead = services.accounts.sign_in("lena", PASSPHRASE)
        otto = services.accounts.sign_in("otto", PASSPHRASE)
        alias = team.alias
        message_id = receive(services, alias, "@fan", "@brand where is my parcel?")
        services.shifts.start(otto, alias.id)
        post = services.posting.reply(otto, message_id, "On its way, sorry for the wait")
        [sent] = services.dispatcher.dispatch_pending()
        assert (sent.id, sent.status) == (post.id, PostStatus.PUBLISHED)
        services.handovers.write(otto, alias.id, "parcel question answered")
        services.contacts.note(otto, alias.id, "@fan", "waited a week for the parcel")
        services.contacts.rate(otto, alias.id, "@fan", Facet.TRUST, 3, "patient")
        services.shifts.end(otto, alias.id)
        services.shifts.start(lead, alias.id)
        for handover in services.handovers.pending(lead, alias.id):
            services.handovers.acknowledge(lead, handover.id)
        assert services.audit.verify().intact
    finally:
        services.close()

    plain_as_role = _as_role(PLAIN, console_role)
    options = f"-csearch_path={_schema(owner_url)}"
    forged = {"audit_event": "subject", "handover": "summary", "contact_note": "text"}
    forged["contact_rating"] = "reason"
    for table, column in forged.items():
        for statement in (
            f"UPDATE {table} SET {column} = 'forged'",
            f"DELETE FROM {table}",
            f"TRUNCATE {table} CASCADE",
        ):
            with (
                psycopg.connect(plain_as_role, options=options) as tamper,
                pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"),
            ):
                tamper.execute(statement)
    # Nor can the role drop the triggers that guard them: it owns nothing.
    with (
        psycopg.connect(plain_as_role, options=options) as tamper,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        tamper.execute("ALTER TABLE audit_event DISABLE TRIGGER ALL")

    # The command line works under the role too, with the same rules.
    verify = run("audit", "verify", "--db", url)
    assert verify.exit_code == 0, verify.output
    granted = run(
        "grant", "tina", "@brand", "operator", "--as", "lena", "--passphrase-stdin", "--db", url,
        input=PASSPHRASE + "\n",
    )  # fmt: skip
    assert granted.exit_code == 0, granted.output
    env = {**os.environ, "CMCONSOLE_DATABASE_URL": url}
    listed = subprocess.run(
        [sys.executable, "-m", "cmconsole", "audit", "list", "--as", "otto", "--passphrase-stdin"],
        env=env, input=PASSPHRASE + "\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert {line.split("\t")[3] for line in listed.stdout.splitlines()} == {"otto"}


def test_under_the_console_role_merges_and_an_erasure_work_and_notes_stay_append_only(
    owner_url, console_role
):
    """Notes and ratings stay append-only for the role: a merge leaves them where they are, and
    an erasure blanks them through the owner's function (migration 0021), which redacts only a
    contact whose erasure the ledger records; the ledger verifies after it."""
    setup = open_services(owner_url)
    team = make_team(setup)
    for handle in ("@ann", "@ann_work", "@bob"):
        receive(setup, team.alias, handle, f"@brand I am {handle}, 12 Elm Road")
        setup.contacts.note(team.lead, team.alias.id, handle, "lives on Elm Road")
    setup.close()
    _grant(owner_url, console_role)
    services = open_services(_as_role(owner_url, console_role))
    try:
        lead = services.accounts.sign_in("lena", PASSPHRASE)
        merged = services.contact_life.merge(lead, team.alias.id, "@ann", "@ann_work")
        assert merged.handles == ("@ann", "@ann_work")
        services.contact_life.unmerge(lead, team.alias.id, "@ann_work")
        services.contact_life.merge(lead, team.alias.id, "@ann", "@ann_work")
        services.contacts.rate(lead, team.alias.id, "@ann_work", Facet.TRUST, 2, "angry at Elm")

        counts = services.contact_life.erase(lead, team.alias.id, "@ann")

        assert counts == {"messages": 2, "notes": 2, "ratings": 1}
        card = services.contacts.card(lead, team.alias.id, "@ann")
        assert card.contact.erased_at is not None
        assert {n.text for n in card.notes} == {""}
        assert [i.text for i in card.history if i.kind.value == "message"] == ["", ""]
        [bob] = services.contacts.card(lead, team.alias.id, "@bob").notes
        assert bob.text == "lives on Elm Road"
        report = services.audit.verify()
        assert report.intact, [str(p) for p in report.tampered]
        assert len(report.redacted) == 2
        bob_id = services.contacts.card(lead, team.alias.id, "@bob").contact.id
    finally:
        services.close()
    plain_as_role = _as_role(PLAIN, console_role)
    options = f"-csearch_path={_schema(owner_url)}"
    # The function redacts nobody the ledger has not seen erased, and the tables stay closed.
    with (
        psycopg.connect(plain_as_role, options=options) as tamper,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="no erasure in the ledger"),
    ):
        tamper.execute("SELECT * FROM cmconsole_erase_contact_notes(%s)", (bob_id,))
    with (
        psycopg.connect(plain_as_role, options=options) as tamper,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"),
    ):
        tamper.execute("UPDATE contact_note SET text = ''")
    owner = open_services(owner_url)
    try:
        lena = owner.accounts.sign_in("lena", PASSPHRASE)
        [bob] = owner.contacts.card(lena, team.alias.id, "@bob").notes
        assert bob.text == "lives on Elm Road"
        assert owner.audit.verify().intact
    finally:
        owner.close()


def test_the_erasure_function_is_not_open_to_every_role(owner_url):
    """PostgreSQL lets PUBLIC execute a new function: the migration takes that back, so only a
    role given it by `db grants` may call it."""
    open_services(owner_url).close()
    schema = _schema(owner_url)
    with psycopg.connect(PLAIN, autocommit=True) as admin:
        [(acl,)] = admin.execute(
            "SELECT proacl::text FROM pg_proc JOIN pg_namespace ON pg_namespace.oid = pronamespace "
            "WHERE proname = 'cmconsole_erase_contact_notes' AND nspname = %s",
            (schema,),
        ).fetchall()
    # A grant to PUBLIC is an entry with an empty grantee ("=X/owner").
    assert acl is not None and not any(e.startswith("=") for e in acl.strip("{}").split(","))
