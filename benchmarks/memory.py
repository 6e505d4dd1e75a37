"""memory: the peak resident memory of a console process that signs in, opens the busiest alias,
scrolls its inbox and its audit and looks at who spoke (see tui_probe), in a process of its own."""

import json
import subprocess
import sys

from benchmarks.results import Result
from benchmarks.workspace import Workspace

TARGET_MB = 200.0


def run(workspace: Workspace) -> Result:
    probe = subprocess.run(
        [sys.executable, "-m", "benchmarks.tui_probe", workspace.url, workspace.facts.to_json()],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if probe.returncode != 0:
        raise RuntimeError(f"the console probe failed:\n{probe.stderr[-3000:]}")
    peak = json.loads(probe.stdout.strip().splitlines()[-1])["peak_mb"]
    return Result("memory", peak, "MB", TARGET_MB)
