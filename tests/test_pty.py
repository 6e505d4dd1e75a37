"""On a real pseudo-terminal: no escape sequence or C1 control from the public reaches the output.

The console runs as `python -m cmconsole demo` in a child process whose terminal is a pty; the
test signs in as a person would, opens the inbox and the hostile message, and reads every byte
the console wrote.
"""

import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from contextlib import suppress
from fcntl import ioctl
from pathlib import Path

import pytest

from cmconsole.services.guard import SignedIn
from cmconsole.wiring import open_demo

COLUMNS, LINES = 120, 40
FOCUSED = "{}\x1b\\[0m(?:\x1b\\[[0-9;]*m)*{}"  # an empty input's cursor on its placeholder
TIMEOUT = 60.0  # seconds to wait for each screen: two noisy shared cores

# Each payload sits between two markers, so the test sees both that the text was shown and
# that nothing was left between the markers.
PAYLOADS = {
    "osc-title": "\x1b]0;PWNED-TITLE\x07",
    "osc-clipboard": "\x1b]52;c;UFdORUQ=\x07",
    "osc-clipboard-st": "\x1b]52;c;UFdORUQ=\x1b\\",
    "csi-colour": "\x1b[31mRED\x1b[0m",
    "csi-clear": "\x1b[2J",
    "c1-csi": "\x9b31m",
    "c1-osc": "\x9d0;X\x9c",
    "bidi": "\u202e",
}
SHOWN = {
    "osc-title": "",
    "osc-clipboard": "",
    "osc-clipboard-st": "",
    "csi-colour": "RED",
    "csi-clear": "",
    "c1-csi": "",
    "c1-osc": "",
    "bidi": "⟨RLO⟩",
}
MARKUP = ("[@click=app.quit]x[/]", "[link=http://e.vil]y[/link]", "[/bold]")
AUTHOR = "@tr<\x1b]0;PWNED-TITLE\x07>oll\x9b1m"
TEXT = (
    "@bellehelene @acmehelp HOSTILE-MESSAGE "
    + " ".join(f"{name}<{payload}>" for name, payload in PAYLOADS.items())
    + " "
    + " ".join(MARKUP)
)


class Terminal:
    """A child process on a pty, and everything it has written so far."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path) -> None:
        self.master, slave = os.openpty()
        ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        os.close(slave)
        self._output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        # Keep draining: a child whose terminal buffer is full would block.
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if not ready:
                    if self.process.poll() is not None:
                        return
                    continue
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO once the child has gone and closed its side
                return
            if not chunk:
                return
            with self._lock:
                self._output += chunk

    @property
    def output(self) -> bytes:
        with self._lock:
            return bytes(self._output)

    def expect_across_lines(self, marker: str, after: int = 0) -> None:
        """Wait until `marker` is on screen after byte `after`, though the pane may have wrapped
        it over two rows: what lies between rows (styles, cursor moves, line ends, padding and
        the pane's border and scrollbar) is left out before looking."""
        wanted = re.sub(r"\s+", "", marker)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            shown = self.output[after:].decode("utf-8", errors="replace")
            shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
            shown = re.sub(r"[\s\u2500-\u259f]+", "", shown)
            if wanted in shown:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"{marker!r} never shown (exit {self.process.poll()})")

    def expect(self, marker: str, after: int = 0, *, pattern: bool = False) -> int:
        """Wait until `marker` (a regular expression if `pattern`) is written after byte `after`;
        return where it ends."""
        wanted = re.compile(marker.encode() if pattern else re.escape(marker.encode()))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            found = wanted.search(self.output, after)
            if found:
                return found.end()
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        tail = self.output[-3000:].decode("utf-8", errors="replace")
        raise AssertionError(
            f"{marker!r} never shown (exit {self.process.poll()}); tail:\n{tail!r}"
        )

    def type(self, keys: str) -> None:
        for key in keys:
            os.write(self.master, key.encode())
            time.sleep(0.02)

    def press(self, sequence: str) -> None:
        """A key that is an escape sequence, written at once as a terminal sends it (one byte
        at a time, the ESC alone would be read as the Escape key)."""
        os.write(self.master, sequence.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                # ctrl+q, in case the test stopped half-way (twice: on shift, the first offers
                # the handover).
                os.write(self.master, b"\x11")
                with suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=5)
                if self.process.poll() is None:
                    os.write(self.master, b"\x11")
                self.process.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                with suppress(ProcessLookupError):  # its own session: only the console
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        os.close(self.master)


@pytest.fixture
def hostile_demo(tmp_path) -> str:
    """A demo workspace whose public wrote hostile text, its handovers already read by anna."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    services, _ = open_demo(url)
    try:
        services.public.mention(AUTHOR, TEXT)
        anna = services.accounts.sign_in("anna", "anna-demo-pass")
        for membership in services.accounts.memberships(anna):
            _read_everything(services, anna, membership.alias.id)
    finally:
        services.close()
    return url


def _read_everything(services, who: SignedIn, alias_id: int) -> None:
    for handover in services.handovers.pending(who, alias_id):
        services.handovers.acknowledge(who, handover.id)
    if (guide := services.guides.unread(who, alias_id)) is not None:
        services.guides.acknowledge(who, alias_id, guide.version.version)


@pytest.fixture
def console(hostile_demo, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEXTUAL", "PYTEST", "CMCONSOLE"))
    }
    env.update(
        TERM="xterm-256color",
        COLUMNS=str(COLUMNS),
        LINES=str(LINES),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    terminal = Terminal(
        [sys.executable, "-m", "cmconsole", "demo", "--db", hostile_demo],
        env,
        Path(__file__).resolve().parent.parent,
    )
    try:
        yield terminal
    finally:
        terminal.close()


def test_no_escape_from_the_public_reaches_the_terminal(console):
    # Keys typed before a field has the focus would go elsewhere: wait for the field's cursor,
    # drawn on the first letter of its placeholder.
    at = console.expect(FOCUSED.format("o", "perator name"), pattern=True)
    console.type("anna\r")
    at = console.expect(FOCUSED.format("p", "assphrase"), at, pattern=True)
    console.type("anna-demo-pass\r")
    # The home screen lists the aliases (the first focused) once it has read them.
    at = console.expect("sandbox · operator", console.expect("Speak as:", at))
    console.type("\r")
    # The inbox, newest first. The console fetched the hostile mention after its first read and
    # the cursor stayed on the fan it was on: ctrl+home takes it to the first row, the hostile one.
    at = console.expect("HOSTILE-MESSAGE", at)
    console.expect("@tr<>oll", at)
    console.press("\x1b[1;5H")  # ctrl+home
    console.type("\r")
    # The conversation shows the whole message; the inbox showed only its start, so the
    # markers at the end are written only once the conversation is on screen.
    for name in PAYLOADS:
        console.expect_across_lines(f"{name}<{SHOWN[name]}>", at)
    for markup in MARKUP:
        console.expect_across_lines(markup, at)
    console.type("\x11")  # ctrl+q: on shift, the console first offers the handover
    console.expect("End your shift on", at)
    console.type("e")
    console.process.wait(timeout=TIMEOUT)

    raw = console.output
    text = raw.decode("utf-8")  # strict: a raw 8-bit control byte would not decode
    assert not [f"U+{ord(c):04X}" for c in text if 0x80 <= ord(c) <= 0x9F]
    assert "PWNED-TITLE" not in text
    assert "UFdORUQ=" not in text
    assert "\x1b[31mRED" not in text
    for name in PAYLOADS:
        assert f"{name}<\x1b" not in text
    # Every operating-system command in the stream is one Textual writes itself: hyperlinks
    # (8) and the pointer shape (22). No title (0, 1, 2), no clipboard (52).
    commands = {int(number) for number in re.findall("\x1b\\](\\d+);", text)}
    assert commands <= {8, 22}, commands
    # And no link to where the public pointed.
    assert "e.vil\x1b" not in text and "\x1b]8;;http://e.vil" not in text


def _plain_env(tmp_path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "PYTEST", "CMCONSOLE"))
    }
    env.update(
        TERM="xterm-256color",
        COLUMNS=str(COLUMNS),
        LINES=str(LINES),
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    return env


def _console_on(url: str, tmp_path) -> Terminal:
    root = Path(__file__).resolve().parent.parent
    return Terminal([sys.executable, "-m", "cmconsole", "--db", url], _plain_env(tmp_path), root)


def test_a_new_workspace_shows_sign_in_then_says_how_to_set_it_up(tmp_path):
    terminal = _console_on(f"sqlite:///{tmp_path / 'new.db'}", tmp_path)
    try:
        at = terminal.expect("Sign in")
        terminal.expect("nobody can sign in yet", at)
        terminal.expect("cmconsole grant lea @bellehelene lead", at)
        assert terminal.process.wait(timeout=TIMEOUT) == 0
    finally:
        terminal.close()


def test_a_workspace_that_cannot_be_reached_exits_with_the_reason_not_a_traceback(tmp_path):
    # Nothing listens on port 1: the connection is refused at once.
    terminal = _console_on("postgresql+psycopg://cm:secret@127.0.0.1:1/nothing", tmp_path)
    try:
        at = terminal.expect("Sign in")
        terminal.expect("cmconsole: cannot open the workspace database at ", at)
        assert terminal.process.wait(timeout=TIMEOUT) == 1
        said = terminal.output[at:].decode("utf-8", errors="replace")
        assert "Traceback" not in said
        assert "secret" not in said
    finally:
        terminal.close()


def test_a_sign_in_written_in_one_burst_lands_field_by_field(console):
    # As a password manager types it: name, tab, passphrase, enter, in a single write.
    at = console.expect(FOCUSED.format("o", "perator name"), pattern=True)
    os.write(console.master, b"anna\tanna-demo-pass\r")
    console.expect("Speak as:", at)
    assert b"annaanna-demo-pass" not in console.output[at:]
