"""startup: from launching `python -m cmconsole --db URL` to its sign-in screen on the terminal,
against a bare Textual app process showing one static screen, both timed the same way: run under
a pseudo-terminal and stopped as soon as their first screen's text has been written to it."""

import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import time
from fcntl import ioctl
from termios import TIOCSWINSZ

from benchmarks.results import Result

TARGET_RATIO = 2.0
FIRST_SCREEN = b"Sign in"  # on the console's sign-in screen, and all the bare app shows
_QUIT = b"\x11"  # ctrl+q


def time_to_first_screen(argv: list[str], timeout: float = 60.0) -> float:
    """Seconds from starting `argv` under a 120x40 pseudo-terminal until FIRST_SCREEN shows."""
    leader, follower = pty.openpty()
    ioctl(follower, TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True
    )
    os.close(follower)
    seen = b""
    try:
        while FIRST_SCREEN not in seen:
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"{argv} showed no {FIRST_SCREEN!r}; it wrote {seen[-500:]!r}")
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:  # the process ended before showing anything
                    raise RuntimeError(f"{argv} ended: {seen[-1000:]!r}") from None
        took = time.perf_counter() - started
        os.write(leader, _QUIT)
        _drain_until_exit(leader, process)
        return took
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(leader)


def _drain_until_exit(leader: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.perf_counter() + 10
    while process.poll() is None and time.perf_counter() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                os.read(leader, 65536)
            except OSError:
                break


def run(url: str, repeats: int) -> Result:
    console = [sys.executable, "-m", "cmconsole", "--db", url]
    bare = [sys.executable, "-m", "benchmarks.bare_app"]
    time_to_first_screen(console)  # warm the file cache and the bytecode
    time_to_first_screen(bare)
    ours, baseline = [], []
    for _ in range(repeats):  # alternated, so that both see the same machine
        ours.append(time_to_first_screen(console))
        baseline.append(time_to_first_screen(bare))
    value, base = statistics.median(ours), statistics.median(baseline)
    # The target is a ratio; the value is seconds, so the target in seconds is twice the baseline.
    return Result("startup", value, "s", TARGET_RATIO * base, baseline=base)
