"""The command line: setting up a workspace, the demo, the audit, and errors without tracebacks."""

import pytest

from cmconsole.cli import main
from cmconsole.wiring import open_services
from tests.cli_run import run

PASSPHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """Keep the user's real data directory (and its demo) out of the tests."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)


@pytest.fixture
def db(tmp_path):
    """A new, empty workspace, made as the README says: `cmconsole init`."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    made = run("init", "--db", url)
    assert made.exit_code == 0, made.output
    return url


def test_a_new_workspace_says_how_to_set_it_up(db):
    result = run("--db", db)
    assert result.exit_code == 0
    assert "is new" in result.output
    assert "cmconsole operator add" in result.output


def test_a_lead_sets_up_a_workspace_from_the_command_line(db):
    added = run(
        "operator",
        "add",
        "lea",
        "--display-name",
        "Léa Martin",
        "--passphrase-stdin",
        "--db",
        db,
        input=PASSPHRASE + "\n",
    )
    assert added.exit_code == 0, added.output
    assert "added operator lea (Léa Martin, LM)" in added.output
    assert (
        run("alias", "add", "@belle", "--name", "Belle", "--language", "fr", "--db", db).exit_code
        == 0
    )
    granted = run("grant", "lea", "@belle", "lead", "--db", db)
    assert granted.output.strip() == "lea is now lead on @belle"
    assert "@belle\tBelle\tfr\tsandbox" in run("alias", "list", "--db", db).output
    assert "lea\tLéa Martin\tLM\tactive" in run("operator", "list", "--db", db).output

    services = open_services(db)
    who = services.accounts.sign_in("lea", PASSPHRASE)
    assert [m.alias.handle for m in services.accounts.memberships(who)] == ["@belle"]
    services.close()
    # From here the workspace has a lead: reading the audit takes her passphrase.
    closed = run("audit", "list", "--db", db)
    assert (closed.exit_code, closed.stderr) == (
        2,
        "cmconsole: this workspace has a lead: say who you are with --as NAME\n",
    )
    listing = run(
        "audit", "list", "--as", "lea", "--passphrase-stdin", "--db", db, input=PASSPHRASE + "\n"
    ).output
    assert "operator.added" in listing and "role.granted" in listing
    assert PASSPHRASE not in listing


def test_the_database_can_come_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("CMCONSOLE_DATABASE_URL", db)
    assert run("alias", "add", "@env", "--name", "Env").exit_code == 0
    assert "@env" in run("alias", "list", "--db", db).output


def test_the_demo_seeds_once_and_prints_its_url(database_url):
    first = run("demo", "--no-launch", "--db", database_url)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip().split("?")[0] in database_url
    assert run("demo", "--no-launch", "--db", database_url).exit_code == 0
    services = open_services(database_url)
    assert {a.handle for a in services.accounts.aliases()} == {"@bellehelene", "@acmehelp"}
    assert [o.name for o in services.accounts.operators()] == ["anna", "lea", "omar", "theo"]
    assert services.audit.verify().intact
    services.close()


def test_the_demo_lives_apart_from_the_real_workspace_and_can_start_over(tmp_path):
    seeded = run("demo", "--no-launch")
    assert seeded.exit_code == 0, seeded.output
    demo_url = seeded.stdout.strip()
    assert demo_url.endswith("demo.db") and str(tmp_path / "data") in demo_url
    assert "is new" in run().output  # the real workspace is still empty
    services = open_services(demo_url)
    lea = services.accounts.sign_in("lea", "lead-demo-pass")
    services.accounts.add_operator("extra", "Extra", PASSPHRASE, by=lea)
    services.close()
    assert run("demo", "--no-launch", "--reset").exit_code == 0
    services = open_services(demo_url)
    assert "extra" not in [o.name for o in services.accounts.operators()]
    services.close()


def test_reset_refuses_to_touch_another_database(db):
    result = run("demo", "--reset", "--no-launch", "--db", db)
    assert result.exit_code == 1
    assert "--reset starts over only the demo" in result.output


def test_audit_verify_reports_an_intact_chain(db):
    run("demo", "--no-launch", "--db", db)
    result = run("audit", "verify", "--db", db)
    assert result.exit_code == 0
    assert result.output.startswith("audit intact: ")


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["grant", "ghost", "@x", "lead"], 1, "no operator 'ghost'"),
        (["grant", "lea", "@x", "king"], 2, "'king' is not one of"),
        (["alias", "add", "not a handle", "--name", "X"], 1, "is not valid"),
        (["operator", "add", "tom", "--passphrase-stdin"], 1, "at least 8"),
        (["nonsense"], 2, "No such command"),
    ],
)
def test_errors_are_one_clear_line_and_an_exit_code(db, args, code, words):
    result = run(*args, "--db", db, input="short\n")
    assert result.exit_code == code
    assert words in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_an_unreachable_database_is_a_message_with_no_password():
    result = run("alias", "list", "--db", "postgresql+psycopg://u:hunter22@127.0.0.1:1/x")
    assert result.exit_code == 1
    assert "cannot open the workspace database at postgresql+psycopg://u:***@127.0.0.1:1/x" in (
        result.output
    )
    assert "hunter22" not in result.output


def test_adding_an_operator_without_a_terminal_asks_for_stdin(db):
    result = run("operator", "add", "tom", "--db", db)
    assert result.exit_code == 2
    assert "--passphrase-stdin" in result.output


def test_every_command_has_help():
    def walk(command, path):
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    for path in walk(main, []):
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert "Usage:" in result.output


def test_a_checkpoint_kept_outside_proves_the_chain_later(db):
    run("demo", "--no-launch", "--db", db)
    mark = run("audit", "checkpoint", "--db", db)
    assert mark.exit_code == 0
    kept = mark.stdout.strip()
    events, head = kept.split(":")
    assert events.isdigit() and len(head) == 64
    verified = run("audit", "verify", "--checkpoint", kept, "--db", db)
    assert verified.exit_code == 0
    assert f"checkpoint at event {events} matches" in verified.output
    wrong = run("audit", "verify", "--checkpoint", f"{events}:{'0' * 64}", "--db", db)
    assert wrong.exit_code == 1
    assert f"audit broken at event {events}: it does not match the checkpoint" in wrong.output
    garbled = run("audit", "verify", "--checkpoint", "yesterday", "--db", db)
    assert garbled.exit_code == 2
    assert "a checkpoint looks like 1234:<64 hex digits>" in garbled.output
