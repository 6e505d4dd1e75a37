"""X's weighted length: twitter-text's conformance cases, and the characters operators type."""

import random
import unicodedata
from pathlib import Path

import emoji
import pytest
import yaml

from cmconsole.domain import emoji_runs
from cmconsole.domain.weighted_length import (
    LIMIT,
    emoji_spans,
    measure,
    url_spans,
    weighted_length,
)

_FILE = Path(__file__).parent / "data" / "twitter-text-validate.yml"
_TESTS = yaml.safe_load(_FILE.read_text(encoding="utf-8"))["tests"]

# Run in full: WeightedTweetsWithDiscountedEmojiCounterTest (config v3, emoji sequences count 2:
# what X counts today) and UnicodeDirectionalMarkerCounterTest (the same under every config).
# WeightedTweetsCounterTest is config v2, without the emoji discount: only its cases without
# emoji run, where v2 and v3 agree (two of them, NFC of "Á" and of a Hebrew presentation form,
# are in no other section). Its four cases with emoji are deliberately not run: three expect
# v2 counts (a family emoji as 11), the fourth is repeated in the v3 section.
# Not run: tweets (the 140-character isValidTweetText), usernames, lists, hashtags, urls and
# urls_without_protocol: they test other validators and extractors, not the length.
_V2_WITHOUT_EMOJI = [
    case for case in _TESTS["WeightedTweetsCounterTest"] if not emoji.emoji_list(case["text"])
]
_CASES = (
    _TESTS["WeightedTweetsWithDiscountedEmojiCounterTest"]
    + _TESTS["UnicodeDirectionalMarkerCounterTest"]
    + _V2_WITHOUT_EMOJI
)


def test_the_conformance_file_is_the_one_described():
    assert len(_TESTS["WeightedTweetsWithDiscountedEmojiCounterTest"]) == 22
    assert len(_TESTS["UnicodeDirectionalMarkerCounterTest"]) == 2
    assert len(_V2_WITHOUT_EMOJI) == 16


@pytest.mark.parametrize("case", _CASES, ids=[case["description"][:70] for case in _CASES])
def test_conformance(case):
    expected = case["expected"]
    result = measure(case["text"])
    assert result.weighted_length == expected["weightedLength"]
    assert result.valid is expected["valid"]
    if expected["weightedLength"] > LIMIT:
        # validRangeEnd is the last UTF-16 unit that fits; overflow_at is the first str index
        # that does not.
        assert result.overflow_at is not None
        fitting = case["text"][: result.overflow_at]
        assert len(fitting.encode("utf-16-le")) // 2 - 1 == expected["validRangeEnd"]
    else:
        assert result.overflow_at is None


@pytest.mark.parametrize(
    "sequence",
    [
        "❤️\u200d🔥",  # heart on fire, Emoji 13.1 (2020)
        "👩\u200d👩\u200d👧",  # family: woman, woman, girl
        "🧑\u200d🧑\u200d🧒",  # family: adult, adult, child, Emoji 15.1 (2023)
        "🐦\u200d🔥",  # phoenix, Emoji 15.1
        "🙂\u200d↔️",  # head shaking horizontally, Emoji 15.1
        "👍🏽",  # skin tone
        "🇫🇷",  # flag
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland, tag sequence
        "1️⃣",  # keycap
        "©️",  # copyright with emoji presentation
    ],
)
def test_an_emoji_sequence_counts_two(sequence):
    assert len(sequence) > 1
    assert weighted_length(sequence) == 2
    assert weighted_length(f"a{sequence}b") == 4
    assert emoji_spans(f"a{sequence}b") == [(1, 1 + len(sequence))]


def test_every_emoji_the_emoji_package_knows_counts_two():
    light = {"©", "®"}  # bare, without U+FE0F, they are text and weigh 1 (U+00A9, U+00AE)
    wrong = [e for e in emoji.EMOJI_DATA if e not in light and weighted_length(e) != 2]
    assert wrong == []
    assert [weighted_length(e) for e in sorted(light)] == [1, 1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u2019", 1),  # right single quotation mark, within U+2010 to U+201F
        ("—", 1),  # U+2014
        ("“«»”", 4),  # U+201C, U+00AB, U+00BB, U+201D
        ("…", 2),  # U+2026, outside the light ranges
        ("€", 2),  # U+20AC
        ("日本", 4),
        ("Hélène", 6),
        ("\u2032\u2037\u2038", 4),  # primes: two light, then U+2038 heavy
        ("e\u0301", 1),  # NFC makes one character of it
    ],
)
def test_character_weights(text, expected):
    assert weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("https://bellehelene.fr/tartes/poire-belle-helene-et-chocolat-noir", 1),
        ("http://test.co", 1),
        ("www.bellehelene.fr", 1),
        ("example.com", 1),
        ("bellehelene.fr/boutique", 1),
        ("example.co", 1),  # .co and .tv count without a path
    ],
)
def test_a_url_counts_23(text, links):
    assert url_spans(text) == [(0, len(text))]
    assert weighted_length(text) == 23 * links
    assert weighted_length(f"Voir {text} !") == 5 + 23 + 2


@pytest.mark.parametrize(
    "text",
    [
        "bellehelene.fr",  # a country TLD without scheme or path is text to X
        "file.py",
        "e.g. this",
        "3.14 et 2.50",
        "contact@bellehelene.com",  # an e-mail address
        "example.nosuchtld",
        "https://example.nosuchtld/page",
    ],
)
def test_not_a_url(text):
    assert url_spans(text) == []
    assert weighted_length(text) == len(text)


def test_url_edges():
    text = "Voir https://bellehelene.fr/tartes?taille=6. Merci"
    assert [text[a:b] for a, b in url_spans(text)] == ["https://bellehelene.fr/tartes?taille=6"]
    text = "看看example.com看看"
    assert [text[a:b] for a, b in url_spans(text)] == ["example.com"]
    text = "https://t.co/abc123/extra"
    assert [text[a:b] for a, b in url_spans(text)] == ["https://t.co/abc123"]
    assert weighted_length(text) == 23 + len("/extra")


def test_limit_and_overflow_offset():
    fits = measure("a" * 280)
    assert (fits.weighted_length, fits.valid, fits.overflow_at) == (280, True, None)
    over = measure("a" * 282)
    assert (over.weighted_length, over.valid, over.overflow_at) == (282, False, 280)
    emoji_last = measure("a" * 279 + "😀")  # the emoji is what does not fit
    assert (emoji_last.weighted_length, emoji_last.overflow_at) == (281, 279)
    url_last = measure("a" * 260 + " https://example.com/x")
    assert (url_last.weighted_length, url_last.overflow_at) == (284, 261)


def test_overflow_offset_indexes_the_text_as_given():
    decomposed = "e\u0301" * 281  # 562 code points, 281 once normalised
    result = measure(decomposed)
    assert result.weighted_length == 281
    assert result.overflow_at == 560
    assert measure("\ufb2c" * 3).weighted_length == 9  # each decomposes into three light letters


def test_a_smaller_limit():
    result = measure("Merci beaucoup", limit=5)
    assert (result.weighted_length, result.valid, result.overflow_at) == (14, False, 5)


def test_validity():
    assert measure("").valid is False
    assert measure("ok").valid is True
    assert measure("ok\ufffe").valid is False
    assert (
        measure("ok\u202e").valid is True
    )  # twitter-text accepts bidi controls; the checker won't


# --- the shortcuts agree with the long way round ---

# Characters the emoji tokenizer treats specially, one by one: ZWJ, variation selectors, the
# keycap mark, regional indicators, a skin tone, a hair component, tag characters, bases.
_PARTS = list("\u200d\ufe0e\ufe0f\u20e3🇫🇷🇺🏽🦰🏴\U000e0067\U000e007f👩❤🔥☺#*1©®™‼")
_PLAIN = [*"a Z.é\u2019日\u0301-/:", "https://bellehelene.fr/tartes", "www.ex.com", "€€"]
_SEQUENCES = [
    "👩\u200d👩\u200d👧",  # ZWJ, RGI
    "👩\u200d🦰\u200d👩",  # ZWJ, not RGI
    "👍🏽\u200d🔥",
    "🇫🇷🇺",  # a flag and a spare indicator
    "1️⃣",
    "#⃣",  # keycap without the variation selector
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "❤️\u200d🔥",
]


def _texts(seed: int, count: int) -> list[str]:
    """Random drafts mixing plain text, URLs, whole emoji and loose parts of emoji."""
    rng = random.Random(seed)
    known = list(emoji.EMOJI_DATA)
    pools = [_PARTS, _PLAIN, _SEQUENCES, known]
    return [
        "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 14)))
        for _ in range(count)
    ]


def test_no_emoji_is_all_ascii():
    # emoji_runs skips stretches of digits, '#' and '*' on this ground.
    assert [e for e in emoji.EMOJI_DATA if e.isascii()] == []


def test_emoji_found_stretch_by_stretch_are_those_of_the_whole_text():
    for text in _texts(1, 10_000):
        whole = [(m["match_start"], m["match_end"], m["emoji"]) for m in emoji.emoji_list(text)]
        assert emoji_runs.emoji_list(text) == whole, ascii(text)


def _measured_character_by_character(text: str, limit: int) -> tuple[int, int | None]:
    """Weighted length and overflow, one character or entity at a time."""
    urls = url_spans(text)
    emojis = [e for e in emoji_spans(text) if not any(a <= e[0] < b for a, b in urls)]
    entities = {start: (end, 23) for start, end in urls}
    entities.update((start, (end, 2)) for start, end in emojis)
    total, overflow, i = 0, None, 0
    while i < len(text):
        end, weight = entities.get(i) or (i + 1, weighted_length(text[i]))
        total += weight
        if overflow is None and total > limit:
            overflow = i
        i = end
    return total, overflow


def test_measure_by_stretches_agrees_with_measure_character_by_character():
    rng = random.Random(2)
    for text in _texts(3, 1000):
        text = unicodedata.normalize("NFC", text * rng.randint(1, 4))
        for limit in (1, rng.randint(1, 60), 280):
            result = measure(text, limit)
            expected = _measured_character_by_character(text, limit)
            assert (result.weighted_length, result.overflow_at) == expected, (ascii(text), limit)
