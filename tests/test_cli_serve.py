"""`cmconsole serve`: its options refused in one line, what it hands textual-serve, and real
servers that give each WebSocket its own console and refuse pages from other sites."""

import asyncio
import os
import socket
import subprocess
import sys
from typing import ClassVar

import aiohttp
import pytest

from cmconsole.cli import serve as serve_module
from cmconsole.wiring import open_demo
from tests.cli_run import keep_private, run
from tests.served import ROOT, Served
from tests.test_pty import TIMEOUT, _plain_env


@pytest.fixture(autouse=True)
def private_environment(tmp_path, monkeypatch):
    keep_private(tmp_path, monkeypatch, "CMCONSOLE_NO_DISPATCH", "CMCONSOLE_SERVE_DEMO_DB")


@pytest.fixture
def demo_db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    services, _ = open_demo(url)
    services.close()
    return url


class FakeServer:
    """Stands in for textual-serve: records what it was given instead of listening."""

    made: ClassVar[list["FakeServer"]] = []

    def __init__(self, command: str, **options: object) -> None:
        self.command, self.options = command, options
        self.environment = dict(os.environ)
        FakeServer.made.append(self)

    def serve(self) -> None:
        pass


@pytest.fixture
def fake_server(monkeypatch):
    FakeServer.made = []
    monkeypatch.setattr(serve_module, "_server_class", lambda: FakeServer)
    return FakeServer.made


def _one_line_error(result, *words: str) -> None:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cmconsole: "), lines[0]
    assert "Traceback" not in result.output and "Usage" not in result.stderr
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize("port", ["abc", "0", "65536", "-1", "80.5", ""])
def test_a_bad_port_is_refused_in_one_line(port, fake_server):
    _one_line_error(run("serve", "--port", port), "--port", "1 to 65535")
    assert not fake_server


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "console.example.com"])
def test_another_host_than_this_machine_needs_public(host, fake_server):
    _one_line_error(run("serve", "--host", host), f"--host {host}", "--public", "reverse proxy")
    assert not fake_server


def test_every_interface_needs_the_address_browsers_use(fake_server):
    _one_line_error(run("serve", "--host", "0.0.0.0", "--public"), "--public-url")
    bad = run("serve", "--host", "0.0.0.0", "--public", "--public-url", "ftp://x")
    _one_line_error(bad, "--public-url", "http")
    assert not fake_server


def test_a_missing_workspace_is_said_before_serving(tmp_path, fake_server):
    result = run("--db", f"sqlite:///{tmp_path / 'nowhere.db'}", "serve")
    _one_line_error(result)
    assert not (tmp_path / "nowhere.db").exists()
    assert not fake_server


def test_a_workspace_nobody_can_sign_in_to_is_said_before_serving(tmp_path, fake_server):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert run("--db", url, "init").exit_code == 0
    _one_line_error(run("--db", url, "serve"), "nobody can sign in", "cmconsole init")
    assert not fake_server


def test_on_this_machine_the_console_is_served_with_the_url_out_of_its_command(
    demo_db, fake_server
):
    result = run("--db", demo_db, "--no-dispatch", "serve", "--port", "8123")
    assert result.exit_code == 0, result.output
    [server] = fake_server
    assert server.options["host"] == "127.0.0.1" and server.options["port"] == 8123
    assert server.options["public_url"] == "http://127.0.0.1:8123"
    # The console `cmconsole` opens, on the workspace given, in every browser's own process.
    assert server.command.endswith("-m cmconsole")
    assert demo_db not in server.command
    assert server.environment["CMCONSOLE_DATABASE_URL"] == demo_db
    assert server.environment["CMCONSOLE_NO_DISPATCH"] == "1"
    assert "warning" not in result.stderr
    assert "http://127.0.0.1:8123" in result.stdout


def test_public_binding_warns_that_tls_and_access_belong_to_a_proxy(demo_db, fake_server):
    result = run(
        "--db", demo_db, "serve", "--host", "0.0.0.0", "--public",
        "--public-url", "https://console.example.com/",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    warning = result.stderr.strip()
    assert warning.startswith("warning:") and "TLS" in warning and "reverse proxy" in warning
    [server] = fake_server
    assert server.options["public_url"] == "https://console.example.com"
    assert server.allowed_origins == {"https://console.example.com"}


def test_the_demo_is_seeded_once_before_serving(tmp_path, fake_server):
    url = f"sqlite:///{tmp_path / 'fresh-demo.db'}"
    result = run("serve", "--demo", "--db", url)
    assert result.exit_code == 0, result.output
    [server] = fake_server
    assert server.command.endswith('-m cmconsole demo --db "$CMCONSOLE_SERVE_DEMO_DB"')
    assert server.environment["CMCONSOLE_SERVE_DEMO_DB"] == url
    services, seeded = open_demo(url)
    services.close()
    assert not seeded


def test_a_port_in_use_is_one_line(tmp_path, demo_db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "cmconsole", "--db", demo_db, "serve", "--port", str(port)],
            capture_output=True,
            env=_plain_env(tmp_path),
            cwd=ROOT,
            timeout=TIMEOUT,
            check=False,
        )
    assert done.returncode != 0
    errors = done.stderr.decode().strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("cmconsole: "), done.stderr
    assert "in use" in errors[0].lower()


@pytest.fixture
def served(tmp_path, demo_db):
    server = Served(tmp_path, "--db", demo_db, "serve")
    try:
        server.wait_until_up()
        yield server
    finally:
        server.close()


async def _signs_in(session: aiohttp.ClientSession, served: Served, origin: str) -> None:
    """Open a console over the WebSocket as the page does, until its sign-in form is drawn."""
    async with session.ws_connect(f"{served.url}/ws?width=100&height=30", origin=origin) as ws:
        await ws.send_json(["resize", {"width": 100, "height": 30}])
        drawn = b""
        async with asyncio.timeout(TIMEOUT):
            while b"operator name" not in drawn:
                message = await ws.receive()
                assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
                if message.type is aiohttp.WSMsgType.BINARY:
                    drawn += message.data
        assert b"Speak as" not in drawn


async def test_each_connection_gets_its_own_console_at_sign_in(served):
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(
            _signs_in(session, served, served.url), _signs_in(session, served, served.url)
        )


async def test_a_page_from_another_site_gets_no_console(served):
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(f"{served.url}/ws", origin="http://evil.example")
        assert refused.value.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await session.ws_connect(f"{served.url}/ws")  # no Origin at all: not a browser page
        async with session.get(served.url) as page:
            assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in (
                await page.text()
            )
