"""README is the front door: its test command is the one CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_test_command_the_readme_gives():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```sh\n# \d\..*\n(.+)\n```", readme)
    assert len(commands) == 2, "the Quick start has exactly two commands"
    demo, tests = commands
    assert demo.endswith("cmconsole demo")
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci_lines


def test_every_command_the_readme_lists_exists():
    from click.testing import CliRunner

    from cmconsole.cli import main

    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"^\| `cmconsole ([a-z]+(?: [a-z]+)?)", readme, re.MULTILINE))
    assert {"demo", "operator add", "alias add", "grant", "audit verify"} <= listed
    for command in listed:
        result = CliRunner().invoke(main, [*command.split(), "--help"])
        assert result.exit_code == 0, (command, result.output)
