"""`cmconsole check` (drafts in batch, plain or JSON lines) and `cmconsole guide` (import, show,
versions): real checker results, exit codes 0/1/2, and errors as one line without a traceback."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cmconsole.cli import main
from cmconsole.domain.weighted_length import weighted_length
from cmconsole.wiring import open_services

ROOT = Path(__file__).resolve().parent.parent
BELLE = str(ROOT / "config" / "guides" / "bellehelene.toml")
ACME = str(ROOT / "config" / "guides" / "acmehelp.toml")
JSON_KEYS = {
    "line",
    "weighted_length",
    "published_length",
    "limit",
    "length_ok",
    "ok",
    "sendable",
    "findings",
}
FINDING_KEYS = {"rule", "severity", "start", "end", "message", "suggestion"}

# A guide with a bad severity on line 7 (the `severity` key of its only rule).
BROKEN = """\
name = "Broken"
language = "en"

[[rules]]
id = "shout"
kind = "limit"
severity = "loud"
counts = "exclamations"
max = 1
"""
TINY = """\
name = "Tiny"
language = "en"

[signature]
policy = "fixed"
text = "- the team"

[prose]
"How we sound" = "Short and kind, never sorry twice."

[[rules]]
id = "no-sorry"
kind = "forbidden"
severity = "warning"
terms = ["sorry"]
suggestion = "apologies"
message = "say {suggestion}"
"""


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """Keep the user's real data directory (and its demo) out of the tests."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run("init", "--db", url).exit_code == 0
    return url


@pytest.fixture
def demo_db(db):
    """A workspace seeded by the demo: @bellehelene and @acmehelp, each with guide version 1."""
    seeded = run("demo", "--no-launch", "--db", db)
    assert seeded.exit_code == 0, seeded.output
    return db


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


# The demo's lead, signing in from the shell: its guides are hers to change.
AS_LEA, LEA = ("--as", "lea", "--passphrase-stdin"), "lead-demo-pass\n"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def json_lines(result: Result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def assert_clean_error(result: Result, code: int) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- the JSON contract -------------------------------------------------------------------------


def test_json_output_has_exactly_the_contract_fields_and_types():
    result = run("check", "--json", '"Bonjour à tous"')
    assert result.exit_code == 0, result.output
    [line] = json_lines(result)
    assert set(line) == JSON_KEYS
    assert line == {
        "line": 1,
        "weighted_length": 14,
        "published_length": 14,
        "limit": 280,
        "length_ok": True,
        "ok": True,
        "sendable": True,
        "findings": [],
    }
    for key in ("line", "weighted_length", "published_length", "limit"):
        assert type(line[key]) is int
    for key in ("length_ok", "ok", "sendable"):
        assert type(line[key]) is bool


def test_each_finding_has_its_fields_with_their_types():
    result = run("check", "--json", "--guide", BELLE, '"Je te garde ton flan"')
    assert result.exit_code == 1
    [line] = json_lines(result)
    assert line["ok"] is False and line["length_ok"] is True and line["sendable"] is False
    assert line["weighted_length"] == 20
    for finding in line["findings"]:
        assert set(finding) == FINDING_KEYS
        assert type(finding["rule"]) is str and type(finding["message"]) is str
        assert finding["severity"] in {"error", "warning", "suggestion"}
        assert type(finding["start"]) is int and type(finding["end"]) is int
        assert finding["suggestion"] is None or type(finding["suggestion"]) is str
    spans = [(f["rule"], f["start"], f["end"], f["suggestion"]) for f in line["findings"]]
    assert spans == [
        ("nous-et-vous", 0, 2, None),  # "Je": no fix that is always grammatical
        ("nous-et-vous", 3, 5, "vous"),  # "te"
        ("nous-et-vous", 12, 15, "votre"),  # "ton"
    ]


def test_strings_and_objects_with_text_give_the_same_result_in_order():
    text = "We fixed it for you"
    result = run(
        "check",
        "--json",
        "--guide",
        ACME,
        json.dumps(text),
        json.dumps({"text": text, "ticket": 42}),  # other keys are ignored
        json.dumps({"text": text, "initials": "AB"}),
    )
    assert result.exit_code == 0, result.output
    first, second, third = json_lines(result)
    assert [first["line"], second["line"], third["line"]] == [1, 2, 3]
    assert {k: v for k, v in first.items() if k != "line"} == {
        k: v for k, v in second.items() if k != "line"
    }
    # Unknown initials: room for three letters (" ^XXX"); known ones: " ^AB".
    assert first["published_length"] == len(text) + 5
    assert third["published_length"] == len(text) + 4


def test_json_from_stdin_skips_blank_lines_and_numbers_lines_as_given():
    stdin = '"fine"\n\n   \n{"text": "I will check"}\n'
    result = run("check", "--json", "--guide", ACME, input=stdin)
    assert result.exit_code == 1  # "I" breaks an error rule of the guide
    first, second = json_lines(result)
    assert (first["line"], first["ok"]) == (1, True)
    assert (second["line"], second["ok"]) == (4, False)
    assert [(f["rule"], f["start"], f["end"], f["suggestion"]) for f in second["findings"]] == [
        ("we-not-i", 0, 1, "We")
    ]


def test_an_empty_text_is_not_length_ok_but_does_not_fail_the_run():
    result = run("check", "--json", '""', '"   "')
    assert result.exit_code == 0
    for line in json_lines(result):
        assert line["length_ok"] is False and line["ok"] is True and line["sendable"] is False
        assert line["findings"] == []
    plain = run("check", "")
    assert plain.exit_code == 0
    assert plain.stdout == "draft 1: length 0/280\n  ok, but empty: nothing to send\n"


# --- exit codes and bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, code",
    [
        (["Hello there"], 0),
        (["Hello there", "a" * 281], 1),
        (["--guide", ACME, "Please send us a DM"], 0),
        (["--guide", ACME, "I can help"], 1),
        (["--guide", ACME, "We can help ASAP"], 0),  # warnings alone pass
        (["--json", "not json"], 2),
        (["--alias", "@x", "--guide", ACME, "Hello"], 2),
        (["--initials", "A1", "Hello"], 2),
    ],
)
def test_exit_codes(args, code):
    result = run("check", *args)
    assert_clean_error(result, code)


@pytest.mark.parametrize(
    "stdin, where, problem",
    [
        ('"ok"\n{"text": "fine"}\n{oops\n', "line 3", "not valid JSON"),
        ('"ok"\n\n{"txt": "fine"}\n', "line 3", 'no "text"'),
        ('{"text": 12}\n', "line 1", 'a number as its "text"'),
        ("[1, 2]\n", "line 1", "not a list"),
        ('{"text": "x", "initials": 7}\n', "line 1", '"initials" must be a string'),
        ('"\\ud800"\n', "line 1", "not valid UTF-8"),
    ],
)
def test_bad_json_input_is_refused_whole_naming_the_line(stdin, where, problem):
    result = run("check", "--json", input=stdin)
    assert_clean_error(result, 2)
    assert result.stdout == ""  # validated first: no result is printed for the good lines
    assert result.stderr.startswith(f"cmconsole: {where}: ")
    assert problem in result.stderr


def test_a_bad_json_argument_is_named_by_its_position():
    result = run("check", "--json", '"fine"', "{")
    assert_clean_error(result, 2)
    assert result.stderr.startswith("cmconsole: argument 2: not valid JSON")


# --- plain mode --------------------------------------------------------------------------------


def test_without_a_guide_only_length_and_hidden_characters_are_checked(monkeypatch, tmp_path):
    def no_database(*args, **kwargs):
        raise AssertionError("check opened a workspace without --alias")

    monkeypatch.setattr("cmconsole.wiring.open_services", no_database)
    result = run("check", "Je te garde ton flan", "abc\u202edef", "é" * 281)
    assert result.exit_code == 1, result.output
    assert result.stdout == (
        "draft 1: length 20/280\n"
        "  ok\n"
        "draft 2: length 8/280\n"  # X weighs U+202E as 2, like any character beyond its ranges
        "  ERROR unsafe-characters [3:4] hidden character U+202E RIGHT-TO-LEFT OVERRIDE would be "
        "published (fix: remove)\n"
        "  refused\n"
        "draft 3: length 281/280\n"
        "  ERROR length [280:281] 1 over the limit of 280\n"
        "  refused\n"
    )
    assert not (tmp_path / "data").exists()  # no default workspace was created either


def test_no_guide_json_flags_the_override_and_the_overflow():
    result = run("check", "--json", json.dumps("abc\u202edef"), json.dumps("日" * 141))
    assert result.exit_code == 1
    hidden, long = json_lines(result)
    assert hidden["findings"] == [
        {
            "rule": "unsafe-characters",
            "severity": "error",
            "start": 3,
            "end": 4,
            "message": "hidden character U+202E RIGHT-TO-LEFT OVERRIDE would be published",
            "suggestion": "",
        }
    ]
    assert hidden["length_ok"] is True and hidden["ok"] is False
    # CJK characters weigh 2: 141 of them are 282, two over.
    assert long["weighted_length"] == 282 == weighted_length("日" * 141)
    assert long["length_ok"] is False and long["ok"] is False
    assert [(f["rule"], f["start"], f["end"]) for f in long["findings"]] == [("length", 140, 141)]
    assert long["findings"][0]["message"] == "2 over the limit of 280"


def test_stdin_is_one_draft_that_may_span_lines():
    draft = "Je pense que tu vas adorer notre flan.\nÀ samedi !\n"
    result = run("check", "--guide", BELLE, input=draft)
    assert result.exit_code == 1
    # The final newline is dropped: 38 + 1 + 10.
    assert result.stdout.splitlines() == [
        "draft 1: length 49/280",
        "  ERROR nous-et-vous [0:2] « Je » : nous parlons au nom de la maison (« nous ») et nous "
        "vouvoyons",
        "  ERROR nous-et-vous [13:15] « tu » : nous parlons au nom de la maison (« nous ») et nous "
        "vouvoyons",
        "  refused",
    ]


def test_a_fix_is_shown_and_a_signature_is_named(tiny):
    result = run("check", "--guide", str(tiny), "So sorry about that")
    assert result.exit_code == 0  # a warning passes
    assert result.stdout.splitlines() == [
        f"draft 1: length {19 + 11}/280 with the signature",
        "  WARNING no-sorry [3:8] say apologies (fix: apologies)",
        "  ok",
    ]


# --- signatures --------------------------------------------------------------------------------


def test_acmehelp_initials_count_in_the_published_length():
    text = "Thanks, Dana. A firmware fix came out on Monday: Settings > Update on the AX2."
    with_initials = json_lines(
        run("check", "--json", "--guide", ACME, "--initials", "AB", json.dumps(text))
    )
    without = json_lines(run("check", "--json", "--guide", ACME, json.dumps(text)))
    assert with_initials[0]["weighted_length"] == weighted_length(text) == len(text)
    assert with_initials[0]["published_length"] == weighted_length(text) + 4  # " ^AB"
    assert without[0]["published_length"] == weighted_length(text) + 5  # " ^XXX", kept room


def test_the_signature_can_push_a_draft_over_the_limit():
    text = "a" * 277  # 277 fits, 277 + " ^AB" does not
    plain = json_lines(run("check", "--json", json.dumps(text)))[0]
    signed = run("check", "--json", "--guide", ACME, "--initials", "AB", json.dumps(text))
    assert plain["ok"] is True and plain["published_length"] == 277
    assert signed.exit_code == 1
    [line] = json_lines(signed)
    assert (line["published_length"], line["length_ok"], line["ok"]) == (281, False, False)
    length = [f for f in line["findings"] if f["rule"] == "length"]
    assert length[0]["message"] == "1 over the limit of 280 with the signature"


# --- guides from a file or a workspace ---------------------------------------------------------


def test_a_malformed_guide_file_is_a_usage_error_naming_file_and_line(broken):
    result = run("check", "--guide", str(broken), "Hello")
    assert_clean_error(result, 2)
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"cmconsole: {broken}, line 7: rule 'shout': severity 'loud' is not error, "
        "suggestion or warning"
    )


def test_a_missing_guide_file_is_a_usage_error(tmp_path):
    result = run("check", "--guide", str(tmp_path / "nowhere.toml"), "Hello")
    assert_clean_error(result, 2)
    assert f"{tmp_path / 'nowhere.toml'}: cannot read the guide" in result.stderr


def test_alias_checks_against_the_guide_in_force_in_the_workspace(demo_db):
    result = run("check", "--alias", "@acmehelp", "--db", demo_db, "--json", '"I will help"')
    assert result.exit_code == 1, result.output
    [line] = json_lines(result)
    assert line["published_length"] == weighted_length("I will help") + 5
    assert [f["rule"] for f in line["findings"]] == ["we-not-i"]
    french = run("check", "--alias", "bellehelene", "--db", demo_db, "Tu viens samedi ?")
    assert french.exit_code == 1
    assert "  ERROR nous-et-vous [0:2] « Tu »" in french.stdout


def test_alias_reads_the_database_from_the_environment(demo_db, monkeypatch):
    monkeypatch.setenv("CMCONSOLE_DATABASE_URL", demo_db)
    result = run("check", "--alias", "@acmehelp", "We can help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("draft 1: length 16/280 with the signature\n")


def test_an_unknown_alias_or_one_without_a_guide_is_exit_2(db):
    unknown = run("check", "--alias", "@nobody", "--db", db, "Hello")
    assert_clean_error(unknown, 2)
    assert unknown.stderr.strip() == "cmconsole: there is no alias @nobody"
    services = open_services(db)
    services.accounts.add_alias("@bare", "Bare")
    services.close()
    bare = run("check", "--alias", "@bare", "--db", db, "Hello")
    assert_clean_error(bare, 2)
    assert "@bare has no guide yet: cmconsole guide import @bare FILE" in bare.stderr


# --- guide import, show, versions --------------------------------------------------------------


def test_importing_a_malformed_guide_keeps_the_version_in_force(demo_db, broken):
    result = run(
        "guide", "import", "@bellehelene", str(broken), "--db", demo_db, *AS_LEA, input=LEA
    )
    assert_clean_error(result, 1)
    assert str(broken) in result.stderr and "line 7" in result.stderr
    versions = run("guide", "versions", "@bellehelene", "--db", demo_db)
    assert versions.exit_code == 0
    [only] = versions.stdout.splitlines()
    assert re.fullmatch(r"v1  \d{4}-\d\d-\d\d \d\d:\d\d  lea  the guide the demo starts with", only)


def test_importing_a_guide_adds_a_version_that_is_then_in_force(demo_db, tiny):
    result = run(
        "guide", "import", "@BelleHelene", str(tiny), "--note", "tiny voice", "--db", demo_db,
        *AS_LEA, input=LEA,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == "@bellehelene: guide version 2 (1 rule)\n"
    lines = run("guide", "versions", "bellehelene", "--db", demo_db).stdout.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"v2  \d{4}-\d\d-\d\d \d\d:\d\d  lea  tiny voice", lines[0])
    assert lines[1].startswith("v1  ") and lines[1].endswith("the guide the demo starts with")
    # The checker now uses version 2: "tu" is no longer an error, "sorry" is a warning.
    checked = run("check", "--alias", "@bellehelene", "--db", demo_db, "--json", '"tu? sorry"')
    assert checked.exit_code == 0
    assert [f["rule"] for f in json_lines(checked)[0]["findings"]] == ["no-sorry"]


def test_importing_the_same_guide_again_is_refused(demo_db):
    result = run("guide", "import", "@acmehelp", ACME, "--db", demo_db, *AS_LEA, input=LEA)
    assert_clean_error(result, 1)
    assert result.stderr.strip() == "cmconsole: this is already version 1 of the guide"


def test_guide_show_prints_the_prose_rules_and_examples(demo_db):
    result = run("guide", "show", "@bellehelene", "--db", demo_db)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Belle Hélène (@bellehelene): guide version 1"
    assert re.fullmatch(
        r"saved \d{4}-\d\d-\d\d \d\d:\d\d by lea: the guide the demo starts with", lines[1]
    )
    assert lines[2] == "language fr, length 280, signature none"
    assert "## Qui nous sommes" in lines
    assert "Chaleureux, gourmand, précis." in result.stdout
    assert lines.index("## Rules") > lines.index("## Quand ça chauffe")
    assert (
        "[error] nous-et-vous: « {found} » : nous parlons au nom de la maison (« nous ») et "
        "nous vouvoyons"
    ) in lines
    assert "[warning] pas-cher: « {found} » dévalorise nos douceurs : dites « {suggestion} »" in (
        lines
    )
    assert "## Examples" in lines
    assert (
        "  → Merci Marie, ça nous touche beaucoup 🍐 À samedi, nous vous gardons une part de "
        in (result.stdout)
    )


def test_guide_show_names_a_fixed_signature(demo_db, tiny):
    run("guide", "import", "@acmehelp", str(tiny), "--db", demo_db, *AS_LEA, input=LEA)
    result = run("guide", "show", "acmehelp", "--db", demo_db)
    assert result.exit_code == 0, result.output
    assert "language en, length 280, signature fixed (- the team)" in result.stdout
    assert "## How we sound\nShort and kind, never sorry twice." in result.stdout
    assert "[warning] no-sorry: say {suggestion}" in result.stdout
    assert "## Examples" not in result.stdout


@pytest.mark.parametrize("command", ["show", "versions"])
def test_guide_commands_on_an_unknown_alias_are_one_line(db, command):
    result = run("guide", command, "@ghost", "--db", db)
    assert_clean_error(result, 1)
    assert result.stderr == "cmconsole: there is no alias @ghost\n"


def test_the_new_commands_document_their_contract():
    help_text = " ".join(run("check", "--help").stdout.split())
    for words in ("weighted_length", "length_ok", "exit code is 2", "0 no draft", "--initials"):
        assert words in help_text
    for command in ("import", "show", "versions"):
        assert run("guide", command, "--help").exit_code == 0
