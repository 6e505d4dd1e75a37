"""Hostile bytes, numbers, paths and files on the command line: one line naming the problem,
exit 1 or 2, never a traceback, nothing saved lost. Bytes and terminals go through real
processes; the rest through click's runner."""

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cmconsole.cli import main
from cmconsole.wiring import open_services
from tests.test_pty import TIMEOUT, Terminal, _plain_env

ROOT = Path(__file__).resolve().parent.parent
# The demo's lead: once a workspace has a lead, reading the audit or changing it takes her.
AS_LEA, LEA = ["--as", "lea", "--passphrase-stdin"], "lead-demo-pass\n"
# The commands a team runs most, each against a damaged workspace.
MAIN_COMMANDS = [
    ["operator", "list"],
    ["alias", "list"],
    ["audit", "list", *AS_LEA],
    ["audit", "verify"],
    ["check", "--alias", "@acmehelp", "hello"],
    ["dispatch", "--once"],
]


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)


def run(*args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def cli(tmp_path: Path, *args: str | bytes, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """cmconsole in its own process, arguments and standard input as raw bytes."""
    env = _plain_env(tmp_path)
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"cmconsole", *(os.fsencode(a) for a in args)],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=TIMEOUT,
        check=False,
    )


def assert_one_line(result: Result | subprocess.CompletedProcess, code: int, *words: str) -> None:
    if isinstance(result, Result):
        code_seen, said = result.exit_code, result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit), said
    else:
        code_seen, said = result.returncode, result.stderr.decode("utf-8", "replace")
    assert code_seen == code, said
    assert "Traceback" not in said
    lines = said.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cmconsole: "), said
    for word in words:
        assert word in lines[0], said


@pytest.fixture
def demo_db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert run("demo", "--no-launch", "--db", url).exit_code == 0
    return url


def _file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


# --- bytes -------------------------------------------------------------------------------------


def test_invalid_utf8_on_standard_input_is_refused_naming_where(tmp_path):
    done = cli(tmp_path, "check", stdin=b"Bonjour\nvoil\xe0 tout")
    assert_one_line(done, 2, "standard input is not valid UTF-8", "0xe0", "offset 12", "line 2")
    assert done.stdout == b""  # nothing was checked, so nothing says "ok"


def test_invalid_utf8_in_json_lines_is_refused_too():
    result = run("check", "--json", input=b'"fine"\n"caf\xc3"\n')
    assert_one_line(result, 2, "not valid UTF-8", "0xc3", "line 2")


def test_a_raw_c1_byte_or_invalid_utf8_in_a_mention_is_refused_and_nothing_saved(tmp_path, demo_db):
    for text, author in ((b"hi \x9b31m", b"fan"), (b"ok", b"f\xffan")):
        done = cli(
            tmp_path, "sandbox", "mention", "acmehelp", text, "--from", author, "--db", demo_db
        )
        bad = "0x9b" if b"\x9b" in text else "0xff"
        assert_one_line(done, 1, "not valid UTF-8", bad)
    services = open_services(demo_db)
    try:
        assert services.sandbox is not None
        alias = next(a for a in services.accounts.aliases() if a.handle == "@acmehelp")
        assert services.inbox.sync(alias.id) == 0  # nothing reached the public's timeline
    finally:
        services.close()


def test_a_terminal_title_sequence_in_a_name_is_printed_inert(tmp_path, demo_db):
    hostile = "\x1b]0;pwned\x07tr\x9b31moll"
    done = cli(
        tmp_path, "sandbox", "mention", "acmehelp", "hello", "--from", hostile, "--db", demo_db
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"@troll wrote to @acmehelp")
    assert b"\x1b" not in done.stdout and b"\xc2\x9b" not in done.stdout


def test_outside_text_in_lists_exports_and_check_output_is_printed_inert(tmp_path, demo_db):
    services = open_services(demo_db)
    try:
        lea = services.accounts.sign_in("lea", LEA.strip())
        services.accounts.add_alias("@evil", "Evil\x1b]0;pwned\x07\tName\x9b2J", by=lea)
        services.accounts.add_operator(
            "mallory", "Mal\x1b[2Jlory\nSecond line", "passphrase!", by=lea
        )
    finally:
        services.close()
    for command in (["alias", "list"], ["operator", "list"], ["audit", "list", *AS_LEA]):
        done = cli(tmp_path, *command, "--db", demo_db, stdin=LEA.encode())
        assert done.returncode == 0, done.stderr
        assert b"\x1b" not in done.stdout and b"\xc2\x9b" not in done.stdout, command
    names = cli(tmp_path, "alias", "list", "--db", demo_db).stdout.decode().splitlines()
    assert "@evil\tEvil Name\ten\tsandbox\tUTC" in names  # columns kept: no tab or newline inside
    exported = cli(tmp_path, "audit", "export", *AS_LEA, "--db", demo_db, stdin=LEA.encode())
    assert b"\x1b" not in exported.stdout and b"\xc2\x9b" not in exported.stdout
    assert "\\u001b]0;pwned" in exported.stdout.decode()  # kept exactly, escaped
    guide = tmp_path / "echo.toml"
    guide.write_text(
        '[[rules]]\nid = "echo"\nkind = "pattern"\nseverity = "warning"\n'
        'mode = "forbidden"\npattern = "say.*"\nmessage = "you wrote {found}"\n',
        encoding="utf-8",
    )
    draft = "say \x9b31m and \x1b]0;x\x07"
    for mode, given in (([], draft.encode()), (["--json"], json.dumps(draft).encode())):
        checked = cli(tmp_path, "check", "--guide", str(guide), *mode, stdin=given)
        assert b"you wrote say" in checked.stdout, checked.stdout
        assert b"\x1b" not in checked.stdout and b"\xc2\x9b" not in checked.stdout, mode


# --- numbers and paths -------------------------------------------------------------------------


def test_a_post_id_beyond_any_integer_is_not_found_not_a_crash(demo_db):
    result = run("audit", "who", "99999999999999999999999", *AS_LEA, "--db", demo_db, input=LEA)
    assert_one_line(result, 1, "no post has the id '99999999999999999999999'")


def test_exporting_into_a_missing_folder_is_one_line_and_leaves_nothing(tmp_path, demo_db):
    target = tmp_path / "missing" / "dir" / "file.csv"
    result = run(
        "audit", "export", "--format", "csv", "--output", str(target), *AS_LEA, "--db", demo_db,
        input=LEA,
    )  # fmt: skip
    assert_one_line(result, 2, f"cannot write {target}", "No such file or directory")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("path", ["/etc/hostname/x.db", "/proc/cmconsole-test/x.db", "/proc/x.db"])
def test_a_path_under_a_file_or_under_proc_is_one_line(path):
    for command in (["operator", "list"], ["init"]):
        result = run(*command, "--db", f"sqlite:///{path}")
        assert_one_line(result, 1, path)


def test_a_mistyped_database_path_creates_nothing(tmp_path):
    missing = tmp_path / "missing" / "dir" / "x.db"
    url = f"sqlite:///{missing}"
    for command in [
        ["operator", "list"],
        ["alias", "add", "@typo", "--name", "Typo"],
        ["audit", "verify"],
        ["check", "--alias", "@typo", "hi"],
        ["dispatch", "--once"],
        ["guide", "versions", "@typo"],
    ]:
        result = run(*command, "--db", url)
        code = 2 if command[0] == "check" else 1
        assert_one_line(result, code, f"no workspace at {missing} (create it with cmconsole init)")
    assert not (tmp_path / "missing").exists()


def test_init_creates_the_workspace_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'x.db'}"
    made = run("init", "--db", url)
    assert made.exit_code == 0, made.output
    assert "nobody can sign in yet" in made.stdout
    assert run("alias", "add", "@brand", "--name", "Brand", "--db", url).exit_code == 0
    added = run("operator", "add", "lea", "--passphrase-stdin", "--db", url, input="long enough\n")
    assert added.exit_code == 0, added.output
    again = run("init", "--db", url)
    assert again.exit_code == 0
    assert "set up already" in again.stdout
    assert "@brand" in run("alias", "list", "--db", url).stdout


# --- damaged workspaces ------------------------------------------------------------------------


def _checkpointed_copy(source: str, target: Path) -> Path:
    """A copy of the workspace in one file (its write-ahead log folded in)."""
    shutil.copy(_file(source), target)
    wal = Path(f"{_file(source)}-wal")
    if wal.exists():
        shutil.copy(wal, f"{target}-wal")
    connection = sqlite3.connect(target)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return target


def _corrupt(path: Path, fraction: float) -> None:
    """Write 8 KiB of garbage at `fraction` of the file, on a page boundary."""
    size = path.stat().st_size
    at = int(size * fraction) // 4096 * 4096
    noise = random.Random(7)
    with path.open("r+b") as file:
        file.seek(at)
        file.write(bytes(noise.randrange(256) for _ in range(8192)))


def _corrupt_table(path: Path, table: str) -> None:
    """Write garbage over the first page of `table` (where its rows begin)."""
    connection = sqlite3.connect(path)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    [root] = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
    ).fetchone()
    connection.close()
    noise = random.Random(7)
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(bytes(noise.randrange(256) for _ in range(page_size)))


def _assert_said_at_most_a_line_per_problem(done: subprocess.CompletedProcess, what: str) -> None:
    said = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (0, 1, 2), (what, said)
    assert "Traceback" not in said and 'File "' not in said, (what, said)
    if done.returncode:
        lines = said.splitlines()
        assert len(lines) == 1 and lines[0].startswith("cmconsole: "), (what, said)


@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.9])
def test_a_workspace_corrupted_mid_file_gives_one_line_per_command(tmp_path, demo_db, fraction):
    damaged = _checkpointed_copy(demo_db, tmp_path / "damaged.db")
    _corrupt(damaged, fraction)
    for command in MAIN_COMMANDS:
        done = cli(tmp_path, *command, "--db", f"sqlite:///{damaged}", stdin=LEA.encode())
        _assert_said_at_most_a_line_per_problem(done, " ".join(command))


def test_the_console_on_a_corrupted_workspace_exits_with_the_reason(tmp_path, demo_db):
    damaged = _checkpointed_copy(demo_db, tmp_path / "damaged.db")
    # Where opening reads (a data page elsewhere would be found only when read): the same place
    # whatever the schema's size, unlike a fraction of the file.
    _corrupt_table(damaged, "alembic_version")
    terminal = Terminal(
        [sys.executable, "-m", "cmconsole", "--db", f"sqlite:///{damaged}"],
        _plain_env(tmp_path),
        ROOT,
    )
    try:
        at = terminal.expect("Sign in")
        terminal.expect("cmconsole: cannot open the workspace database at ", at)
        assert terminal.process.wait(timeout=TIMEOUT) == 1
        assert "Traceback" not in terminal.output.decode("utf-8", "replace")
    finally:
        terminal.close()


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Nobody may write `path` (a file, or a folder's entries), root included."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_workspace_gives_one_line_per_command_and_loses_nothing(
    tmp_path, demo_db, what
):
    folder = tmp_path / "ro"
    folder.mkdir()
    workspace = _checkpointed_copy(demo_db, folder / "w.db")
    for extra in ("-wal", "-shm"):
        Path(f"{workspace}{extra}").unlink(missing_ok=True)
    before = workspace.read_bytes()
    with read_only(workspace if what == "file" else folder):
        for command in MAIN_COMMANDS:
            done = cli(tmp_path, *command, "--db", f"sqlite:///{workspace}", stdin=LEA.encode())
            _assert_said_at_most_a_line_per_problem(done, " ".join(command))
        if what == "folder":
            said = cli(tmp_path, "alias", "list", "--db", f"sqlite:///{workspace}").stderr
            assert b"is its folder writable?" in said
        added = cli(
            tmp_path, "alias", "add", "@more", "--name", "More", *AS_LEA,
            "--db", f"sqlite:///{workspace}", stdin=LEA.encode(),
        )  # fmt: skip
        assert added.returncode == 1
        _assert_said_at_most_a_line_per_problem(added, "alias add")
    assert workspace.read_bytes() == before


# --- guides that say nothing, or more than the channel takes ---------------------------------


@pytest.mark.parametrize(
    ("source", "line", "problem"),
    [
        ("", 1, "the guide is empty"),
        ("\n\n", 1, "the guide is empty"),
        ('name = "Acme"\nlanguage = "en"\n', 1, "no [prose] and no [[rules]]"),
        ('name = "Acme"\nlength = 99999\n\n[prose]\nWho = "us"\n', 2, "between 1 and 280"),
        ('name = "Acme"\nlength = 281\n\n[prose]\nWho = "us"\n', 2, "not 281"),
    ],
)
def test_a_guide_with_nothing_to_say_or_too_long_a_length_is_refused(
    tmp_path, demo_db, source, line, problem
):
    path = tmp_path / "guide.toml"
    path.write_text(source, encoding="utf-8")
    before = run("guide", "versions", "@acmehelp", "--db", demo_db).stdout
    result = run("guide", "import", "@acmehelp", str(path), *AS_LEA, "--db", demo_db, input=LEA)
    assert_one_line(result, 1, f"{path}, line {line}: ", problem)
    assert run("guide", "versions", "@acmehelp", "--db", demo_db).stdout == before


def test_a_guide_within_the_channels_length_is_imported(tmp_path, demo_db):
    path = tmp_path / "guide.toml"
    path.write_text('name = "Acme"\nlength = 200\n\n[prose]\nWho = "us"\n', encoding="utf-8")
    result = run("guide", "import", "@acmehelp", str(path), *AS_LEA, "--db", demo_db, input=LEA)
    assert result.exit_code == 0, result.output
    assert "guide version 2" in result.stdout


def test_a_failure_nobody_foresaw_is_one_line_not_a_traceback(demo_db, monkeypatch):
    from cmconsole.services.accounts import AccountService

    def broken(self):
        raise RuntimeError("secret detail \x1b]0;x\x07")

    monkeypatch.setattr(AccountService, "operators", broken)
    result = run("operator", "list", "--db", demo_db)
    assert_one_line(result, 1, "unexpected RuntimeError")
    assert "secret detail" not in result.output


def test_the_console_on_a_read_only_folder_exits_with_the_reason(tmp_path, demo_db):
    folder = tmp_path / "ro"
    folder.mkdir()
    workspace = _checkpointed_copy(demo_db, folder / "w.db")
    for extra in ("-wal", "-shm"):
        Path(f"{workspace}{extra}").unlink(missing_ok=True)
    with read_only(folder):
        terminal = Terminal(
            [sys.executable, "-m", "cmconsole", "--db", f"sqlite:///{workspace}"],
            _plain_env(tmp_path),
            ROOT,
        )
        try:
            at = terminal.expect("Sign in")
            terminal.expect("is its folder writable?", at)
            assert terminal.process.wait(timeout=TIMEOUT) == 1
            assert "Traceback" not in terminal.output.decode("utf-8", "replace")
        finally:
            terminal.close()


def test_what_a_channel_said_of_a_post_is_printed_inert_by_audit_who(tmp_path, demo_db):
    """A failure reason is the channel's words, kept as it gave them: `audit who` shows it,
    never lets the terminal obey it."""
    services = open_services(demo_db)
    try:
        lea = services.accounts.sign_in("lea", LEA.strip())
        [alias] = [a for a in services.accounts.aliases() if a.handle == "@acmehelp"]
        post = services.posting.posts(lea, alias.id, limit=1)[0]
    finally:
        services.close()
    with sqlite3.connect(_file(demo_db)) as db:
        db.execute(
            "UPDATE post SET failure_reason = ? WHERE id = ?",
            ("refused\x1b]52;c;cm0gLXJmIH4=\x07 by\x9b2J the server", post.id),
        )
    shown = cli(
        tmp_path, "audit", "who", str(post.id), *AS_LEA, "--db", demo_db, stdin=LEA.encode()
    )
    assert shown.returncode == 0, shown.stderr
    assert b"refused" in shown.stdout and b"the server" in shown.stdout
    assert b"\x1b" not in shown.stdout and b"\xc2\x9b" not in shown.stdout
