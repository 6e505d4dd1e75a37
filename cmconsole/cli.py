"""The command line: set up a workspace, run the demo, read the audit, check drafts against a
guide and manage guides; launches the TUI lazily."""

import csv
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

import click

from cmconsole.cli_identity import acting_person, as_option, signed_in_options
from cmconsole.cli_text import NotUtf8, argument, exact_json, inert, inert_block, utf8
from cmconsole.domain.display import one_line
from cmconsole.domain.errors import CmconsoleError, ConcurrentChange, WorkspaceUnavailable
from cmconsole.domain.model import Alias, AuditEntry, Role, SignatureKind

if TYPE_CHECKING:
    from cmconsole.credentials import XApp
    from cmconsole.domain.checker import CheckResult
    from cmconsole.domain.guide import Guide
    from cmconsole.services.bundle import Services
    from cmconsole.services.verification import Checkpoint

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
        services = open_services(workspace_url(db or _group_db()), create=False)
        try:
            yield services
        finally:
            services.close()


@contextmanager
def reported_errors(exit_code: int = 1) -> Iterator[None]:
    try:
        yield
    except CmconsoleError as error:
        _fail(str(error), exit_code)
    except NotUtf8 as error:
        _fail(str(error), exit_code)


def _fail(message: str, exit_code: int) -> NoReturn:
    # Messages quote what was given (names, files, text): shown inert, on one line.
    click.echo(f"cmconsole: {' '.join(inert(message).split())}", err=True)
    sys.exit(exit_code)


class _Guarded(click.Group):
    """The command line's last line of defence: whatever a command did not expect ends in one
    line on stderr and exit 1, never a traceback (which may show paths, URLs or text)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except CmconsoleError as error:
            _fail(str(error), 1)
        except OSError as error:
            where = f" ({error.filename})" if error.filename else ""
            _fail(f"{error.strerror or type(error).__name__}{where}", 1)
        except Exception as error:
            import logging

            # The log is redacted (cmconsole.logs); the terminal gets only the kind.
            logging.getLogger("cmconsole").exception("unexpected error in a command")
            _fail(f"unexpected {type(error).__name__}; nothing more was done", 1)


def _group_db() -> str | None:
    context = click.get_current_context(silent=True)
    root = context.find_root() if context else None
    return root.params.get("db") if root else None


@click.group(cls=_Guarded, invoke_without_command=True)
@db_option
@click.option(
    "--no-dispatch",
    is_flag=True,
    envvar="CMCONSOLE_NO_DISPATCH",
    help="Leave fetching and publishing to a `cmconsole dispatch` process on another machine.",
)
@click.version_option(package_name="cmconsole")
@click.pass_context
def main(context: click.Context, db: str | None, no_dispatch: bool) -> None:
    """cmconsole: several people speaking as one brand. With no command, opens the console."""
    from cmconsole import logs

    logs.install()  # no credential in any log line, whatever logging is configured later
    if context.invoked_subcommand is not None:
        return
    from cmconsole.tui.app import run_console

    def open_console() -> "Services | str":
        from cmconsole.wiring import open_services, workspace_url

        services = open_services(workspace_url(db))  # creates it: the first run sets it up
        try:
            empty = services.accounts.is_empty()
        except BaseException:
            services.close()
            raise
        if empty:
            services.close()
            return FIRST_RUN.format(location=services.location)
        return services

    # The sign-in screen shows at once; the workspace opens behind it.
    _said_goodbye(*run_console(open_console, dispatches=not no_dispatch))


def _said_goodbye(farewell: str, exit_code: int) -> None:
    """What the console said as it closed: a problem (on stderr, exit code) or guidance."""
    if farewell:
        click.echo(farewell, err=exit_code != 0)
    if exit_code:
        sys.exit(exit_code)


@main.command()
@db_option
@click.option("--no-launch", is_flag=True, help="Seed the demo and print its database URL.")
@click.option("--reset", is_flag=True, help="Start the demo over from scratch.")
def demo(db: str | None, no_launch: bool, reset: bool) -> None:
    """Open the console on a demo workspace, kept apart from your real one."""
    url = db or _group_db()
    if not no_launch:
        from cmconsole.tui.app import run_console

        def open_demo_console() -> "Services":
            from cmconsole.wiring import open_demo

            return open_demo(url, reset=reset)[0]

        _said_goodbye(*run_console(open_demo_console, demo=True))
        return
    from cmconsole.wiring import open_demo

    with reported_errors():
        services, seeded = open_demo(url, reset=reset)
    try:
        click.echo(f"{'seeded' if seeded else 'already seeded'}: {services.location}", err=True)
        click.echo(services.location)
    finally:
        services.close()


@main.command()
@db_option
def init(db: str | None) -> None:
    """Create the workspace (SQLite, with its folder) or bring an existing one up to date.

    No other command creates a workspace: a mistyped --db says there is none instead of
    starting an empty one."""
    from cmconsole.wiring import open_services, workspace_url

    with reported_errors():
        services = open_services(workspace_url(db or _group_db()), create=True)
    try:
        with reported_errors():
            empty = services.accounts.is_empty()
    finally:
        services.close()
    if not empty:
        click.echo(f"the workspace at {services.location} is set up already: nothing to do")
        return
    click.echo(FIRST_RUN.format(location=services.location).replace(" is new:", " is ready:"))


@main.group()
def operator() -> None:
    """Manage the people who sign in."""


@operator.command("add")
@click.argument("name")
@click.option("--display-name", default="", help="Full name, shown to colleagues (not the public).")
@click.option(
    "--passphrase-stdin",
    is_flag=True,
    help="Read the passphrase from standard input (with --as: yours on the first line, "
    "theirs on the second).",
)
@as_option
@db_option
def operator_add(
    name: str, display_name: str, passphrase_stdin: bool, as_name: str | None, db: str | None
) -> None:
    """Add an operator; asks for their passphrase."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        if passphrase_stdin:
            passphrase = sys.stdin.readline().rstrip("\n")
        elif sys.stdin.isatty():
            passphrase = click.prompt("Passphrase", hide_input=True, confirmation_prompt=True)
        else:
            raise click.UsageError("no terminal to ask for a passphrase: pass --passphrase-stdin")
        added = services.accounts.add_operator(name, display_name, passphrase, by=by)
    click.echo(f"added operator {added.name} ({added.display_name}, {added.initials})")


@operator.command("list")
@db_option
def operator_list(db: str | None) -> None:
    """List operators."""
    with workspace(db) as services:
        for person in services.accounts.operators():
            state = "active" if person.active else "deactivated"
            shown = (inert(person.name), inert(person.display_name), inert(person.initials))
            click.echo("\t".join((*shown, state)))


@operator.command("deactivate")
@click.argument("name")
@click.option("--reason", required=True, help="Why (kept in the audit and the handover).")
@signed_in_options
@db_option
def operator_deactivate(
    name: str, reason: str, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """Deactivate an operator who leaves: no more sign-in, open items handed over."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        services.team.deactivate(by, name, reason)
    click.echo(f"deactivated {name}; their open items are in a handover on each of their aliases")


@main.group()
def alias() -> None:
    """Manage the aliases the team speaks as."""


@alias.command("add")
@click.argument("handle")
@click.option("--name", "display_name", required=True, help="The name the public sees.")
@click.option("--language", default="en", show_default=True)
@click.option(
    "--channel", type=click.Choice(["sandbox", "x"]), default="sandbox", show_default=True
)
@click.option(
    "--signature",
    type=click.Choice([kind.value for kind in SignatureKind]),
    default="none",
    show_default=True,
    help="How replies are signed: not at all, ^INITIALS, or a fixed sign-off.",
)
@click.option("--sign-off", default="", help="The sign-off text, with --signature fixed.")
@signed_in_options
@db_option
def alias_add(
    handle: str,
    display_name: str,
    language: str,
    channel: str,
    signature: str,
    sign_off: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Add an alias."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        added = services.accounts.add_alias(
            handle,
            display_name,
            language=language,
            channel=channel,
            signature=SignatureKind(signature),
            signature_text=sign_off,
            by=by,
        )
    click.echo(f"added alias {added.handle} ({added.display_name}) on {added.channel}")


@alias.command("list")
@db_option
def alias_list(db: str | None) -> None:
    """List aliases."""
    with workspace(db) as services:
        for each in services.accounts.aliases():
            fields = (each.handle, each.display_name, each.language, each.channel)
            click.echo("\t".join(inert(field) for field in fields))


@alias.command("connect-x")
@click.argument("handle")
@click.option(
    "--consumer-key",
    envvar="CMCONSOLE_X_CONSUMER_KEY",
    help="The X app's API key (default: the one kept already, else asked).",
)
@click.option(
    "--consumer-secret",
    envvar="CMCONSOLE_X_CONSUMER_SECRET",
    help="The X app's API key secret (asked, hidden, when not given).",
)
@click.option("--access-token", help="The account's access token, instead of a PIN.")
@click.option("--access-secret", help="Its secret (asked, hidden, when not given).")
@signed_in_options
@db_option
def alias_connect_x(
    handle: str,
    consumer_key: str | None,
    consumer_secret: str | None,
    access_token: str | None,
    access_secret: str | None,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Connect an alias on x to its X account, and keep its credentials in the OS keyring.

    Prints a link: sign in to X there as the alias, authorise the app and type the PIN X shows.
    The account must be the alias's own (same username). With CMCONSOLE_CREDENTIALS=environment,
    checks the credentials the environment gives instead (nothing is stored)."""
    from cmconsole.credentials import ENVIRONMENT, CredentialStore, XApp
    from cmconsole.wiring import x_connection

    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        tag = _known_handle(services, handle)
        found = [each for each in services.accounts.aliases() if each.handle == tag]
        if not found:
            _fail(f"there is no alias {handle}", 1)
        # Before anything is asked or kept: only a lead of the alias gives it credentials.
        services.accounts.may_administer(by, tag, "connect its channel accounts")
        if found[0].channel != "x":
            _fail(f"{tag} speaks on {found[0].channel}; connect-x is for aliases on x", 1)
        store = CredentialStore()
        if store.source == ENVIRONMENT:
            given = store.x_credentials(tag)
            assert given is not None  # the environment store names what is missing instead
            app = XApp(given.consumer_key, given.consumer_secret)
            token, secret = given.access_token, given.access_secret
            connection = x_connection(app.consumer_key, app.consumer_secret)
        else:
            app = _x_app(store.x_app(), consumer_key, consumer_secret)
            connection = x_connection(app.consumer_key, app.consumer_secret)
            if access_token:
                token = access_token.strip()
                secret = access_secret or click.prompt("Access token secret", hide_input=True)
                secret = secret.strip()
            else:
                click.echo(f"Sign in to X as {tag}, authorise the app, then type the PIN X shows:")
                click.echo(f"  {connection.authorization_url()}")
                token, secret = connection.exchange_pin(click.prompt("PIN"))
        account = connection.verify(tag, token, secret)
        if account.username.lower() != tag.lstrip("@").lower():
            _fail(  # _fail shows what it quotes inert
                f"these credentials act as @{account.username}, not {tag}: sign in to X as "
                f"{tag} and run connect-x again (nothing was stored)",
                1,
            )
        if store.source != ENVIRONMENT:
            if store.x_app() != app:
                store.save_x_app(app)
            store.save_x_account(tag, token, secret, account.user_id, account.username)
        services.accounts.record_channel_connected(
            tag, "x", account.user_id, f"@{account.username}", by=by
        )
        kept_in = store.describe()
    click.echo(
        f"{tag} is connected to the X account @{inert(account.username)} "
        f"(id {inert(account.user_id)}); "
        f"its credentials are in {kept_in}"
    )


def _x_app(kept: "XApp | None", key: str | None, secret: str | None) -> "XApp":
    """The X app's keys: as given (the rest asked), else those kept already, else asked."""
    from cmconsole.credentials import XApp

    if kept is not None and not key and not secret:
        return kept
    key = key or click.prompt("X app consumer key (API key)", hide_input=True)
    secret = secret or click.prompt("X app consumer secret (API key secret)", hide_input=True)
    return XApp(key.strip(), secret.strip())


@main.command()
@click.argument("operator_name", metavar="OPERATOR")
@click.argument("handle", metavar="ALIAS")
@click.argument("role", type=click.Choice([role.value for role in Role]))
@signed_in_options
@db_option
def grant(
    operator_name: str,
    handle: str,
    role: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Give OPERATOR a ROLE on ALIAS (or change it); once there is a lead, as a lead of ALIAS."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        services.accounts.grant(operator_name, handle, Role(role), by=by)
    click.echo(f"{operator_name} is now {role} on {handle}")


@main.group()
def audit() -> None:
    """Read and check the audit: who did what, when."""


@audit.command("list")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@signed_in_options
@db_option
def audit_list(limit: int, as_name: str | None, passphrase_stdin: bool, db: str | None) -> None:
    """Show the newest audit events you may read (leads: their aliases'; others: their own)."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        for entry in reversed(services.audit.recent(limit, by=by)):
            event = entry.event
            subject = one_line(event.subject, 200)  # audit text may come from anyone: shown inert
            click.echo(
                f"{event.seq}\t{event.occurred_at:%Y-%m-%d %H:%M:%S}\t{event.kind}\t"
                f"{inert(entry.actor_name or '-')}\t{inert(entry.alias_handle or '-')}\t{subject}"
            )


@audit.command("verify")
@db_option
@click.option(
    "--checkpoint",
    metavar="CHECKPOINT",
    help="A checkpoint kept earlier (EVENTS:HASH, signed or not, or a file holding it): also "
    "prove nothing up to it was rewritten or cut off.",
)
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The PEM public key a signed checkpoint must verify with (default: the keyring's).",
)
def audit_verify(db: str | None, checkpoint: str | None, public_key: Path | None) -> None:
    """Check the audit chain and the rows it records; exit 1 naming each thing that does not
    match: the first bad event, and every edited post, handover, guide version or operator."""
    with reported_errors(exit_code=2):
        expected, signed_by = _checkpoint_to_check(checkpoint, public_key)
    with workspace(db) as services:
        report = services.audit.verify(expected, _progress if sys.stderr.isatty() else None)
    if report.events_before_hashing or report.rows_before_hashing:
        click.echo(
            f"{report.events_before_hashing} events before content hashing "
            f"({report.rows_before_hashing} rows they wrote): their content is not checked"
        )
    if report.redacted:
        click.echo(
            f"{len(report.redacted)} redacted as designed (text erased with its salt): "
            + ", ".join(report.redacted[:20])
            + (" …" if len(report.redacted) > 20 else "")
        )
    if report.intact:
        against = ""
        if expected is not None:
            against = f"; checkpoint at event {expected.events} matches{signed_by}"
        click.echo(f"audit intact: {report.events} events, head {report.head_hash}{against}")
        return
    if not report.chain_intact:
        click.echo(f"audit broken at event {report.first_bad_seq}: {report.problem}", err=True)
    for problem in report.tampered:
        click.echo(f"content tampered: {problem}", err=True)
    sys.exit(1)


def _checkpoint_to_check(
    text: str | None, public_key: Path | None
) -> tuple["Checkpoint | None", str]:
    """The checkpoint given (its text, or a file's) and, if it is signed, whose signature was
    checked; a bad signature stops here, before anything is read."""
    from cmconsole import checkpoints

    if text is None:
        return None, ""
    if ":" not in text and Path(text).is_file():
        text = _read_text(Path(text), "checkpoint")
    given = checkpoints.parse(text)
    if not isinstance(given, checkpoints.SignedCheckpoint):
        return given, ""
    if public_key is not None:
        pem = _read_text(public_key, "public key")
    else:
        pem = checkpoints.public_pem(_ledger_key())
    checkpoints.check(given, pem)
    return given.checkpoint, f", signed with key {given.fingerprint}"


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CmconsoleError(f"cannot read the {what} {path}: {error.__class__.__name__}") from None


def _ledger_key() -> bytes:
    from cmconsole.credentials import CredentialStore

    key = CredentialStore().ledger_key()
    if key is None:
        raise CmconsoleError(
            "no audit signing key in this OS keyring: give --public-key FILE, or create one "
            "with `cmconsole audit key create`"
        )
    return key


def _progress(done: int, total: int) -> None:
    click.echo(f"\rverified {done:,} of {total:,} events", err=True, nl=done >= total)


@audit.command("who")
@click.argument("post")
@signed_in_options
@db_option
def audit_who(post: str, as_name: str | None, passphrase_stdin: bool, db: str | None) -> None:
    """Who wrote POST (a local id or the channel's id), who approved it, when, under what."""
    with workspace(db) as services:
        found = services.audit.who(post, by=acting_person(services, as_name, passphrase_stdin))
    p = found.post
    lines = [
        f"post {p.id} on {inert(found.alias_handle)} ({p.status.value})",
        f"written by   {inert(found.author)}",
        f"approved by  {inert(found.approver or '- (published without approval)')}",
        f"queued       {_when(found.queued_at)}"
        + (f" in shift {found.shift_id}" if found.shift_id else ""),
        f"published    {_when(p.published_at)}"
        + (f" as {inert(p.channel_post_id)}" if p.channel_post_id else ""),
        f"guide        {'version ' + str(p.guide_version) if p.guide_version else '- (no guide)'}",
    ]
    lines += [f"overrode     {inert(rule)}: {inert(why)}" for rule, why in p.overrides.items()]
    if p.failure_reason:  # the channel's words
        lines.append(f"failed       {inert(p.failure_reason)}")
    lines.append(f"text         {one_line(p.text, 280)}")
    if found.tampered:
        lines.append(
            f"LEDGER       does not match: {', '.join(found.tampered)} changed since its "
            "last ledger entry (what is shown above is not what was recorded)"
        )
    elif found.redacted:
        lines.append("ledger       text erased with its salt, as designed; people match")
    elif not found.stamped:
        lines.append("ledger       written before content hashing: content not checked")
    else:
        lines.append("ledger       matches its last ledger entry")
    lines += ["", "events:"] + [
        f"  {e.event.seq}\t{_when(e.event.occurred_at)}\t{e.event.kind}\t"
        + inert(e.actor_name or "-")
        for e in found.events
    ]
    click.echo("\n".join(lines))


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else "-"


# post_text: the text of the post an event is about, from its row now (the ledger holds none).
EXPORT_FIELDS = (
    *("seq", "occurred_at", "kind", "actor", "alias", "subject", "details", "hash"),
    "post_text",
)


@audit.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True
)
@click.option("--alias", "handle", metavar="HANDLE", help="Only this alias's events.")
@click.option("--operator", metavar="NAME", help="Only what this operator did.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), help="From (UTC).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), help="Before (UTC).")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="A file (else stdout)."
)
@signed_in_options
@db_option
def audit_export(
    fmt: str,
    handle: str | None,
    operator: str | None,
    since: datetime | None,
    until: datetime | None,
    output: Path | None,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Stream audit events as CSV or JSON lines, in constant memory, whatever their number.

    Once the workspace has a lead, only the events you may read: a lead's aliases' and their
    own; an operator's or a trainee's own. A file is written under a temporary name and renamed
    only when complete.
    """
    with workspace(db, exit_code=2) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        events = services.audit.export(
            by=by,
            alias=handle,
            operator=operator,
            since=since.replace(tzinfo=UTC) if since else None,
            until=until.replace(tzinfo=UTC) if until else None,
        )
        if output is None:
            _write_events(events, fmt, sys.stdout, for_eyes=sys.stdout.isatty())
            return
        partial = output.with_name(f".{output.name}.partial")
        try:
            with partial.open("w", encoding="utf-8", newline="") as sink:
                _write_events(events, fmt, sink, for_eyes=False)
            partial.replace(output)
        except OSError as error:
            _fail(f"cannot write {output}: {error.strerror or type(error).__name__}", 2)
        finally:
            partial.unlink(missing_ok=True)


def _write_events(events: Iterator[AuditEntry], fmt: str, sink: TextIO, *, for_eyes: bool) -> None:
    """JSON lines keep every character (escaping those a terminal obeys); CSV keeps them for a
    file or a pipe, and shows them inert on a terminal."""
    writer = csv.writer(sink) if fmt == "csv" else None
    if writer is not None:
        writer.writerow(EXPORT_FIELDS)
    for entry in events:
        e = entry.event
        row = {
            "seq": e.seq,
            "occurred_at": e.occurred_at.isoformat(),
            "kind": e.kind,
            "actor": entry.actor_name,
            "alias": entry.alias_handle,
            "subject": e.subject,
            "details": e.details,
            "hash": e.hash,
            "post_text": entry.post_text,
        }
        if writer is not None:
            row["details"] = json.dumps(e.details, ensure_ascii=False, sort_keys=True)
            values = [row[field] for field in EXPORT_FIELDS]
            writer.writerow([inert(str(v)) if for_eyes and v else v for v in values])
        else:
            sink.write(exact_json(row) + "\n")


@audit.command("checkpoint")
@db_option
@click.option("--sign", is_flag=True, help="Sign it with the audit signing key of this OS keyring.")
def audit_checkpoint(db: str | None, sign: bool) -> None:
    """Print the chain's length and head hash, to keep somewhere outside the database."""
    from cmconsole import checkpoints

    with reported_errors():
        key = _ledger_key() if sign else None
    with workspace(db) as services:
        mark = services.audit.checkpoint()
    shown = str(checkpoints.sign(mark, key)) if key is not None else str(mark)
    click.echo(shown)
    click.echo(
        f"keep this outside the database; later: cmconsole audit verify --checkpoint '{shown}'",
        err=True,
    )


@audit.group("key")
def audit_key() -> None:
    """The Ed25519 key that signs checkpoints: kept in the OS keyring, never in the workspace."""


@audit_key.command("create")
def audit_key_create() -> None:
    """Make a new signing key in this OS keyring and print its public half (PEM)."""
    from cmconsole import checkpoints
    from cmconsole.credentials import CredentialStore

    with reported_errors():
        store = CredentialStore()
        if store.ledger_key() is not None:
            raise CmconsoleError(
                "this OS keyring already keeps an audit signing key: "
                "`cmconsole audit key show` prints it"
            )
        key = checkpoints.new_private_key()
        store.save_ledger_key(key)
    pem = checkpoints.public_pem(key)
    click.echo(pem, nl=False)
    click.echo(
        f"key {checkpoints.fingerprint(pem)} kept in the OS keyring; give the public key above "
        "to whoever checks your checkpoints",
        err=True,
    )


@audit_key.command("show")
def audit_key_show() -> None:
    """Print the public half (PEM) of this OS keyring's signing key, and its fingerprint."""
    from cmconsole import checkpoints

    with reported_errors():
        pem = checkpoints.public_pem(_ledger_key())
    click.echo(pem, nl=False)
    click.echo(f"key {checkpoints.fingerprint(pem)}", err=True)


# Exit codes of `cmconsole check`.
CHECK_OK, CHECK_REFUSED, CHECK_BAD_INPUT = 0, 1, 2


@dataclass(frozen=True)
class _Draft:
    """One text to check, with where it came from (for messages) and its author's initials."""

    where: int  # the argument's position, or the line of standard input (JSON mode)
    text: str
    initials: str


def _valid_initials(value: str) -> str:
    """Initials as a signature shows them: 1 to 3 letters; '' means unknown."""
    if value and not (value.isalpha() and len(value) <= 3):
        raise ValueError(f"initials must be 1 to 3 letters, not {value!r}")
    return value


def _initials_option(context: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return _valid_initials(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _text(text: str) -> str:
    """Text that can be checked and printed: no lone surrogate (from a JSON escape, or bytes
    that were not UTF-8 in an argument)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid UTF-8 text (a lone surrogate or an undecodable byte)") from None
    return text


def _stdin() -> str:
    """All of standard input, as UTF-8: other bytes are refused, not guessed at."""
    try:
        return utf8(sys.stdin.buffer.read(), "standard input")
    except NotUtf8 as error:
        _fail(str(error), CHECK_BAD_INPUT)


def _plain_drafts(texts: tuple[str, ...], initials: str) -> list[_Draft]:
    if texts:
        drafts = []
        for n, text in enumerate(texts, 1):
            try:
                drafts.append(_Draft(n, _text(text), initials))
            except ValueError as error:
                _fail(f"argument {n}: {error}", CHECK_BAD_INPUT)
        return drafts
    whole = _stdin()
    # The newline a shell or an editor puts at the end is not part of the draft.
    whole = whole[:-2] if whole.endswith("\r\n") else whole.removesuffix("\n")
    return [_Draft(1, whole, initials)]


def _json_drafts(texts: tuple[str, ...], initials: str) -> list[_Draft]:
    """Read every JSON input before checking any; the first bad one is a usage error."""
    if texts:
        lines = [(f"argument {n}", n, text) for n, text in enumerate(texts, 1)]
    else:
        numbered = enumerate(_stdin().splitlines(), 1)
        lines = [(f"line {n}", n, line) for n, line in numbered if line.strip()]
    drafts = []
    for where, number, line in lines:
        try:
            drafts.append(_json_draft(number, line, initials))
        except ValueError as error:
            _fail(f"{where}: {error}", CHECK_BAD_INPUT)
    return drafts


def _json_draft(number: int, line: str, initials: str) -> _Draft:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg} at column {error.colno}") from None
    if isinstance(value, str):
        return _Draft(number, _text(value), initials)
    if not isinstance(value, dict):
        raise ValueError(
            f'expected a JSON string or an object with a "text" string, not {_json_kind(value)}'
        )
    text = value.get("text")
    if not isinstance(text, str):
        problem = "no" if text is None else f"{_json_kind(text)} as its"
        raise ValueError(f'the object has {problem} "text": it needs a string')
    own = value.get("initials", initials)
    if not isinstance(own, str):
        raise ValueError(f'"initials" must be a string, not {_json_kind(own)}')
    return _Draft(number, _text(text), _valid_initials(own))


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    kinds = {int: "a number", float: "a number", list: "a list", dict: "an object", str: "text"}
    return kinds.get(type(value), type(value).__name__)


def _check_guide(handle: str | None, guide_file: Path | None, db: str | None) -> "Guide | None":
    """The guide to check against: none, a file's, or the one in force on an alias."""
    if guide_file is not None:
        from cmconsole.domain.guide import GuideError, load_guide

        try:
            return load_guide(guide_file)
        except GuideError as error:
            _fail(str(error), CHECK_BAD_INPUT)
    if handle is not None:
        # Exit 1 means "a draft was refused": a guide that cannot be found is not that.
        with workspace(db, exit_code=CHECK_BAD_INPUT) as services:
            return services.guides.current_for_handle(handle).guide
    return None


def _plain_report(number: int, result: "CheckResult") -> list[str]:
    signed = " with the signature" if result.published_length != result.weighted_length else ""
    lines = [f"draft {number}: length {result.published_length}/{result.limit}{signed}"]
    for finding in result.findings:
        fix = ""
        if finding.suggestion is not None:
            suggestion = inert(finding.suggestion)
            fix = f" (fix: {suggestion})" if suggestion.strip() else " (fix: remove)"
        lines.append(
            f"  {finding.severity.upper()} {inert(finding.rule)} [{finding.start}:{finding.end}] "
            f"{inert(finding.message)}{fix}"
        )
    if not result.ok:
        lines.append("  refused")
    elif not result.length_ok:
        lines.append("  ok, but empty: nothing to send")
    else:
        lines.append("  ok")
    return lines


def _json_report(where: int, result: "CheckResult") -> str:
    return exact_json(
        {
            "line": where,
            "weighted_length": result.weighted_length,
            "published_length": result.published_length,
            "limit": result.limit,
            "length_ok": result.length_ok,
            "ok": result.ok,
            "sendable": result.sendable,
            "findings": [
                {
                    "rule": finding.rule,
                    "severity": str(finding.severity),
                    "start": finding.start,
                    "end": finding.end,
                    "message": finding.message,
                    "suggestion": finding.suggestion,
                }
                for finding in result.findings
            ],
        },
    )


@main.command("check")
@click.argument("texts", metavar="[TEXT]...", nargs=-1)
@click.option(
    "--alias",
    "handle",
    metavar="HANDLE",
    default=None,
    help="Check against the guide in force on this alias, read from the workspace.",
)
@click.option(
    "--guide",
    "guide_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Check against a guide file (TOML); no workspace is opened.",
)
@click.option("--json", "as_json", is_flag=True, help="JSON lines in, JSON lines out.")
@click.option(
    "--initials",
    metavar="AB",
    default="",
    callback=_initials_option,
    help="The author's initials, for a guide that signs with them (else room for 3 is kept).",
)
@db_option
def check_command(
    texts: tuple[str, ...],
    handle: str | None,
    guide_file: Path | None,
    as_json: bool,
    initials: str,
    db: str | None,
) -> None:
    """Check drafts: X's length and hidden characters, and a voice guide's rules.

    Each TEXT is one draft; with no TEXT, all of standard input is one draft (its final newline
    dropped). Without --alias or --guide only what holds for every alias on X is checked (the
    length against 280 and hidden characters), and no workspace is opened. --db is used only with
    --alias.

    Plain output, per draft: `draft N: length PUBLISHED/LIMIT`, one line per finding
    (`SEVERITY rule [start:end] message (fix: suggestion)`), then `ok` or `refused`.

    With --json each TEXT, or each non-blank line of standard input, is one JSON value: a string,
    or an object with a "text" string and optionally "initials" (other keys are ignored). Each
    gives one JSON object on its own line, in order, with: line (the input's line or argument
    number), weighted_length (the text as given), published_length (stripped, with the guide's
    signature), limit, length_ok, ok, sendable, findings (rule, severity, start, end, message,
    suggestion; start and end count characters of the text as given; suggestion is null when
    there is no fix and "" when the fix is to remove). All input is read and checked first: if
    one line is not valid, nothing is printed and the exit code is 2.

    An empty draft is reported with length_ok false (nothing to send); it does not change the
    exit code, which counts only error findings.

    \b
    Exit codes:
      0  no draft has an error finding (warnings and suggestions pass)
      1  some draft has an error finding (over the length limit is one)
      2  nothing checked: bad usage, invalid JSON input, a malformed or
         unreadable guide, an unknown alias or an unreachable workspace
    """
    if handle is not None and guide_file is not None:
        raise click.UsageError("give --alias or --guide, not both")
    guide = _check_guide(handle, guide_file, db)
    if not texts and sys.stdin.isatty():
        click.echo("reading from standard input; end with Ctrl-D", err=True)
    drafts = _json_drafts(texts, initials) if as_json else _plain_drafts(texts, initials)
    from cmconsole.domain.checker import check

    refused = False
    for draft in drafts:
        result = check(draft.text, guide, author_initials=draft.initials)
        refused = refused or not result.ok
        if as_json:
            click.echo(_json_report(draft.where, result))
        else:
            click.echo("\n".join(_plain_report(draft.where, result)))
    sys.exit(CHECK_REFUSED if refused else CHECK_OK)


@main.group("guide")
def guide_group() -> None:
    """Import, read and list the versions of an alias's voice guide."""


def _known_handle(services: "Services", handle: str) -> str:
    """The alias's handle as it was added (handles are matched in any case)."""
    wanted = handle.strip().lstrip("@").lower()
    found = (each.handle for each in services.accounts.aliases())
    return next((tag for tag in found if tag.lstrip("@").lower() == wanted), handle)


@guide_group.command("import")
@click.argument("handle", metavar="HANDLE")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--note", default="", help="What changed (default: 'imported FILE').")
@signed_in_options
@db_option
def guide_import(
    handle: str, path: Path, note: str, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """Import a guide file as the new version of an alias's guide.

    A malformed guide is refused, naming the file, the line and the problem, and the version
    in force stays in force."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        version = services.guides.import_file(handle, path, note, by=by)
        rules = len(services.guides.current_for_handle(handle).guide.rules)
        tag = _known_handle(services, handle)
    click.echo(f"{tag}: guide version {version.version} ({rules} rule{'s' if rules != 1 else ''})")


@guide_group.command("show")
@click.argument("handle", metavar="HANDLE")
@db_option
def guide_show(handle: str, db: str | None) -> None:
    """Print the guide in force: prose, rules, examples."""
    with workspace(db) as services:
        current = services.guides.current_for_handle(handle)
        tag = _known_handle(services, handle)
    guide, version = current.guide, current.version
    signature = guide.signature.policy.value
    if guide.signature.text:
        signature += f" ({guide.signature.text})"
    author = version.author_name or "shell"
    lines = [
        f"{guide.name or tag} ({tag}): guide version {version.version}",
        f"saved {version.created_at:%Y-%m-%d %H:%M} by {author}: {version.change_note}",
        f"language {guide.language or '-'}, length {guide.length}, signature {signature}",
    ]
    for title, text in guide.prose.items():
        lines += ["", f"## {title}", text.strip()]
    lines += ["", "## Rules"]
    lines += [f"[{rule.severity}] {rule.id}: {rule.message}" for rule in guide.rules]
    if guide.examples:
        lines += ["", "## Examples"]
        for example in guide.examples:
            lines += [f"  {example.context}", f"  → {example.reply}", ""]
        lines.pop()
    click.echo(inert_block("\n".join(lines)))  # a guide's text is anyone's who could import it


@guide_group.command("versions")
@click.argument("handle", metavar="HANDLE")
@db_option
def guide_versions(handle: str, db: str | None) -> None:
    """List an alias's guide versions, newest first.

    One line per version: vN, when it was saved (UTC), who saved it (`shell` for an import),
    and its change note. The newest is the one in force."""
    with workspace(db) as services:
        versions = services.guides.versions_for_handle(handle)
    authors = [inert(version.author_name or "shell") for version in versions]
    width = max((len(author) for author in authors), default=0)
    for version, author in zip(versions, authors, strict=True):
        line = f"v{version.version}  {version.created_at:%Y-%m-%d %H:%M}  {author:<{width}}  "
        click.echo((line + inert(version.change_note)).rstrip())


def _alias_named(services: "Services", handle: str) -> Alias:
    for each in services.accounts.aliases():
        if each.handle.lower() == "@" + handle.lstrip("@").lower():
            return each
    _fail(f"there is no alias {handle}: `cmconsole alias list` shows them", 1)


@main.group("sandbox")
def sandbox_group() -> None:
    """Speak as the sandbox channel's public: for demos, training and tests."""


@sandbox_group.command("mention")
@click.argument("handle", metavar="ALIAS")
@click.argument("text")
@click.option("--from", "author", required=True, metavar="@HANDLE", help="Who writes it.")
@db_option
def sandbox_mention(handle: str, text: str, author: str, db: str | None) -> None:
    """Make someone from the public write TEXT to ALIAS on the sandbox channel.

    The alias's handle is put in front of TEXT unless TEXT already mentions it. The console
    (or `cmconsole dispatch`) picks it up on its next sync."""
    with reported_errors():
        text, author = argument(text, "TEXT"), argument(author, "--from")
    with workspace(db) as services:
        alias = _alias_named(services, handle)
        if alias.channel != "sandbox":
            _fail(f"{alias.handle} speaks on {alias.channel}, not on the sandbox", 1)
        said = text if alias.handle.lower() in text.lower() else f"{alias.handle} {text}"
        channel_id = services.public.mention(author, said)
    writer = inert("@" + author.lstrip("@"))  # the public's name: shown, never obeyed
    click.echo(f"{writer} wrote to {alias.handle} on the sandbox ({channel_id})")


@main.command()
@click.option("--once", is_flag=True, help="One pass, then exit (for cron or a test).")
@click.option(
    "--interval", default=5.0, show_default=True, help="Seconds between passes.", type=float
)
@db_option
def dispatch(once: bool, interval: float, db: str | None) -> None:
    """Run the team's dispatcher: fetch mentions and publish the outbox for every alias.

    Run it on the one machine that holds the channel credentials; the consoles then only read
    and write the shared database. Several dispatchers may run at once: no post goes out twice.
    A database fault (a connection the server ended, a locked or failing file) is logged in one
    line and tried again after a short backoff. Stop it with Ctrl+C."""
    with workspace(db) as services:
        try:
            while True:
                try:
                    _dispatch_pass(services)
                except (WorkspaceUnavailable, ConcurrentChange) as error:
                    if once:
                        raise
                    wait = services.dispatcher.recover()
                    click.echo(f"database fault, trying again in {wait:.1f} s: {error}", err=True)
                    time.sleep(wait)
                    continue
                if once:
                    return
                time.sleep(interval)
        except KeyboardInterrupt:
            click.echo("dispatcher stopped")


def _dispatch_pass(services: "Services") -> None:
    for alias in services.accounts.aliases():
        try:
            new = services.inbox.sync(alias.id)
        except CmconsoleError as error:
            click.echo(f"{alias.handle}: mentions not fetched: {inert(str(error))}", err=True)
            continue
        if new:
            click.echo(f"{alias.handle}: {new} new mention{'s' if new != 1 else ''}")
    report = services.dispatcher.run_once()
    # Channel ids and reasons are the channel's words: shown inert.
    for post in report.published:
        click.echo(f"post {post.id}: published as {inert(post.channel_post_id or '')}")
    for post in report.reconciled:
        outcome = "found published" if post.channel_post_id else "not published, queued again"
        click.echo(f"post {post.id}: outcome was unknown: {outcome}")
    for post in report.delayed:
        click.echo(f"post {post.id}: waiting: {inert(post.failure_reason or '')}")
    for post in report.failed:
        click.echo(f"post {post.id}: failed: {inert(post.failure_reason or '')}", err=True)
    for post in report.unknown:
        reason = inert(post.failure_reason or "")
        click.echo(f"post {post.id}: outcome unknown, checked again later: {reason}")


@main.group("saved")
def saved_group() -> None:
    """Manage an alias's saved replies (operators insert them with ctrl+r in a thread)."""


@saved_group.command("add")
@click.argument("handle", metavar="ALIAS")
@click.argument("name")
@click.argument("text")
@signed_in_options
@db_option
def saved_add(
    handle: str, name: str, text: str, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """Save TEXT as ALIAS's reply NAME (replacing one of that name)."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        alias = _alias_named(services, handle)
        services.saved_replies.save(by, alias.id, name, text)
    click.echo(f"saved reply {name!r} for {alias.handle}")


@saved_group.command("list")
@click.argument("handle", metavar="ALIAS")
@db_option
def saved_list(handle: str, db: str | None) -> None:
    """List ALIAS's saved replies."""
    with workspace(db) as services:
        alias = _alias_named(services, handle)
        replies = services.saved_replies.for_alias(alias.id)
    for reply in replies:
        click.echo(f"{inert(reply.name)}\t{inert(reply.text)}")


@saved_group.command("remove")
@click.argument("handle", metavar="ALIAS")
@click.argument("name")
@signed_in_options
@db_option
def saved_remove(
    handle: str, name: str, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """Remove ALIAS's saved reply NAME."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        alias = _alias_named(services, handle)
        services.saved_replies.remove(by, alias.id, name)
    click.echo(f"removed saved reply {name!r} from {alias.handle}")


@main.group("db")
def db_group() -> None:
    """The workspace database itself (PostgreSQL roles)."""


@db_group.command("grants")
@click.option("--role", default="cmconsole_console", show_default=True, help="The console role.")
@click.option(
    "--owner",
    default="cmconsole_owner",
    show_default=True,
    help="The role that owns the tables and runs migrations.",
)
@click.option("--schema", default="public", show_default=True, help="The workspace's schema.")
@db_option
def db_grants(role: str, owner: str, schema: str, db: str | None) -> None:
    """Print the SQL for a PostgreSQL role that consoles and dispatchers connect as.

    It may read and change the working tables but only read and append to the ledger
    (audit_event) and the handovers: no UPDATE, DELETE or TRUNCATE there. The owner keeps
    every right and runs migrations. Nothing is run: read it, then run it with psql."""
    from cmconsole.wiring import console_role_sql, workspace_url

    with reported_errors(exit_code=2):
        sql = console_role_sql(workspace_url(db or _group_db()), role, owner, schema)
    click.echo(sql, nl=False)
