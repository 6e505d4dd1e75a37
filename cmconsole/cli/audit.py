"""Reading and checking the audit: list, verify, who, export, checkpoints and their key."""

import csv
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from cmconsole.cli.common import db_option, fail, reported_errors, workspace
from cmconsole.cli.identity import acting_person, signed_in_options
from cmconsole.cli.text import exact_json, inert
from cmconsole.domain.display import one_line
from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import AuditEntry

if TYPE_CHECKING:
    from cmconsole.services.verification import Checkpoint


@click.group()
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
            fail(f"cannot write {output}: {error.strerror or type(error).__name__}", 2)
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
