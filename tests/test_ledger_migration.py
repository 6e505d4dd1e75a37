"""A workspace made before content hashing: migrated in place, its old events and rows are
counted as unchecked (not as tampering), and everything written after is stamped."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from cmconsole.cli import main
from cmconsole.domain.audit_chain import GENESIS_HASH, record, record_hash, stamp
from cmconsole.storage import migrations
from cmconsole.wiring import open_services
from tests.conftest import PASSPHRASE


def _workspace_at_0010(url, clock):
    """What the program before content hashing left: two operators, an alias, a post, and the
    events it wrote for them, chained the old way."""
    engine = create_engine(url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(Path(migrations.__file__).parent))
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
        at = clock.now.isoformat(sep=" ")
        for name in ("ada", "bob"):
            connection.execute(
                text(
                    "INSERT INTO operator (name, display_name, initials, passphrase_hash, "
                    f"active, created_at) VALUES ('{name}', '{name.title()}', 'X', 'x', "
                    f"TRUE, '{at}')"
                )
            )
        connection.execute(
            text(
                "INSERT INTO alias (handle, display_name, language, channel, signature_kind, "
                f"signature_text, created_at) VALUES ('@old', 'Old', 'en', 'sandbox', 'none', "
                f"'', '{at}')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO post (alias_id, author_id, text, status, attempts, created_at, "
                f"overrides) VALUES (1, 1, 'said long ago', 'published', 1, '{at}', '{{}}')"
            )
        )
        prev = GENESIS_HASH
        for seq, (kind, subject) in enumerate(
            [("operator.added", "ada"), ("operator.added", "bob"), ("post.published", "post 1")],
            start=1,
        ):
            fields = (seq, stamp(clock.now), kind, None, None, subject, "{}")
            digest = record_hash(record(*fields, prev))
            connection.execute(
                text(
                    "INSERT INTO audit_event (seq, occurred_at, kind, actor_id, alias_id, "
                    "subject, details, prev_hash, hash) VALUES "
                    "(:seq, :at, :kind, NULL, NULL, :subject, '{}', :prev, :hash)"
                ),
                {
                    "seq": seq,
                    "at": fields[1],
                    "kind": kind,
                    "subject": subject,
                    "prev": prev,
                    "hash": digest,
                },
            )
            prev = digest
    engine.dispose()


def test_old_events_are_counted_once_and_new_ones_are_stamped(database_url, clock):
    _workspace_at_0010(database_url, clock)
    services = open_services(database_url, clock=clock)  # migrates to the head
    try:
        report = services.audit.verify()
        assert report.intact
        assert (report.events, report.events_before_hashing, report.rows_before_hashing) == (
            3,
            3,
            3,  # two operators and a post; no event stamped them
        )
        said = CliRunner().invoke(main, ["audit", "verify", "--db", database_url])
        assert said.exit_code == 0
        assert said.stdout.count("before content hashing") == 1
        assert said.stdout.startswith(
            "3 events before content hashing (3 rows they wrote): their content is not checked\n"
            "audit intact: 3 events"
        )
        services.accounts.add_operator("cleo", "Cleo", PASSPHRASE)
        assert services.audit.verify().intact
        engine = create_engine(database_url)
        with engine.begin() as connection:
            salts = connection.execute(text("SELECT content_salt FROM post")).scalars().all()
            # An old row is not checked (nothing recorded it) ...
            connection.execute(text("UPDATE operator SET name = 'eve' WHERE name = 'bob'"))
        assert services.audit.verify().intact
        # ... but one written since is.
        with engine.begin() as connection:
            connection.execute(text("UPDATE operator SET name = 'eve2' WHERE name = 'cleo'"))
        engine.dispose()
        [problem] = services.audit.verify().tampered
        assert str(problem).startswith("table operator, row 3: name no longer matches")
        assert len(salts) == 1 and salts[0] and len(salts[0]) == 32
    finally:
        services.close()
