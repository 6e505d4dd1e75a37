"""The guide format: the example guides parse, and a malformed guide says file, line and problem."""

from pathlib import Path

import pytest

from cmconsole.domain.errors import InvalidInput
from cmconsole.domain.guide import (
    Countable,
    GuideError,
    LimitRule,
    PatternRule,
    PersonRule,
    RuleKind,
    Severity,
    Signature,
    WordRule,
    load_guide,
    parse_guide,
    word_key,
)
from cmconsole.domain.model import SignatureKind

GUIDES = Path(__file__).parent.parent / "config" / "guides"


def test_a_minimal_guide_takes_the_defaults():
    guide = parse_guide("", "empty.toml")
    assert guide.origin == "empty.toml"
    assert (guide.name, guide.language, guide.length) == ("", "", 280)
    assert guide.signature == Signature(SignatureKind.NONE, "")
    assert (dict(guide.prose), guide.examples, guide.rules) == ({}, (), ())


def test_the_french_example_guide():
    path = GUIDES / "bellehelene.toml"
    guide = load_guide(path)
    assert guide.source == path.read_text(encoding="utf-8")
    assert guide.origin == str(path)
    assert (guide.name, guide.language, guide.length) == ("Belle Hélène", "fr", 280)
    assert guide.signature.policy is SignatureKind.NONE
    assert list(guide.prose) == [
        "Qui nous sommes",
        "Comment nous parlons",
        "Ce que nous ne faisons jamais",
        "Quand ça chauffe",
    ]
    assert "vouvoyons" in guide.prose["Comment nous parlons"]
    assert len(guide.examples) == 4
    assert guide.examples[0].context.startswith("@marie_lyon")
    kinds = {rule.kind for rule in guide.rules}
    assert kinds == set(RuleKind)
    person = next(rule for rule in guide.rules if isinstance(rule, PersonRule))
    assert (person.language, person.speaks_as_we, person.says_vous) == ("fr", True, True)


def test_the_english_example_guide():
    guide = load_guide(GUIDES / "acmehelp.toml")
    assert (guide.name, guide.language) == ("Acme Support", "en")
    assert guide.signature == Signature(SignatureKind.INITIALS, "")
    assert list(guide.prose) == [
        "Who we are",
        "How we sound",
        "What we never do",
        "When it gets hot",
    ]
    assert len(guide.examples) == 3
    assert {rule.kind for rule in guide.rules} == set(RuleKind)
    limits = {rule.counts: rule.max for rule in guide.rules if isinstance(rule, LimitRule)}
    assert limits == {
        Countable.EXCLAMATIONS: 1,
        Countable.CAPITALS: 0,
        Countable.HASHTAGS: 0,
        Countable.LINKS: 1,
        Countable.EMOJI: 1,
    }


@pytest.mark.parametrize("name", ["bellehelene.toml", "acmehelp.toml"])
def test_each_rule_knows_its_line(name):
    guide = load_guide(GUIDES / name)
    lines = guide.source.splitlines()
    for rule in guide.rules:
        assert rule.line is not None
        assert lines[rule.line - 1] == f'id = "{rule.id}"'


def test_rules_are_compiled_when_parsed():
    guide = parse_guide(
        """
language = "fr"

[[rules]]
id = "prix"
kind = "forbidden"
severity = "warning"
terms = ["pas cher", "aujourd'hui"]
suggestion = "petit prix"

[[rules]]
id = "mots"
kind = "substitute"
severity = "suggestion"
replace = { "Produit" = "création" }

[[rules]]
id = "cris"
kind = "pattern"
severity = "error"
mode = "forbidden"
pattern = "!{2,}"
ignore_case = true

[[rules]]
id = "caps"
kind = "limit"
severity = "warning"
counts = "capitals"
max = 0
allow = ["sav"]
""",
        "t.toml",
    )
    prix, mots, cris, caps = guide.rules
    assert isinstance(prix, WordRule) and isinstance(mots, WordRule)
    assert prix.words.search("c'est PAS   CHER") is not None
    assert prix.words.search("aujourd\u2019hui") is not None  # either apostrophe
    assert prix.words.search("pas chercher") is None  # whole words only
    assert dict(prix.suggestions) == {"pas cher": "petit prix", "aujourd'hui": "petit prix"}
    assert dict(mots.suggestions) == {"produit": "création"}
    assert isinstance(cris, PatternRule)
    assert (cris.required, cris.regex.ignore_case, cris.severity) == (False, True, Severity.ERROR)
    assert isinstance(caps, LimitRule)
    assert (caps.min_letters, caps.allow) == (4, frozenset({"SAV"}))
    assert prix.message == "avoid “{found}”"  # the default, with its placeholder


def test_signature_policies():
    assert Signature().suffix("AB") == ""
    assert Signature(SignatureKind.INITIALS).suffix("AB") == " ^AB"
    fixed = Signature(SignatureKind.FIXED, "— L'équipe")
    assert fixed.suffix("AB") == " — L'équipe"
    assert fixed.sign("  Merci !  ", "AB") == "Merci ! — L'équipe"
    assert Signature(SignatureKind.INITIALS).sign("Thanks ", "CD") == "Thanks ^CD"


def test_signature_from_toml():
    guide = parse_guide('[signature]\npolicy = "fixed"\ntext = "— L\'équipe"\n', "t.toml")
    assert guide.signature == Signature(SignatureKind.FIXED, "— L'équipe")


def test_word_key():
    assert word_key("  Pas   CHER ") == "pas cher"
    assert word_key("Aujourd\u2019hui") == "aujourd'hui"


_RULE = '[[rules]]\nid = "r"\nkind = "forbidden"\nseverity = "warning"\nterms = ["x"]\n'

# (source, line the error must name, words the problem must contain)
MALFORMED = [
    ('name = "x"\nlanguage = \n', 2, "not valid TOML"),
    ('name = "x"\n[prose\n', 2, "not valid TOML"),
    ("length = 0\n", 1, "'length' must be between 1 and 100000"),
    ('length = "280"\n', 1, "'length' must be a whole number"),
    ('nmae = "x"\n', 1, "unknown field 'nmae'"),
    ('\n[signature]\npolicy = "stamp"\n', 3, "policy 'stamp' is not fixed, initials or none"),
    ('[signature]\npolicy = "fixed"\n', 2, "a fixed signature needs its 'text'"),
    ('[signature]\npolicy = "initials"\ntext = "x"\n', 3, "'text' is only for a fixed signature"),
    ('[prose]\nwho = "a"\nhow = 3\n', 3, "[prose]: 'how' must be text"),
    ('[[examples]]\ncontext = "a"\n', 1, "example #1: missing 'reply'"),
    ('[[examples]]\ncontext = "a"\nreply = "b"\nrepyl = "c"\n', 4, "unknown field 'repyl'"),
    ('[[rules]]\nkind = "forbidden"\nseverity = "error"\n', 1, "rule #1: missing 'id'"),
    ('[[rules]]\nid = ""\nkind = "forbidden"\n', 1, "rule #1: missing 'id'"),
    (_RULE + _RULE, 7, "rule 'r': duplicate id (first used on line 2)"),
    ('[[rules]]\nid = "length"\nkind = "limit"\n', 2, "reserved for the checker"),
    ('[[rules]]\nid = "r"\nseverity = "error"\n', 2, "rule 'r': missing 'kind'"),
    ('[[rules]]\nid = "r"\nkind = "forbiden"\nseverity = "error"\n', 3, "unknown kind 'forbiden'"),
    ('[[rules]]\nid = "r"\nkind = "forbidden"\n', 2, "rule 'r': missing 'severity'"),
    ('[[rules]]\nid = "r"\nkind = "forbidden"\nseverity = "fatal"\n', 4, "severity 'fatal' is not"),
    (
        '[[rules]]\nid = "r"\nkind = "forbidden"\nseverity = "error"\n',
        2,
        "rule 'r': missing 'terms'",
    ),
    (_RULE + "terms2 = []\n", 6, "rule 'r': unknown field 'terms2'"),
    (_RULE.replace('["x"]', "[]"), 5, "'terms' must be a list of words"),
    (_RULE.replace('["x"]', '"x"'), 5, "'terms' must be a list"),
    (_RULE + "message = 3\n", 6, "'message' must be text"),
    (
        '[[rules]]\nid = "r"\nkind = "substitute"\nseverity = "error"\nreplace = {}\n',
        5,
        "'replace' must map each word",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "pattern"\nseverity = "error"\nmode = "forbidden"\n'
        'pattern = "(unclosed"\n',
        6,
        "rule 'r': invalid regular expression: missing ), unterminated subpattern",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "pattern"\nseverity = "error"\npattern = "x"\nmode = "must"\n',
        6,
        "'mode' must be forbidden or required",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "pattern"\nseverity = "error"\npattern = "x"\n',
        2,
        "rule 'r': missing 'mode'",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "limit"\nseverity = "error"\ncounts = "smileys"\nmax = 1\n',
        5,
        "cannot count 'smileys'",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "limit"\nseverity = "error"\ncounts = "emoji"\nmax = -1\n',
        6,
        "'max' must be 0 or more",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "limit"\nseverity = "error"\ncounts = "emoji"\nmax = "1"\n',
        6,
        "'max' must be a whole number",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "limit"\nseverity = "error"\ncounts = "emoji"\nmax = 1\n'
        "min_letters = 3\n",
        7,
        "'min_letters' is only for counting capitals",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "person"\nseverity = "error"\nspeaks_as = "we"\n',
        2,
        "no language: set 'language' here or at the top",
    ),
    (
        'language = "de"\n[[rules]]\nid = "r"\nkind = "person"\nseverity = "error"\n'
        'speaks_as = "we"\n',
        3,
        "language 'de' is not supported",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "person"\nseverity = "error"\nlanguage = "en"\n'
        'addresses = "vous"\n',
        6,
        "'addresses' is for French (tu or vous)",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "person"\nseverity = "error"\nlanguage = "fr"\n'
        'addresses = "tu"\n',
        6,
        "'addresses' can only be vous, not 'tu'",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "person"\nseverity = "error"\nlanguage = "fr"\n'
        'speaks_as = "je"\n',
        6,
        "'speaks_as' can only be we",
    ),
    (
        '[[rules]]\nid = "r"\nkind = "person"\nseverity = "error"\nlanguage = "fr"\n',
        2,
        "give 'speaks_as' (we), 'addresses' (vous) or both",
    ),
    # Rules written inline: the line of the rule's id, else of the array.
    (
        'name = "x"\nrules = [\n'
        '  { id = "a", kind = "forbidden", severity = "error", terms = ["x"] },\n'
        '  { id = "b", kind = "bogus", severity = "error" },\n]\n',
        4,
        "rule 'b': unknown kind 'bogus'",
    ),
    ('name = "x"\nrules = ["not a table"]\n', 2, "rule #1: must be a table"),
]


@pytest.mark.parametrize(("source", "line", "problem"), MALFORMED)
def test_a_malformed_guide_names_file_line_and_problem(source, line, problem):
    with pytest.raises(GuideError) as raised:
        parse_guide(source, "voice/alias.toml")
    error = raised.value
    assert isinstance(error, InvalidInput)
    assert (error.origin, error.line) == ("voice/alias.toml", line)
    assert str(error).startswith(f"voice/alias.toml, line {line}: ")
    assert problem in str(error)


def test_a_toml_error_keeps_tomllib_position():
    with pytest.raises(GuideError) as raised:
        parse_guide('name = "x"\nlanguage = \n', "a.toml")
    assert "(at line 2, column 12)" in str(raised.value)


def test_a_missing_file(tmp_path):
    path = tmp_path / "nobody.toml"
    with pytest.raises(GuideError) as raised:
        load_guide(path)
    assert str(raised.value).startswith(f"{path}: cannot read the guide")
    assert raised.value.line is None


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "Hélène"\n'.encode("latin-1"))
    with pytest.raises(GuideError, match="cannot read the guide"):
        load_guide(path)


def test_a_guide_file_with_an_error_names_the_file(tmp_path):
    path = tmp_path / "bellehelene.toml"
    path.write_text('language = "fr"\n\n[[rules]]\nid = "x"\nkind = "nope"\n', encoding="utf-8")
    with pytest.raises(GuideError) as raised:
        load_guide(path)
    assert str(raised.value).startswith(f"{path}, line 5: rule 'x': unknown kind 'nope'")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a)\\\\1", "\\1 is a backreference, which RE2 cannot do"),
        ("(?P<x>a)(?P=x)", "(?P=name) is a backreference"),
        ("merci(?! beaucoup)", "lookaround (?!...) is not supported"),
        ("(?<=@)\\\\w+", "lookaround (?<=...) is not supported"),
        ("(?>a+)b", "atomic groups (?>...) are not supported"),
        ("a++", "RE2 cannot run it"),
        ("[\\\\W]", "\\W inside [...] is not supported"),
        # RE2 bounds a pattern's size too: no pattern can take the memory instead of the time.
        ("(x{1000}){1000}", "invalid repetition size"),
        ("[\\\\w]{1000}", "pattern too large"),
    ],
)
def test_a_pattern_re2_cannot_run_is_refused_with_file_line_and_reason(pattern, reason):
    source = (
        'name = "x"\n\n[[rules]]\nid = "r"\nkind = "pattern"\nseverity = "error"\n'
        f'mode = "forbidden"\npattern = "{pattern}"\n'
    )
    with pytest.raises(GuideError) as refused:
        parse_guide(source, "hostile.toml")
    message = str(refused.value)
    assert message.startswith("hostile.toml, line 8: rule 'r': "), message
    assert reason in message
    assert "linear" in message
