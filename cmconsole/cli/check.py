"""`cmconsole check`: drafts against a channel's rules and a voice guide, plain or JSON lines."""

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cmconsole.cli.common import db_option, fail, workspace
from cmconsole.cli.text import NotUtf8, exact_json, inert, utf8

if TYPE_CHECKING:
    from cmconsole.domain.channel_limits import PostLimits
    from cmconsole.domain.checker import CheckResult
    from cmconsole.domain.guide import Guide


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
        fail(str(error), CHECK_BAD_INPUT)


def _plain_drafts(texts: tuple[str, ...], initials: str) -> list[_Draft]:
    if texts:
        drafts = []
        for n, text in enumerate(texts, 1):
            try:
                drafts.append(_Draft(n, _text(text), initials))
            except ValueError as error:
                fail(f"argument {n}: {error}", CHECK_BAD_INPUT)
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
            fail(f"{where}: {error}", CHECK_BAD_INPUT)
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


def _check_guide(
    handle: str | None, guide_file: Path | None, db: str | None, channel: str
) -> "tuple[Guide | None, PostLimits | None]":
    """The guide to check against (none, a file's, or the one in force on an alias), and what
    the alias's server on `channel` said of a post's length, if it said."""
    if guide_file is not None:
        from cmconsole.domain.guide import GuideError, load_guide

        try:
            return load_guide(guide_file), None
        except GuideError as error:
            fail(str(error), CHECK_BAD_INPUT)
    if handle is not None:
        # Exit 1 means "a draft was refused": a guide that cannot be found is not that.
        with workspace(db, exit_code=CHECK_BAD_INPUT) as services:
            guide = services.guides.current_for_handle(handle).guide
            return guide, services.guides.limits_for_handle(handle, channel)
    return None, None


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
        }
    )


@click.command("check")
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
@click.option(
    "--channel",
    type=click.Choice(["x", "mastodon", "bluesky"]),
    default="x",
    show_default=True,
    help="Count the length as this channel counts it, against its limit or the guide's.",
)
@db_option
def check_command(
    texts: tuple[str, ...],
    handle: str | None,
    guide_file: Path | None,
    as_json: bool,
    initials: str,
    channel: str,
    db: str | None,
) -> None:
    """Check drafts: the channel's length and hidden characters, and a voice guide's rules.

    Each TEXT is one draft; with no TEXT, all of standard input is one draft (its final newline
    dropped). Without --alias or --guide only what holds for every alias on X is checked (the
    length against 280 and hidden characters), and no workspace is opened. --db is used only with
    --alias. --channel mastodon counts grapheme clusters against 500 (with --alias, against the
    limit its instance stated when connected), each http(s) URL as 23 (or as the instance
    reserves) and `@user@domain` as `@user`; --channel bluesky counts grapheme clusters against
    300; a guide's `[lengths]` table sets a channel's own limit.

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
    guide, limits = _check_guide(handle, guide_file, db, channel)
    if not texts and sys.stdin.isatty():
        click.echo("reading from standard input; end with Ctrl-D", err=True)
    drafts = _json_drafts(texts, initials) if as_json else _plain_drafts(texts, initials)
    from cmconsole.domain.checker import check

    refused = False
    for draft in drafts:
        result = check(
            draft.text, guide, author_initials=draft.initials, channel=channel, limits=limits
        )
        refused = refused or not result.ok
        if as_json:
            click.echo(_json_report(draft.where, result))
        else:
            click.echo("\n".join(_plain_report(draft.where, result)))
    sys.exit(CHECK_REFUSED if refused else CHECK_OK)
