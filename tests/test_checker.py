"""The tone checker: every rule kind in French and English, length, signature, characters, fixes."""

from pathlib import Path

import pytest

from cmconsole.domain.checker import (
    RESERVED_INITIALS,
    CheckResult,
    Finding,
    apply_fix,
    check,
    published_text,
)
from cmconsole.domain.errors import InvalidInput
from cmconsole.domain.guide import PERSON_LANGUAGES, Guide, Severity, load_guide, parse_guide

GUIDES = Path(__file__).parent.parent / "config" / "guides"


def guide(language: str, rules: str, head: str = "") -> Guide:
    return parse_guide(f'language = "{language}"\n{head}\n{rules}', "test.toml")


def rule(kind: str, fields: str, severity: str = "warning", rule_id: str = "r") -> str:
    return f'[[rules]]\nid = "{rule_id}"\nkind = "{kind}"\nseverity = "{severity}"\n{fields}\n'


def spans(result: CheckResult, text: str, rule_id: str = "r") -> list[tuple[str, str | None]]:
    """What each finding of one rule covers, and its suggestion."""
    return [(text[f.start : f.end], f.suggestion) for f in result.findings if f.rule == rule_id]


# --- with no guide: what holds for every alias on X ---


def test_no_guide_plain_text():
    result = check("Merci pour votre message !", None)
    assert result == CheckResult([], 26, 26, 280, True, True)
    assert result.sendable


def test_no_guide_strips_what_is_not_published():
    result = check("  Bonjour à vous \n", None)
    assert (result.weighted_length, result.published_length) == (18, 14)


def test_no_guide_empty_draft():
    result = check("   ", None)
    assert (result.findings, result.length_ok, result.ok, result.sendable) == (
        [],
        False,
        True,
        False,
    )


def test_no_guide_over_length():
    text = "a" * 275 + " €€€€"  # 276 + 4 x 2 = 284: the third euro sign is the first past 280
    result = check(text, None)
    assert (result.weighted_length, result.published_length) == (284, 284)
    assert result.findings == [
        Finding("length", Severity.ERROR, 278, 280, "4 over the limit of 280", None)
    ]
    assert (result.length_ok, result.ok) == (False, False)


@pytest.mark.parametrize(
    "char",
    [
        *("\u202a", "\u202e", "\u2066", "\u2069"),  # bidi embedding, override, isolates
        *("\x00", "\x1b", "\r", "\x7f", "\x85", "\x9b"),  # C0, DEL, C1
        *("\u200b", "\u2060", "\ufeff", "\ufffe", "\uffff"),  # hidden or refused by X
    ],
)
def test_unsafe_characters(char):
    text = f"Bonjour{char} à vous"
    result = check(text, None)
    assert [(f.rule, f.severity, f.start, f.end, f.suggestion) for f in result.findings] == [
        ("unsafe-characters", Severity.ERROR, 7, 8, "")
    ]
    assert f"U+{ord(char):04X}" in result.findings[0].message
    assert result.ok is False
    assert apply_fix(text, result.findings[0]) == "Bonjour à vous"


@pytest.mark.parametrize(
    "text",
    [
        "Ligne un\nligne deux\tet une tabulation",
        "❤️\u200d🔥 et 👩\u200d👩\u200d👧",  # ZWJ inside emoji sequences
        "ශ්\u200dරී ලංකා",  # Sinhala: the ZWJ shapes the conjunct
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: the ZWNJ is spelling
        "Hélène \u2019 « guillemets »",
    ],
)
def test_characters_that_are_safe(text):
    assert check(text, None).findings == []


def test_a_stray_zero_width_joiner_is_unsafe():
    text = "ca\u200dsh et 👍\u200d"
    result = check(text, None)
    assert [(f.rule, f.start) for f in result.findings] == [
        ("unsafe-characters", 2),
        ("unsafe-characters", 10),
    ]


# --- forbidden ---


def test_forbidden_in_french():
    g = guide(
        "fr",
        rule("forbidden", 'terms = ["pas cher", "marché"]\nsuggestion = "à petit prix"'),
    )
    text = "Pas cher, PAS  CHER, pas chers, pas chercher, au marché, en marche, pas cher."
    assert spans(check(text, g), text) == [
        ("Pas cher", "À petit prix"),  # at the start of the text: capitalised
        ("PAS  CHER", "à petit prix"),  # any run of spaces
        ("marché", "à petit prix"),  # accents matter: "marche" is another word
        ("pas cher", "à petit prix"),
    ]


def test_forbidden_in_english_without_suggestion():
    g = guide("en", rule("forbidden", 'terms = ["calm down", "don\'t worry"]', "error"))
    text = "Please calm down. Don\u2019t worry, we're on it. Calmly down."
    result = check(text, g)
    assert spans(result, text) == [("calm down", None), ("Don\u2019t worry", None)]
    assert result.ok is False
    assert result.findings[0].message == "avoid “calm down”"


def test_forbidden_ignores_links_mentions_and_hashtags():
    g = guide("en", rule("forbidden", 'terms = ["cheap"]'))
    text = "See https://cheap.example.com/cheap and @cheap and #cheap, not cheap."
    assert [(f.start, f.end) for f in check(text, g).findings] == [(63, 68)]


# --- substitute ---


def test_substitute_in_french():
    g = guide(
        "fr",
        rule(
            "substitute", 'replace = { "produit" = "création", "désolé" = "navrés" }', "suggestion"
        ),
    )
    text = "Désolé, ce produit est épuisé."
    result = check(text, g)
    assert spans(result, text) == [("Désolé", "Navrés"), ("produit", "création")]
    assert result.findings[1].message == "say “création”, not “produit”"
    assert result.ok  # suggestions do not block


def test_substitute_in_english():
    g = guide(
        "en",
        rule(
            "substitute",
            'replace = { "kindly" = "please", "revert back" = "reply" }\n'
            'message = "We say {suggestion}, not {found}"',
        ),
    )
    text = "Kindly revert  back by DM."
    result = check(text, g)
    assert spans(result, text) == [("Kindly", "Please"), ("revert  back", "reply")]
    assert result.findings[1].message == "We say reply, not revert  back"
    assert apply_fix(text, result.findings[1]) == "Kindly reply by DM."


# --- pattern ---


def test_forbidden_pattern_in_french():
    g = guide(
        "fr",
        rule("pattern", 'mode = "forbidden"\npattern = "[!?]{2,}"\nsuggestion = "!"', "error"),
    )
    text = "Merci !!! Vraiment ?! Oui !"
    result = check(text, g)
    assert spans(result, text) == [("!!!", "!"), ("?!", "!")]
    assert apply_fix(text, result.findings[0]) == "Merci ! Vraiment ?! Oui !"


def test_forbidden_pattern_in_english_ignoring_case():
    g = guide(
        "en",
        rule(
            "pattern", 'mode = "forbidden"\nignore_case = true\npattern = "\\\\bcard number\\\\b"'
        ),
    )
    text = "Send your Card Number by DM, not the card numbers."
    assert spans(check(text, g), text) == [("Card Number", None)]


def test_a_pattern_is_case_sensitive_unless_told():
    g = guide("en", rule("pattern", 'mode = "forbidden"\npattern = "Acme"'))
    assert [f.start for f in check("Acme and ACME and acme", g).findings] == [0]


def test_required_pattern():
    g = guide(
        "fr",
        rule("pattern", 'mode = "required"\npattern = "#Soldes$"\nsuggestion = " #Soldes"'),
    )
    text = "Tout à -30 % cette semaine"
    result = check(text, g)
    assert [(f.start, f.end, f.suggestion) for f in result.findings] == [(26, 26, " #Soldes")]
    assert result.findings[0].message == "the guide asks for text matching #Soldes$"
    fixed = apply_fix(text, result.findings[0])
    assert fixed == "Tout à -30 % cette semaine #Soldes"
    assert check(fixed, g).findings == []


# --- limit ---


def test_limit_exclamations_in_french():
    g = guide("fr", rule("limit", 'counts = "exclamations"\nmax = 1'))
    text = "Merci ! Bravo !!"
    result = check(text, g)
    # The second and third marks are one too many; the third repeats the second, so it goes.
    assert spans(result, text) == [("!", None), ("!", "")]
    assert [f.start for f in result.findings] == [14, 15]
    assert result.findings[0].message == "3 exclamations: the guide allows at most 1"
    assert apply_fix(text, result.findings[1]) == "Merci ! Bravo !"


def test_limit_capitals_in_english():
    g = guide(
        "en",
        rule("limit", 'counts = "capitals"\nmax = 0\nmin_letters = 3\nallow = ["faq"]'),
    )
    text = "READ the FAQ, it is URGENT. OK? AX2 #SALE"
    # FAQ is allowed, OK is too short, AX2 is not a word of letters, #SALE is a hashtag.
    assert spans(check(text, g), text) == [("READ", "Read"), ("URGENT", "urgent")]


def test_limit_capitals_counts_accented_words():
    g = guide("fr", rule("limit", 'counts = "capitals"\nmax = 1'))
    text = "C'EST ÉNORME, VRAIMENT GÉNIAL"
    assert spans(check(text, g), text) == [("VRAIMENT", "vraiment"), ("GÉNIAL", "génial")]


def test_limit_emoji_counts_sequences():
    g = guide("fr", rule("limit", 'counts = "emoji"\nmax = 1'))
    text = "Merci ❤️\u200d🔥 et 👩\u200d👩\u200d👧 !"
    result = check(text, g)
    assert spans(result, text) == [("👩\u200d👩\u200d👧", "")]
    assert apply_fix(text, result.findings[0]) == "Merci ❤️\u200d🔥 et !"


def test_limit_hashtags_mentions_links_in_english():
    g = guide(
        "en",
        rule("limit", 'counts = "hashtags"\nmax = 1', rule_id="tags")
        + rule("limit", 'counts = "mentions"\nmax = 1', rule_id="people")
        + rule("limit", 'counts = "links"\nmax = 1', rule_id="links"),
    )
    text = "@ann @bob see acme.com and https://acme.com/help #one #two, mail help@acme.com #3"
    result = check(text, g)
    assert spans(result, text, "tags") == [("#two", "two")]  # "#3" is not a hashtag
    assert spans(result, text, "people") == [("@bob", None)]  # an e-mail is not a mention
    assert spans(result, text, "links") == [("https://acme.com/help", None)]


# --- person ---


def fr_person(fields: str = 'speaks_as = "nous"\naddresses = "vous"') -> Guide:
    return guide("fr", rule("person", fields, "error"))


def test_person_french_speaks_as_nous():
    text = "Je vous remercie. J'ai vu, il m'a dit : dis-moi, c'est mon gâteau, Mes amis, moi-même."
    assert spans(check(text, fr_person('speaks_as = "nous"')), text) == [
        ("Je", None),
        ("J'", None),
        ("m'", "nous "),
        ("moi", "nous"),
        ("mon", "notre"),
        ("Mes", "Nos"),
        ("moi-même", "nous-mêmes"),
    ]


def test_person_french_says_vous():
    text = "Tu peux, t'inquiète, je te le dis : ton colis, ta commande, tes photos, toi-même."
    assert spans(check(text, fr_person('addresses = "vous"')), text) == [
        ("Tu", None),
        ("t'", "vous "),
        ("te", "vous"),
        ("ton", "votre"),
        ("ta", "votre"),
        ("tes", "vos"),
        ("toi-même", "vous-même"),
    ]


def test_person_french_knows_what_is_not_tu():
    g = fr_person()
    # "le ton": the tone; "a-t-il": the euphonic t; "nous", "vous", "notre" are the voice.
    text = "Le ton est doux, a-t-il dit. Nous vous proposons notre tarte, votre tarte."
    assert check(text, g).findings == []


def test_person_french_fix_that_would_not_agree_is_none():
    text = "T'as vu ? Je t'envoie le lien."
    assert spans(check(text, fr_person('addresses = "vous"')), text) == [
        ("T'", None),  # "t'as" is "tu as": "vous as" would be wrong
        ("t'", "vous "),
    ]


def test_person_english_speaks_as_we():
    g = guide("en", rule("person", 'speaks_as = "we"', "error"))
    text = "I think my router is mine. I'm sure I\u2019ve told myself, I am. Thanks, i'll check."
    assert spans(check(text, g), text) == [
        ("I", "We"),
        ("my", "our"),
        ("mine", "ours"),
        ("I'm", "We're"),
        ("I\u2019ve", "we've"),
        ("myself", "ourselves"),
        ("I", None),  # "we am" would be wrong
        ("i'll", "we'll"),
    ]


def test_person_english_knows_roman_numerals_and_the_voice():
    g = guide("en", rule("person", 'speaks_as = "we"'))
    text = "Part I of the guide, World War I. We told us our plan: it's ours."
    assert check(text, g).findings == []


def test_person_message_placeholders():
    g = guide("fr", rule("person", 'addresses = "vous"\nmessage = "« {found} » : on vouvoie"'))
    assert check("Merci à toi", g).findings[0].message == "« toi » : on vouvoie"


def test_person_covers_every_supported_language():
    for language in PERSON_LANGUAGES:
        g = guide(language, rule("person", 'speaks_as = "we"'))
        first_person = {"fr": "je", "en": "I"}[language]
        assert len(check(f"{first_person} ok", g).findings) == 1


@pytest.mark.parametrize("language", ["fr", "en"])
def test_rules_that_share_what_the_draft_holds_each_answer_for_themselves(language):
    # Words, capitals and person words are found once per draft for all the rules that ask.
    rules = [
        rule("person", 'speaks_as = "we"', rule_id="we"),
        rule("limit", 'counts = "capitals"\nmax = 0', rule_id="caps"),
        rule(
            "limit", 'counts = "capitals"\nmax = 1\nmin_letters = 2\nallow = ["sav"]', "error", "c2"
        ),
        rule("forbidden", 'terms = ["merci"]', rule_id="merci"),
    ]
    if language == "fr":
        rules += [
            rule("person", 'addresses = "vous"', "error", "vous"),
            rule("person", 'speaks_as = "nous"\naddresses = "vous"', "suggestion", "both"),
        ]
    text = "Je te dis MERCI ! Le SAV de MON équipe t'écrit, I am OK : TOI et moi. #PROMO @MOI"
    together = check(text, guide(language, "".join(rules))).findings
    alone = [finding for r in rules for finding in check(text, guide(language, r)).findings]
    assert sorted(together, key=repr) == sorted(alone, key=repr)
    assert len({finding.rule for finding in together}) == len(rules)


# --- signature and length ---


def signed_guide(signature: str) -> Guide:
    return guide("fr", "", head=signature)


def test_signature_none():
    result = check("Merci !", signed_guide('[signature]\npolicy = "none"\n'), author_initials="AB")
    assert (result.weighted_length, result.published_length) == (7, 7)


def test_signature_initials():
    g = signed_guide('[signature]\npolicy = "initials"\n')
    result = check("Merci ! ", g, author_initials="AB")
    assert (result.weighted_length, result.published_length) == (8, len("Merci ! ^AB"))
    assert published_text("Merci ! ", g, "AB") == "Merci ! ^AB"


def test_signature_initials_unknown_author_reserves_room():
    result = check("Merci", signed_guide('[signature]\npolicy = "initials"\n'))
    assert result.published_length == len("Merci ^" + RESERVED_INITIALS) == 10


def test_signature_fixed():
    g = signed_guide('[signature]\npolicy = "fixed"\ntext = "— L\'équipe 🍐"\n')
    result = check("Merci", g)
    # "Merci — L'équipe " weighs 1 each (the dash is in U+2010 to U+201F), the pear 2.
    assert result.published_length == len("Merci — L'équipe ") + 2 == 19


def test_signature_pushes_a_draft_over_the_limit():
    g = signed_guide('[signature]\npolicy = "initials"\n')
    text = "a" * 278
    assert check(text, None).length_ok  # 278 fits on its own
    result = check(text, g, author_initials="AB")
    assert result.published_length == 282
    # " ^AB" takes 4, so the text may use 276: the last two characters are the overflow.
    assert result.findings == [
        Finding(
            "length", Severity.ERROR, 276, 278, "2 over the limit of 280 with the signature", None
        )
    ]


def test_the_overflow_leaves_out_what_is_not_published():
    text = "  " + "a" * 281 + "   "
    result = check(text, None)
    assert (result.weighted_length, result.published_length) == (286, 281)
    # The 281st letter is the one past the limit; the spaces around are not sent.
    assert [(f.rule, f.start, f.end) for f in result.findings] == [("length", 282, 283)]


def test_a_guide_with_a_shorter_limit():
    g = guide("en", "", head="length = 10")
    result = check("Thanks a lot", g)
    assert (result.limit, result.length_ok) == (10, False)
    assert [(f.rule, f.start, f.end) for f in result.findings] == [("length", 10, 12)]


# --- fixes, spans, example guides, speed ---


def test_apply_fix_without_suggestion_refuses():
    finding = Finding("r", Severity.ERROR, 0, 2, "no", None)
    with pytest.raises(InvalidInput, match="no fix to apply"):
        apply_fix("Je pense", finding)


def test_apply_fix_on_a_changed_text_refuses():
    finding = Finding("r", Severity.ERROR, 5, 12, "no", "x")
    with pytest.raises(InvalidInput, match="changed since it was checked"):
        apply_fix("short", finding)


def test_spans_index_the_text_as_given_even_when_decomposed():
    g = guide("fr", rule("forbidden", 'terms = ["pas cher", "café"]'))
    text = "Cafe\u0301 pas cher"  # "é" typed as e + combining acute: NFC shortens the text
    result = check(text, g)
    assert [(f.start, f.end) for f in result.findings] == [(0, 5), (6, 14)]
    assert [text[f.start : f.end] for f in result.findings] == ["Cafe\u0301", "pas cher"]


def test_findings_come_in_text_order():
    g = guide(
        "fr",
        rule("forbidden", 'terms = ["pas cher"]', rule_id="b")
        + rule("person", 'addresses = "vous"', "error", rule_id="a"),
    )
    text = "pas cher pour toi"
    assert [f.rule for f in check(text, g).findings] == ["b", "a"]


def test_bellehelene_drafts():
    g = load_guide(GUIDES / "bellehelene.toml")
    text = "Merci !!! Je te garde une part, nos produits sont pas chers. Tu as une allergie ? 🍐🍫"
    result = check(text, g)
    assert [(f.rule, text[f.start : f.end], f.suggestion) for f in result.findings] == [
        ("pas-de-cris", "!!!", "!"),
        ("exclamations", "!", ""),
        ("nous-et-vous", "Je", None),
        ("nous-et-vous", "te", "vous"),
        ("vocabulaire", "produits", "créations"),
        ("pas-cher", "pas chers", "à petit prix"),
        ("nous-et-vous", "Tu", None),
        ("allergies-en-prive", "allergie", None),
        ("un-emoji", "🍫", ""),
    ]
    assert result.ok is False
    good = "Merci ! Nous vous gardons une part, nos créations sont à petit prix 🍐"
    assert check(good, g).findings == []


def test_acmehelp_drafts():
    g = load_guide(GUIDES / "acmehelp.toml")
    text = "I'll fix it ASAP!! Send your password by DM."
    result = check(text, g, author_initials="JD")
    assert [(f.rule, text[f.start : f.end], f.suggestion) for f in result.findings] == [
        ("we-not-i", "I'll", "We'll"),
        ("no-asap", "ASAP", "as soon as we can"),
        ("no-shouting", "ASAP", "asap"),
        ("one-exclamation", "!", ""),
        ("no-secrets-in-public", "password", None),
    ]
    assert result.published_length == len(text) + len(" ^JD")
    good = "We'll look at it today and come back to you by 5 pm. Thanks for your patience."
    assert check(good, g, author_initials="JD").findings == []


@pytest.mark.parametrize("name", ["bellehelene.toml", "acmehelp.toml"])
def test_golden_examples_pass_their_own_guide(name):
    g = load_guide(GUIDES / name)
    for example in g.examples:
        result = check(example.reply, g, author_initials="AB")
        assert (result.findings, result.sendable) == ([], True), example.reply


# --- patterns run on RE2: linear time, Python's Unicode meaning of \w, \d, \s and \b ---


def _pattern_guide(pattern: str, *, ignore_case: bool = False, language: str = "fr") -> Guide:
    toml_pattern = pattern.replace("\\", "\\\\")
    case = "ignore_case = true\n" if ignore_case else ""
    return guide(
        language, rule("pattern", f'mode = "forbidden"\n{case}pattern = "{toml_pattern}"', "error")
    )


def test_a_hostile_pattern_checks_a_long_draft_promptly():
    """`(a+)+$` backtracks for ever on Python's `re`; the check runs in a child process with a
    generous deadline, so this test fails (instead of hanging) if it ever backtracks again."""
    import subprocess
    import sys

    script = (
        "from cmconsole.domain.checker import check\n"
        "from cmconsole.domain.guide import parse_guide\n"
        'g = parse_guide(\'[[rules]]\\nid = "r"\\nkind = "pattern"\\nseverity = "error"\\n'
        'mode = "forbidden"\\npattern = "(a+)+$"\\n\', \'hostile.toml\')\n'
        "r = check('a' * 4999 + '!', g)\n"
        "print(len([f for f in r.findings if f.rule == 'r']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"


def test_a_hostile_pattern_that_matches_reports_the_whole_run():
    text = "a" * 5000
    result = check(text, _pattern_guide("(a+)+$"))
    assert [(f.start, f.end) for f in result.findings if f.rule == "r"] == [(0, 5000)]


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        # \b around accented words: RE2's own \b is ASCII and sees no boundary next to "é".
        ("\\bété\\b", "Un bel été, un été indien, pas étété", ["été", "été"]),
        ("\\bcafé\\b", "un café noir, des cafés", ["café"]),
        ("\\ballergène\\w*", "Nos allergènes sont listés", ["allergènes"]),
        ("\\w+é\\b", "Il a mangé, il a bu", ["mangé"]),
        ("\\bça\\b", "ça va ? Deçà, çà et là", ["ça"]),
        ("\\Bé\\b", "passé é", ["é"]),
        ("\\d+", "٣ ou 3 fois", ["٣", "3"]),
        ("\\s{2,}", "deux\u00a0\u00a0espaces", ["\u00a0\u00a0"]),
        ("[\\w-]+@", "zoé-12@exemple", ["zoé-12@"]),
        ("\\u00e9t\\u00e9", "été", ["été"]),
        ("\\bsans gluten\\Z", "Plat sans gluten", ["sans gluten"]),
    ],
)
def test_patterns_keep_pythons_unicode_meaning(pattern, text, found):
    result = check(text, _pattern_guide(pattern))
    assert [text[f.start : f.end] for f in result.findings if f.rule == "r"] == found


def test_ignore_case_folds_accented_capitals():
    g = _pattern_guide("\\bété\\b", ignore_case=True)
    text = "ÉTÉ comme Été"
    assert [text[f.start : f.end] for f in check(text, g).findings] == ["ÉTÉ", "Été"]


def test_the_shipped_guides_patterns_find_accented_words():
    belle = load_guide(GUIDES / "bellehelene.toml")
    text = "Nos desserts contiennent des allergènes, svp"
    rules = {f.rule for f in check(text, belle).findings}
    found = [text[f.start : f.end] for f in check(text, belle).findings]
    assert "allergènes" in found and "svp" in found, (rules, found)
