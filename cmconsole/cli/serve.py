"""Serving the console to browsers with textual-serve: one console process per connection."""

import ipaddress
import os
import shlex
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from cmconsole.cli.common import db_option, fail, group_db, reported_errors

if TYPE_CHECKING:
    from aiohttp import web

PROXY_WARNING = (
    "warning: cmconsole serve speaks plain HTTP and lets anyone who reaches {where} try to sign "
    "in: put TLS and access control in a reverse proxy in front of it (README, 'In a browser')"
)


def is_local(host: str) -> bool:
    """Whether `host` binds only this machine's loopback interface."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def parse_port(given: str) -> int:
    """--port as a number from 1 to 65535; anything else ends the command in one line."""
    text = given.strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        fail(f"--port must be a number from 1 to 65535, not {given!r}", 2)
    return int(text)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(f"--public-url must be an http:// or https:// address, not {url!r}", 2)
    return f"{parts.scheme}://{parts.netloc}".lower()


def console_command(demo: bool, db: str | None) -> str:
    """The shell command textual-serve runs for each browser: the console that `cmconsole` (or
    `cmconsole demo`) opens. The database URL travels in the environment (see
    `_check_workspace`), never in the command, which the server may print."""
    command = shlex.join([sys.executable, "-m", "cmconsole", *(["demo"] if demo else [])])
    if demo and db is not None:
        command += ' --db "$CMCONSOLE_SERVE_DEMO_DB"'  # `demo` reads no environment variable
    return command


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", "port_text", default="8000", show_default=True, help="The port.")
@click.option(
    "--public",
    is_flag=True,
    help="Allow a --host other machines reach (behind a reverse proxy that does TLS and access).",
)
@click.option(
    "--public-url",
    metavar="URL",
    default=None,
    help="The address browsers open, when a reverse proxy stands in front "
    "(e.g. https://console.example.com).",
)
@click.option("--demo", is_flag=True, help="Serve the demo console (`cmconsole demo`).")
@db_option
def serve(
    host: str, port_text: str, public: bool, public_url: str | None, demo: bool, db: str | None
) -> None:
    """Serve the console to web browsers: each connection runs its own console, which asks
    for a sign-in like any other. Listens on this machine only unless --public is given."""
    port = parse_port(port_text)
    if not is_local(host) and not public:
        fail(
            f"--host {host} lets other machines connect: add --public, with TLS and access "
            "control in a reverse proxy (README, 'In a browser')",
            2,
        )
    if is_wildcard(host) and public_url is None:
        fail(f"--host {host} listens everywhere: say where browsers reach it with --public-url", 2)
    shown_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    url = public_url.rstrip("/") if public_url else f"http://{shown_host}:{port}"
    origin = origin_of(url)
    db = db or group_db()
    _check_workspace(db, demo)
    if _root_flag("no_dispatch"):
        os.environ["CMCONSOLE_NO_DISPATCH"] = "1"  # the consoles leave it to `dispatch`
    if public:
        click.echo(PROXY_WARNING.format(where=f"{host}:{port}"), err=True)
    ConsoleServer = _server_class()
    server = ConsoleServer(
        console_command(demo, db), host=host, port=port, title="cmconsole", public_url=url
    )
    server.allowed_origins = _allowed_origins(origin, host, port)
    click.echo(f"serving the console on {url} (every browser signs in; ctrl+c stops)")
    server.serve()
    click.echo("stopped serving")


def _root_flag(name: str) -> bool:
    context = click.get_current_context(silent=True)
    return bool(context and context.find_root().params.get(name))


def _check_workspace(db: str | None, demo: bool) -> None:
    """Open the workspace once before serving: a wrong --db, or a workspace nobody can sign in
    to, is said here rather than in every browser. The demo is seeded now, not by the first
    two browsers at once."""
    if demo:
        from cmconsole.wiring import open_demo

        with reported_errors():
            services, _ = open_demo(db)
        services.close()
        if db is not None:
            os.environ["CMCONSOLE_SERVE_DEMO_DB"] = db
        return
    from cmconsole.wiring import open_services, workspace_url

    url = workspace_url(db)
    with reported_errors():
        services = open_services(url, create=False)
        try:
            empty = services.accounts.is_empty()
        finally:
            services.close()
    if empty:
        fail(
            f"nobody can sign in to the workspace at {services.location} yet: "
            "`cmconsole init` says how to set it up",
            1,
        )
    # The consoles read it from the environment (see cmconsole.paths.workspace_url).
    os.environ["CMCONSOLE_DATABASE_URL"] = url


def _allowed_origins(origin: str, host: str, port: int) -> frozenset[str]:
    """The pages allowed to open a console: this server's own. A page from another site in the
    same browser (a cross-site WebSocket) gets 403."""
    origins = {origin}
    if is_local(host):
        origins |= {f"http://{name}:{port}" for name in ("localhost", "127.0.0.1", "[::1]")}
    return frozenset(origins)


def _server_class() -> Any:
    """textual-serve's server, with logs that show no local variables (a traceback's locals may
    hold the environment, and so the database URL) and WebSockets only from its own pages."""
    import logging

    from aiohttp import web
    from textual_serve.server import Server

    from cmconsole import logs

    class ConsoleServer(Server):
        allowed_origins: frozenset[str] = frozenset()

        def initialize_logging(self) -> None:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
            logs.protect(handler)
            logging.basicConfig(level=logging.INFO, handlers=[handler])

        async def on_startup(self, app: "web.Application") -> None:
            """textual-serve prints a banner and its command; the command said enough."""

        async def handle_websocket(self, request: "web.Request") -> "web.WebSocketResponse":
            origin = request.headers.get("Origin", "").lower()
            if origin not in self.allowed_origins:
                logging.getLogger("cmconsole.serve").warning(
                    "refused a console to a page from %r", origin[:100]
                )
                raise web.HTTPForbidden(text="this console opens only from its own page")
            return await super().handle_websocket(request)

    return ConsoleServer
