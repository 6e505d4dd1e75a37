"""Run the benchmark suite: python -m benchmarks [--scale small|agency] [--db URL] [--json PATH].

Every storage benchmark reads one generated workspace (SQLite in --workdir by default, or the
PostgreSQL database and schema of --db), built on first use and reused while its scale, generator
and schema are unchanged. Each reports the median of several runs and, where one exists, a
baseline measured in the same run: the bare driver (sqlite3 or psycopg) on the same rows, or a
bare Textual app for startup.
"""

import argparse
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks import (
    audit_verify,
    check_draft,
    contact_card,
    desk,
    desk_fanout,
    dispatch,
    home,
    inbox,
    memory,
    report,
    search,
    startup,
    who_spoke,
)
from benchmarks.generate import SCALES
from benchmarks.results import Result, table, write_json
from benchmarks.workspace import Plain, Workspace, prepare
from cmconsole.services.guard import SignedIn
from cmconsole.wiring import open_services

# How many times each kind of measurement is repeated, per scale.
REPEATS = {
    "small": {"query": 10, "verify": 1, "startup": 1},
    "agency": {"query": 30, "verify": 3, "startup": 5},
}
GROUPS = {
    "startup": ("startup",),
    "inbox": ("inbox_first_page", "inbox_unanswered", "inbox_by_facet"),
    "desk": ("desk_refresh", "desk_idle"),
    "home": ("home_agent", "home_lead", "home_idle"),
    "who_spoke": ("audit_first_page", "audit_search", "audit_speakers", "audit_search_speakers"),
    "search": ("search_threads",),
    "contact_card": ("contact_card",),
    "check_draft": ("check_draft",),
    "audit_verify": ("audit_verify",),
    "dispatch": ("dispatch",),
    "memory": ("memory",),
    "report": ("report_90_days",),
    "desk_fanout": ("desk_fanout", "desk_fanout_idle", "desk_fanout_idle_sent"),
}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="a PostgreSQL URL to benchmark instead of SQLite (an empty "
        "schema or database: the workspace is generated into it)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--repeats", type=int, default=2000, help="draft checks measured for check_draft"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(".benchmarks"),
        help="where generated SQLite workspaces are kept between runs",
    )
    parser.add_argument(
        "--only", action="append", choices=sorted(GROUPS), help="run only these (repeatable)"
    )
    options = parser.parse_args(argv)
    options.workdir.mkdir(parents=True, exist_ok=True)
    chosen = options.only or list(GROUPS)
    workspace = prepare(options.scale, options.db, options.workdir, say)
    repeats = REPEATS[options.scale]
    results: list[Result] = []

    failed: list[str] = []

    def measure(group: str, benchmark: Callable[[], Result | list[Result]]) -> None:
        if group not in chosen:
            return
        say(f"measuring {', '.join(GROUPS[group])} …")
        try:
            outcome = benchmark()
        except Exception:  # one broken benchmark must not hide the others' numbers
            say(traceback.format_exc())
            failed.append(group)
            return
        results.extend(outcome if isinstance(outcome, list) else [outcome])

    measure("startup", lambda: startup.run(workspace.url, repeats["startup"]))
    services = open_services(workspace.url, clock=lambda: workspace.facts.moment)
    plain = Plain(workspace)
    try:
        lead = _lead(workspace, plain)
        measure("inbox", lambda: inbox.run(workspace, services, plain, lead, repeats["query"]))
        measure("desk", lambda: desk.run(workspace, services, plain, lead, repeats["query"]))
        measure("home", lambda: home.run(workspace, services, plain, repeats["query"]))
        measure(
            "who_spoke", lambda: who_spoke.run(workspace, services, plain, lead, repeats["query"])
        )
        measure("search", lambda: search.run(workspace, services, plain, lead, repeats["query"]))
        measure(
            "contact_card",
            lambda: contact_card.run(workspace, services, plain, lead, repeats["query"]),
        )
        measure("report", lambda: report.run(workspace, services, plain, lead, repeats["query"]))
        measure("check_draft", lambda: check_draft.run(options.repeats))
        measure("audit_verify", lambda: audit_verify.run(services, plain, repeats["verify"]))
    finally:
        plain.close()
        services.close()
    count = SCALES[options.scale].dispatch
    measure("dispatch", lambda: dispatch.run(workspace, options.workdir, options.scale, count))
    measure("memory", lambda: memory.run(workspace))
    if workspace.database == "postgresql":  # LISTEN/NOTIFY: SQLite consoles poll instead
        measure("desk_fanout", lambda: desk_fanout.run(workspace))
    print(table(results))
    if options.json:
        write_json(options.json, options.scale, workspace.database, results)
    if failed:
        say(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


def _lead(workspace: Workspace, plain: Plain) -> SignedIn:
    """The lead the benchmarks read as (found by name: signing in would write to the audit)."""
    [(operator_id,)] = plain.fetch(
        "SELECT id FROM operator WHERE name = ?", (workspace.facts.lead,)
    )
    return SignedIn(operator_id, workspace.facts.lead)


if __name__ == "__main__":
    sys.exit(main())
