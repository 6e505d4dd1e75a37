"""`cmconsole serve` in its own process on a free port, for the browser and serve tests."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import suppress
from pathlib import Path

from tests.test_pty import TIMEOUT, _plain_env

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """A `cmconsole serve` process (its own session: its consoles go with it) and its output."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = _plain_env(tmp_path)
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cmconsole", *args, "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        self._output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._output += line

    @property
    def output(self) -> str:
        return bytes(self._output).decode("utf-8", errors="replace")

    def wait_until_up(self) -> None:
        """Until the page answers; fails with the server's output if the server ended first."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.1)  # polling the condition: the server is up
        raise AssertionError(f"serve never answered (exit {self.process.poll()}):\n{self.output}")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # as ctrl+c: the server stops its consoles
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        with suppress(ProcessLookupError):  # what is left of its session: only its consoles
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._reader.join(timeout=5)
