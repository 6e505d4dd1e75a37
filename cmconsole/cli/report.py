"""`cmconsole report`: an alias's report over a period as text, CSV or JSON; and
`cmconsole alias set-hours`, when the alias is staffed and how fast it means to answer."""

import csv
import io
from dataclasses import asdict, fields
from datetime import date, datetime, timedelta

import click

from cmconsole.cli.common import alias_named, db_option, fail, known_handle, workspace
from cmconsole.cli.identity import acting_person, signed_in_options
from cmconsole.cli.text import exact_json, inert
from cmconsole.services.report_model import Figures, Report, duration, share

FIGURES = [field.name for field in fields(Figures)]


@click.command("report")
@click.option("--alias", "handle", required=True, metavar="HANDLE", help="The alias reported on.")
@click.option("--since", metavar="YYYY-MM-DD", help="First day (default: 29 days before --until).")
@click.option("--until", metavar="YYYY-MM-DD", help="Last day, included (default: today).")
@click.option(
    "--format",
    "shape",
    type=click.Choice(["text", "csv", "json"]),
    default="text",
    show_default=True,
)
@signed_in_options
@db_option
def report(
    handle: str,
    since: str | None,
    until: str | None,
    shape: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """How fast and how well the alias answered, per operator, shift, day and hour: leads see
    everyone, others their own numbers. Days are the alias's (its time zone)."""
    last = _day(until, "--until") if until else date.today()
    first = _day(since, "--since") if since else last - timedelta(days=29)
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        if by is None:
            fail("a report needs one of the alias's members: say who you are with --as NAME", 2)
        alias = alias_named(services, handle)
        made = services.reports.report(by, alias.id, first, last)
    click.echo({"text": as_text, "csv": as_csv, "json": as_json}[shape](made), nl=False)


@click.command("set-hours")
@click.argument("handle")
@click.argument("hours")
@click.option("--target", type=click.IntRange(1, 10080), metavar="MINUTES", help="SLA target.")
@signed_in_options
@db_option
def set_hours(
    handle: str,
    hours: str,
    target: int | None,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Set when the alias is staffed, in its time zone ('mon-fri 09:00-18:00; sat 10:00-14:00',
    or 'always'), and the reply time it aims at: reports count reply times in these hours."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        written, minutes = services.reports.set_hours(
            by, known_handle(services, handle), hours, target
        )
    aim = f", answering within {minutes} min" if minutes else ", no target"
    click.echo(f"{known_handle(services, handle)} is staffed {written}{aim}")


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(f"{option} {text!r} is not a date like 2026-11-30", 2)


def _plain(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def as_json(made: Report) -> str:
    return exact_json(_plain(asdict(made))) + "\n"


def as_csv(made: Report) -> str:
    """One table: a row per team, operator, shift, day, hour and voice week; empty cells where a
    column does not apply."""
    out = io.StringIO()
    header = ["section", "name", "start", "end", *FIGURES, "backlog", "drifts"]
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()

    def figures_row(
        section: str, row: Figures, start: object = "", end: object = "", name: str = ""
    ) -> None:
        values = asdict(row)
        values["name"] = name or row.name
        values["override_rules"] = ";".join(f"{k}={v}" for k, v in row.override_rules.items())
        writer.writerow({"section": section, "start": start, "end": end, **values})

    if made.team is not None:
        figures_row("team", made.team, made.since, made.until)
    for person in made.operators:
        figures_row("operator", person, made.since, made.until)
    for shift in made.shifts:
        ended = shift.ended_at.isoformat() if shift.ended_at else ""
        figures_row("shift", shift.figures, shift.started_at.isoformat(), ended, shift.operator)
    for day in made.days:
        writer.writerow(
            {"section": "day", "name": made.alias, "start": day.day, "received": day.received,
             "replies": day.replies, "backlog": day.backlog}
        )  # fmt: skip
    for hour in made.hours:
        writer.writerow(
            {"section": "hour", "name": f"{hour.hour:02d}", "first_replies": hour.first_replies,
             "median_seconds": hour.median_seconds}
        )  # fmt: skip
    for week in made.voice:
        writer.writerow(
            {"section": "voice", "name": week.operator, "start": week.week,
             "replies": week.replies, "drifts": ";".join(week.drifts)}
        )  # fmt: skip
    return out.getvalue()


def as_text(made: Report) -> str:
    target = f"{made.target_minutes} min" if made.target_minutes else "none"
    lines = [
        f"{made.alias} from {made.since} to {made.until} ({made.time_zone}); "
        f"staffed {made.business_hours}; target {target}; "
        + ("the team's numbers" if made.team else f"{inert(made.scope)}'s own numbers"),
        "",
        "who\treceived\treplies\tthreads\tclosed\tmedian\tp90\twithin target\tsent back\toverrides",
    ]
    rows = ([made.team] if made.team else []) + made.operators
    for row in rows:
        received = "-" if row.received is None else str(row.received)
        lines.append(
            f"{inert(row.name)}\t{received}\t{row.replies}\t{row.threads_answered}\t"
            f"{row.closed_without_reply}\t{duration(row.median_seconds)}\t"
            f"{duration(row.p90_seconds)}\t{share(row.within_target)}\t{row.sent_back}\t"
            f"{row.overrides}"
            + (
                " (" + ", ".join(f"{k} {v}" for k, v in row.override_rules.items()) + ")"
                if row.override_rules
                else ""
            )
        )
    lines += ["", "day\treceived\treplies\tbacklog at end"]
    lines += [f"{d.day}\t{d.received}\t{d.replies}\t{d.backlog}" for d in made.days]
    drifting = [w for w in made.voice if w.drifts]
    if drifting:
        lines += ["", "voice drift\tweek of\treplies\tdrifts"]
        lines += [
            f"{inert(w.operator)}\t{w.week}\t{w.replies}\t{', '.join(w.drifts)}" for w in drifting
        ]
    return "\n".join(lines) + "\n"
