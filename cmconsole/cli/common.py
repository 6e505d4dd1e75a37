"""What every command shares: the --db option, opening the workspace, one-line errors."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from cmconsole.cli.text import NotUtf8, inert
from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Alias

if TYPE_CHECKING:
    from cmconsole.services.bundle import Services


F = TypeVar("F", bound=Callable[..., Any])

FIRST_RUN = """\
This workspace ({location}) is new: nobody can sign in yet. Set it up with:

  cmconsole operator add lea --display-name "Léa Martin"      # asks for a passphrase
  cmconsole alias add @bellehelene --name "Belle Hélène" --language fr
  cmconsole grant lea @bellehelene lead

then run `cmconsole` again. To look around first: `cmconsole demo`."""


def db_option(function: F) -> F:
    return click.option(
        "--db",
        "db",
        metavar="URL",
        default=None,
        help="Workspace database URL (default: $CMCONSOLE_DATABASE_URL, else SQLite in the "
        "user data directory).",
    )(function)


@contextmanager
def workspace(db: str | None, exit_code: int = 1) -> Iterator["Services"]:
    """Open the workspace's services for one command; errors become messages, not tracebacks.
    A workspace file that does not exist is not created: `init` does that."""
    from cmconsole.wiring import open_services, workspace_url

    with reported_errors(exit_code):
        services = open_services(workspace_url(db or group_db()), create=False)
        try:
            yield services
        finally:
            services.close()


@contextmanager
def reported_errors(exit_code: int = 1) -> Iterator[None]:
    try:
        yield
    except CmconsoleError as error:
        fail(str(error), exit_code)
    except NotUtf8 as error:
        fail(str(error), exit_code)


def fail(message: str, exit_code: int) -> NoReturn:
    # Messages quote what was given (names, files, text): shown inert, on one line. A channel's
    # refusal may quote what the platform answered: any credential loaded is masked, as in logs.
    from cmconsole.logs import redact

    click.echo(f"cmconsole: {' '.join(inert(redact(message)).split())}", err=True)
    sys.exit(exit_code)


def group_db() -> str | None:
    context = click.get_current_context(silent=True)
    root = context.find_root() if context else None
    return root.params.get("db") if root else None


def said_goodbye(farewell: str, exit_code: int) -> None:
    """What the console said as it closed: a problem (on stderr, exit code) or guidance."""
    if farewell:
        click.echo(farewell, err=exit_code != 0)
    if exit_code:
        sys.exit(exit_code)


def known_handle(services: "Services", handle: str) -> str:
    """The alias's handle as it was added (handles are matched in any case)."""
    wanted = handle.strip().lstrip("@").lower()
    found = (each.handle for each in services.accounts.aliases())
    return next((tag for tag in found if tag.lstrip("@").lower() == wanted), handle)


def alias_named(services: "Services", handle: str) -> Alias:
    for each in services.accounts.aliases():
        if each.handle.lower() == "@" + handle.lstrip("@").lower():
            return each
    fail(f"there is no alias {handle}: `cmconsole alias list` shows them", 1)
