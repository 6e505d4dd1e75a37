"""README is the front door: its test command is the one CI runs."""

import re
import textwrap
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
    listed = set(re.findall(r"^\| `cmconsole ([a-z]+(?: [a-z-]+)?)", readme, re.MULTILINE))
    assert {"demo", "operator add", "alias add", "grant", "audit verify"} <= listed
    for command in listed:
        result = CliRunner().invoke(main, [*command.split(), "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_the_guide_example_in_the_readme_is_a_valid_guide():
    from cmconsole.domain.checker import check
    from cmconsole.domain.guide import parse_guide

    readme = (ROOT / "README.md").read_text()
    [example] = [
        block
        for block in re.findall(r"```toml\n(.*?)```", readme, re.DOTALL)
        if "[[rules]]" in block
    ]
    guide = parse_guide(example, "README.md")
    assert [rule.id for rule in guide.rules] == ["we-not-i", "no-asap"]
    for golden in guide.examples:
        assert check(golden.reply, guide, author_initials="AB").findings == []


def test_the_check_run_the_readme_shows_is_what_check_prints(monkeypatch):
    monkeypatch.chdir(ROOT)
    from click.testing import CliRunner

    from cmconsole.cli import main

    readme = (ROOT / "README.md").read_text()
    pattern = r"```console\n\$ cmconsole check (--guide \S+) \"(.*?)\"\n(.*?)\$ "
    block = re.search(pattern, readme, re.DOTALL)
    assert block is not None
    option, text, shown = block.groups()
    result = CliRunner().invoke(main, ["check", *option.split(), text], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output == shown


def test_the_onboarding_rule_the_readme_shows_is_a_valid_guide_table():
    from cmconsole.domain.guide import parse_guide

    readme = (ROOT / "README.md").read_text()
    [snippet] = [
        block
        for block in re.findall(r"```toml\n(.*?)```", readme, re.DOTALL)
        if "[onboarding]" in block
    ]
    rule = parse_guide(textwrap.dedent(snippet), "README.md").onboarding
    assert (rule.track, rule.practice, rule.approved_in_a_row) == (True, 3, 20)


def test_the_set_up_commands_the_readme_shows_work_in_order_on_a_new_workspace(
    tmp_path, monkeypatch
):
    """Each command of "Setting up a real workspace", as typed, in order, on a workspace that
    does not exist yet (it starts with `cmconsole init`, since no other command creates one),
    with the passphrases a person would type at the prompts given on standard input instead."""
    import shlex

    from click.testing import CliRunner

    from cmconsole.cli import main

    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CMCONSOLE_AS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Setting up a real workspace", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    commands = [shlex.split(line, comments=True) for line in block.group(1).splitlines()]
    assert commands[0] == ["cmconsole", "init"]
    assert commands[-1] == ["cmconsole"]  # opens the console: not run here
    passphrase = "correct horse battery"
    db = f"sqlite:///{tmp_path / 'new' / 'workspace.db'}"
    signed = 0
    for command in commands[:-1]:
        assert command[0] == "cmconsole"
        args = command[1:]
        lines = []
        if "--as" in args:
            lines.append(passphrase)
            signed += 1
        if args[:2] == ["operator", "add"]:
            lines.append(passphrase)
        if lines:
            args.append("--passphrase-stdin")
        result = CliRunner().invoke(main, [*args, "--db", db], input="\n".join(lines) + "\n")
        assert result.exit_code == 0, (command, result.output)
    assert signed >= 3  # the README shows --as once the workspace has its lead
    listed = CliRunner().invoke(main, ["alias", "list", "--db", db]).output
    assert "@bellehelene" in listed and "@acmehelp" in listed
    unsigned = CliRunner().invoke(main, ["grant", "theo", "@bellehelene", "lead", "--db", db])
    assert unsigned.exit_code == 2
