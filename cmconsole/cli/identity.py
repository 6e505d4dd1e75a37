"""Signing in from the shell: `--as NAME`, the passphrase from a hidden prompt or standard input.

Once a workspace has a lead, the commands that change people, roles, guides or credentials, or
read others' audit, act as a signed-in person; the services decide what that person may do."""

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from cmconsole.services.bundle import Services
    from cmconsole.services.guard import SignedIn

F = TypeVar("F", bound=Callable[..., Any])

CLOSED = "this workspace has a lead: say who you are with --as NAME"


def as_option(function: F) -> F:
    """`--as NAME` (or $CMCONSOLE_AS: a name, never a passphrase)."""
    return click.option(
        "--as",
        "as_name",
        metavar="NAME",
        envvar="CMCONSOLE_AS",
        default=None,
        help="Act as this operator (asks their passphrase; needed once the workspace has a lead).",
    )(function)


def signed_in_options(function: F) -> F:
    """`--as NAME` and `--passphrase-stdin`, for a command that only needs a person."""
    function = click.option(
        "--passphrase-stdin",
        "passphrase_stdin",
        is_flag=True,
        help="With --as: read the passphrase from the first line of standard input.",
    )(function)
    return as_option(function)


def acting_person(
    services: "Services", as_name: str | None, passphrase_stdin: bool
) -> "SignedIn | None":
    """Sign `as_name` in, or None while the workspace has no lead (setting up stays open).

    A wrong passphrase is refused by the account service, which audits the refusal."""
    if as_name is None:
        if services.accounts.needs_sign_in():
            _usage(CLOSED)
        return None
    passphrase = read_passphrase(f"{as_name}'s passphrase", passphrase_stdin, as_name)
    return services.accounts.sign_in(as_name, passphrase)


def read_passphrase(prompt: str, from_stdin: bool, whose: str) -> str:
    """One line of standard input, or a hidden prompt on a terminal; never an option or a
    variable, which other users of the machine can read."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            _usage(f"standard input ended before {whose}'s passphrase")
        return line.rstrip("\r\n")
    if sys.stdin.isatty():
        return str(click.prompt(prompt, hide_input=True, err=True))
    _usage(f"no terminal to ask {whose}'s passphrase: pass --passphrase-stdin")


def _usage(message: str) -> NoReturn:
    click.echo(f"cmconsole: {message}", err=True)
    sys.exit(2)
