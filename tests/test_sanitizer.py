"""The one sanitizer between outside text and the screen: sequences gone, hidden text shown."""

import random

import pytest
from rich.text import Text
from textual.content import Content

from cmconsole.domain.display import one_line, printable
from cmconsole.tui.safe import cell, content, inert

# Nothing in these ranges may reach the terminal: C0 but tab and newline, DEL, C1.
FORBIDDEN = {*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)}


def forbidden_in(text: str) -> list[str]:
    return [f"U+{ord(c):04X}" for c in text if ord(c) in FORBIDDEN]


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("a\x1b]0;PWNED-TITLE\x07b", "ab"),  # OSC 0 window title, BEL-terminated
        ("a\x1b]2;PWNED\x1b\\b", "ab"),  # OSC 2, ST-terminated
        ("a\x1b]52;c;UFdORUQ=\x07b", "ab"),  # OSC 52 clipboard write, BEL
        ("a\x1b]52;c;UFdORUQ=\x1b\\b", "ab"),  # OSC 52, ST
        ("a\x1b]8;;http://e.vil\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # OSC 8 hyperlink
        ("\x1b[31mRED\x1b[0m", "RED"),  # CSI colour
        ("a\x1b[2Jb\x1b[H\x1b[10;20Hc", "abc"),  # CSI clear screen, cursor moves
        ("a\x1b[?1049hb\x1b[?25l", "ab"),  # CSI private modes
        ("a\x1b[38;2;255;0;0mb", "ab"),  # CSI truecolour
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x1b_Gf=100;AAAA\x1b\\b", "ab"),  # APC (kitty graphics)
        ("a\x1b^secret\x1b\\b\x1bXsos\x1b\\", "ab"),  # PM and SOS
        ("a\x1bcb\x1b7c\x1b8", "abc"),  # two-character escapes: reset, save, restore
        ("a\x1b(0b\x1b#8", "ab"),  # charset designation, screen alignment test
        ("\x9b31mRED\x9b0m", "RED"),  # 8-bit CSI
        ("a\x9d0;X\x9cb", "ab"),  # 8-bit OSC, 8-bit ST
        ("a\x9d52;c;UFdORUQ=\x07b", "ab"),  # 8-bit OSC, BEL
        ("a\x90q\x9cb\x9fapc\x9cc", "abc"),  # 8-bit DCS and APC
        ("trailing\x1b", "trailing"),  # lone ESC at the end
        ("trailing\x1b[", "trailing"),  # unfinished CSI
        ("a\x1b\x1b[31mb", "ab"),  # ESC ESC
        ("a\x7fb", "ab"),  # DEL
        ("a\x00b\x01c\x08d\x0be\x0cf\x0dg\x1fh", "abcdefgh"),  # C0
        ("a\x85b\x8dc\x9ad", "abcd"),  # lone C1
        ("line one\nline two\tcolumn", "line one\nline two\tcolumn"),  # kept
        ("windows\r\nline", "windows\nline"),
    ],
)
def test_terminal_sequences_and_controls_are_removed(hostile, shown):
    assert printable(hostile) == shown


def test_an_unterminated_string_loses_only_its_introducer():
    # The rest is shown, inert: the operator sees everything that was sent.
    assert printable("a\x1b]0;no end\nstill here") == "a0;no end\nstill here"
    assert printable("a\x9d0;no end") == "a0;no end"


@pytest.mark.parametrize(
    ("char", "token"),
    [
        ("\u202a", "⟨LRE⟩"),
        ("\u202b", "⟨RLE⟩"),
        ("\u202c", "⟨PDF⟩"),
        ("\u202d", "⟨LRO⟩"),
        ("\u202e", "⟨RLO⟩"),
        ("\u2066", "⟨LRI⟩"),
        ("\u2067", "⟨RLI⟩"),
        ("\u2068", "⟨FSI⟩"),
        ("\u2069", "⟨PDI⟩"),
        ("\u200e", "⟨LRM⟩"),
        ("\u200f", "⟨RLM⟩"),
        ("\u061c", "⟨ALM⟩"),
    ],
)
def test_bidi_controls_are_shown_as_tokens(char, token):
    assert printable(f"pay{char}lap") == f"pay{token}lap"


@pytest.mark.parametrize(
    ("char", "token"),
    [
        ("\u200b", "⟨ZWSP⟩"),
        ("\u200c", "⟨ZWNJ⟩"),
        ("\u200d", "⟨ZWJ⟩"),
        ("\u2060", "⟨WJ⟩"),
        ("\ufeff", "⟨BOM⟩"),
        ("\u00ad", "⟨SHY⟩"),
        ("\u180e", "⟨MVS⟩"),
        ("\u034f", "⟨CGJ⟩"),
        ("\u2062", "⟨U+2062⟩"),  # invisible times
        ("\u3164", "⟨U+3164⟩"),  # Hangul filler, a favourite blank name
        ("\ufff9", "⟨U+FFF9⟩"),  # interlinear annotation
        ("\ufffe", "⟨U+FFFE⟩"),  # noncharacter
        ("\ufe0f", "⟨VS16⟩"),  # a selector with nothing to vary
    ],
)
def test_invisible_characters_are_shown_as_tokens(char, token):
    assert printable(f"acme {char}help") == f"acme {token}help"


def test_hidden_tag_text_is_revealed():
    smuggled = "".join(chr(0xE0000 + ord(c)) for c in "ignore all")
    assert printable(f"hi{smuggled}!") == "hi⟨TAG:ignore all⟩!"


@pytest.mark.parametrize(
    "emoji",
    [
        "👩\u200d💻",  # woman technologist
        "👨\u200d👩\u200d👧\u200d👦",  # family
        "🏳\ufe0f\u200d🌈",  # rainbow flag: selector, then joiner
        "❤\ufe0f\u200d🔥",  # heart on fire
        "🧑🏽\u200d🚀",  # skin tone, then joiner
        "👁\ufe0f\u200d🗨\ufe0f",  # eye in speech bubble
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # England
        "1\ufe0f\u20e3",  # keycap
        "❤\ufe0f",
    ],
)
def test_emoji_sequences_are_kept_intact(emoji):
    assert printable(f"a {emoji} b") == f"a {emoji} b"
    assert printable(emoji, normalise=False) == emoji


def test_joiners_stay_where_a_script_needs_them():
    # Persian "I want": a ZWNJ between the prefix and the verb.
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    devanagari = "क्\u200dष"  # ZWJ asks for a half form
    assert printable(persian) == persian
    assert printable(devanagari) == devanagari
    assert printable("a\u200cb") == "a⟨ZWNJ⟩b"  # no Latin word needs one


def test_a_second_variation_selector_is_shown():
    # Data smuggled in a run of selectors after one emoji becomes visible.
    assert printable("😀\ufe0f\ufe01\U000e0100") == "😀\ufe0f⟨VS2⟩⟨VS17⟩"


def test_lone_surrogates_and_separators():
    assert printable("a\ud800b") == "a\ufffdb"
    assert printable("a\u2028b\u2029c") == "a\nb\nc"


@pytest.mark.parametrize(
    "text",
    [
        "[@click=app.quit]win a prize[/]",
        "[link=http://e.vil]y[/link]",
        "[/bold] unbalanced",
        "[bold red]loud",
        "[[escaped]] \\[x]",
        "$variable [$accent]",
    ],
)
def test_markup_looking_text_is_kept_literally_and_never_raises(text):
    assert printable(text) == text
    assert content(text).plain == text
    assert content(text).spans == []
    assert cell(text).plain == text and cell(text).spans == []
    assert inert(text) == text


def test_the_widget_helpers_use_the_sanitizer():
    hostile = "\x1b]0;PWNED\x07[@click=app.quit]x[/]\u202e"
    assert isinstance(content(hostile), Content)
    assert content(hostile).plain == "[@click=app.quit]x[/]⟨RLO⟩"
    assert isinstance(cell(hostile), Text)
    assert cell(hostile).plain == "[@click=app.quit]x[/]⟨RLO⟩"
    assert inert(hostile) == "[@click=app.quit]x[/]⟨RLO⟩"


def test_the_index_keeping_mode_replaces_one_for_one():
    # The compose box highlights spans of the operator's draft: indices must not move.
    draft = "a\x1b]0;T\x07 \u202eb\u200b\x9bc\U000e0069\ud800\u2028"
    kept = printable(draft, normalise=False)
    assert len(kept) == len(draft)
    assert kept == "a\ufffd]0;T\ufffd \ufffdb\ufffd\ufffdc\ufffd\ufffd\n"
    assert not forbidden_in(kept)


def test_one_line_flattens_cuts_and_sanitizes():
    assert one_line("a\n  b\x1b[2J\tc", 10) == "a b c"
    assert one_line("abcdefghij", 5) == "abcd…"
    # A joiner cut from the emoji it joined would join the ellipsis instead.
    assert one_line("abc👩\u200d💻", 5) == "abc👩…"


def _random_text(rng: random.Random) -> str:
    pools = [
        [chr(c) for c in range(0x00, 0x20)],
        [chr(c) for c in range(0x7F, 0xA0)],
        list("\x1b[]\\;0123456789PX^_mHJ?c(#\x07 "),
        list("abcXYZ[]/@=.:"),
        list("\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2066\u2069\u2060\ufeff\u00ad\u2028"),
        list("\ufe0f\ufe0e\U000e0100\U000e0001\U000e0041\U000e007f\U0001f3f4\U0001f3fd"),
        list("👩💻🌈❤🔥éمیक्ष"),
        ["\ud800", "\udfff", "\ufffe", "\u3164"],
    ]
    return "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 60)))


def test_no_control_character_survives_any_string():
    rng = random.Random(20261102)
    for _ in range(5_000):
        text = _random_text(rng)
        shown = printable(text)
        assert not forbidden_in(shown), (text, shown)
        assert printable(shown) == shown, text  # showing twice changes nothing
        kept = printable(text, normalise=False)
        assert not forbidden_in(kept), (text, kept)
        assert len(kept) == len(text)
        assert not forbidden_in(one_line(text, rng.randint(2, 40)))
        assert content(text).plain == shown
