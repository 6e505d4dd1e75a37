"""Make outside text safe to show: it is data, never markup or terminal control.

Terminals obey escape sequences and C1 controls wherever they appear in the output, and Textual
and Rich remove only BEL, BS, VT, FF and CR. So every string that comes from outside (messages,
names, error bodies) passes through `printable` before it reaches a widget:

- whole terminal sequences are removed: CSI (`ESC [` or 0x9b, up to the final byte), OSC, DCS,
  SOS, PM and APC (`ESC ]`, `ESC P`, `ESC X`, `ESC ^`, `ESC _` or 0x9d, 0x90, 0x98, 0x9e, 0x9f,
  up to BEL or ST), and the other escapes (`ESC c`, `ESC ( B`...). An unterminated string loses
  only its introducer: the rest is shown, inert;
- what is left of C0 (except newline and tab), DEL and C1 is dropped;
- characters that reorder or hide text are shown as visible tokens:
  bidi controls `⟨LRE⟩ ⟨RLE⟩ ⟨PDF⟩ ⟨LRO⟩ ⟨RLO⟩ ⟨LRI⟩ ⟨RLI⟩ ⟨FSI⟩ ⟨PDI⟩ ⟨LRM⟩ ⟨RLM⟩ ⟨ALM⟩`;
  invisibles `⟨ZWSP⟩ ⟨ZWNJ⟩ ⟨ZWJ⟩ ⟨WJ⟩ ⟨BOM⟩ ⟨SHY⟩ ⟨MVS⟩ ⟨CGJ⟩`; tag characters `⟨TAG:text⟩`
  (their hidden ASCII revealed); a stray variation selector `⟨VS16⟩`; any other invisible or
  noncharacter `⟨U+2062⟩`. A lone surrogate becomes U+FFFD; line and paragraph separators become
  newlines.

Legitimate uses stay intact: a joiner between emoji (👩‍💻), a joiner or non-joiner between
letters of a script that shapes with them (Arabic, Persian, Indic, Mongolian), the tags of a
subdivision flag (🏴 England), and one variation selector after the character it varies.
"""

import re
import unicodedata

_STRING = "(?:\x1b[\\]PX\\^_]|[\x90\x98\x9d\x9e\x9f])[^\x00-\x1f\x7f-\x9f]*(?:\x07|\x1b\\\\|\x9c)"
_CSI = "(?:\x1b\\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
_ESCAPE = "\x1b[\x20-\x2f]*[\x30-\x7e]?"  # two-character and nF escapes, or a lone ESC
_SEQUENCE = re.compile(f"{_STRING}|{_CSI}|{_ESCAPE}")

# Every character that is dropped, replaced or needs its neighbours looked at.
_SUSPECT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ud800-\udfff\ufdd0-\ufdef\ufe00-\ufe0f"
    "\ufeff\uffa0\ufff9-\ufffb\ufffe\uffff\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)
_NAMES = {
    "\u00ad": "SHY",
    "\u034f": "CGJ",
    "\u061c": "ALM",
    "\u180e": "MVS",
    "\u200b": "ZWSP",
    "\u200c": "ZWNJ",
    "\u200d": "ZWJ",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2060": "WJ",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
    "\ufeff": "BOM",
}
_ZWNJ, _ZWJ, _BLACK_FLAG, _CANCEL_TAG = "\u200c", "\u200d", "\U0001f3f4", "\U000e007f"
# Scripts whose letters join or break with ZWJ and ZWNJ: Arabic to NKo, Devanagari to Sinhala,
# Mongolian.
_JOINING = ((0x0600, 0x08FF), (0x0900, 0x0DFF), (0x1800, 0x18AF))


def printable(text: str, *, normalise: bool = True) -> str:
    """Outside text made inert and honest: sequences removed, hiding characters shown; NFC.

    With `normalise=False` every character keeps its index instead (spans found in the text
    still apply): nothing is removed or expanded, each unsafe character becomes U+FFFD.
    """
    if normalise:
        text = unicodedata.normalize("NFC", _SEQUENCE.sub("", text))
    if _SUSPECT.search(text) is None:
        return text
    pieces, done = [], 0
    for found in _SUSPECT.finditer(text):
        at = found.start()
        if at < done:
            continue  # part of a run already handled
        pieces.append(text[done:at])
        shown, done = _replacement(text, at)
        if not normalise and shown != text[at:done]:
            shown = "\n" * (done - at) if shown == "\n" else "\ufffd" * (done - at)
        pieces.append(shown)
    pieces.append(text[done:])
    return "".join(pieces)


# Before a private message's text (Mastodon's `direct`) wherever it is shown: in the inbox, the
# contact's history, search, notifications, handovers. Nobody quotes it in public by mistake.
PRIVATE = "private: "


def marked(text: str, private: bool) -> str:
    """The text, with the private marker first if it is a private message."""
    return PRIVATE + text if private else text


def one_line(text: str, width: int) -> str:
    """A printable single-line preview of `text`, at most `width` characters."""
    flat = " ".join(printable(text).split())
    if len(flat) <= width:
        return flat
    # A joiner, selector or tag cut from what follows it would join or vary the ellipsis.
    cut = flat[: width - 1]
    while cut and (cut[-1] in (_ZWNJ, _ZWJ) or _selector(cut[-1]) or _tag(cut[-1])):
        cut = cut[:-1]
    return cut + "…"


def _replacement(text: str, at: int) -> tuple[str, int]:
    """What to show for the suspect character at `at`, and the index after what it covers."""
    char, code = text[at], ord(text[at])
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return "", at + 1
    if char in "\u2028\u2029":
        return "\n", at + 1
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd", at + 1
    if _tag(char):
        return _tags(text, at)
    if _selector(char):
        if at > 0 and _base(text[at - 1]):
            return char, at + 1
        number = code - 0xFE00 + 1 if code <= 0xFE0F else code - 0xE0100 + 17
        return f"⟨VS{number}⟩", at + 1
    if (char == _ZWJ and _between_emoji(text, at)) or (
        char in (_ZWNJ, _ZWJ) and _between_joining_letters(text, at)
    ):
        return char, at + 1
    name = _NAMES.get(char)
    return (f"⟨{name}⟩" if name else f"⟨U+{code:04X}⟩"), at + 1


def _tags(text: str, at: int) -> tuple[str, int]:
    end = at
    while end < len(text) and _tag(text[end]):
        end += 1
    run = text[at:end]
    if at > 0 and text[at - 1] == _BLACK_FLAG and _flag_tags(run):
        return run, end  # a subdivision flag: 🏴 + tag letters + cancel tag
    hidden = "".join(chr(ord(c) - 0xE0000) for c in run if 0xE0020 <= ord(c) <= 0xE007E)
    return f"⟨TAG:{hidden}⟩", end


def _flag_tags(run: str) -> bool:
    return (
        len(run) >= 2
        and run[-1] == _CANCEL_TAG
        and all(0xE0020 <= ord(c) <= 0xE007E for c in run[:-1])
    )


def _tag(char: str) -> bool:
    return 0xE0000 <= ord(char) <= 0xE007F


def _selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _base(char: str) -> bool:
    """A character a variation selector may follow: visible, and not a selector itself."""
    return unicodedata.category(char)[0] in "LMNPS" and not _selector(char)


def _between_emoji(text: str, at: int) -> bool:
    before = at - 1
    # The emoji on the left may carry a presentation selector or a skin tone.
    if before > 0 and (text[before] == "\ufe0f" or 0x1F3FB <= ord(text[before]) <= 0x1F3FF):
        before -= 1
    return (
        before >= 0
        and at + 1 < len(text)
        and unicodedata.category(text[before]) == "So"
        and unicodedata.category(text[at + 1]) == "So"
    )


def _between_joining_letters(text: str, at: int) -> bool:
    return (
        0 < at < len(text) - 1 and _joining_letter(text[at - 1]) and _joining_letter(text[at + 1])
    )


def _joining_letter(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char)[0] in "LM" and any(lo <= code <= hi for lo, hi in _JOINING)
