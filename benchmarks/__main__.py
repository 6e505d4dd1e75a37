"""Run the benchmark suite: python -m benchmarks [--scale small|agency] [--json PATH]."""

import argparse
import sys
from pathlib import Path

from benchmarks import audit_verify, check_draft, who_spoke
from benchmarks.results import table, write_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", choices=["small", "agency"], default="small")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--repeats", type=int, default=2000, help="draft checks measured for check_draft"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(".benchmarks"),
        help="where generated workspaces are kept between runs",
    )
    options = parser.parse_args(argv)
    workdir = options.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    results = [
        check_draft.run(options.repeats),
        *who_spoke.run(options.scale, workdir),
        audit_verify.run(options.scale, workdir),
    ]
    print(table(results))
    if options.json:
        # The storage benchmarks run on SQLite; PostgreSQL runs come with the benchmark issue.
        write_json(options.json, options.scale, "sqlite", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
