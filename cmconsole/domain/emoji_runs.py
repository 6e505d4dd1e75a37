"""The emoji package's emoji_list, run only on the stretches of text where an emoji can be."""

import re

import emoji


def _ranges(characters: set[str]) -> str:
    """The inside of a regex character class of `characters`: runs of consecutive code points."""
    ranges: list[list[int]] = []
    for point in sorted(map(ord, characters)):
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return "".join(re.escape(chr(a)) + "-" + re.escape(chr(b)) for a, b in ranges)


# Every character of every emoji sequence the package knows, the two it treats specially (ZWJ
# and the variation selectors), and, rather than list them, every character beyond the BMP. Any
# other character is plain: the tokenizer never matches across it, never looks back past it,
# and leaves nothing pending after it, so a stretch that opens on a plain character tokenizes
# alone exactly as it does inside the whole text. (Listed one by one, the astral ranges make
# this regex some fifteen times slower.)
_PARTS = set("".join(emoji.EMOJI_DATA)) | {"\u200d", "\ufe0e", "\ufe0f"}
_BMP_PARTS = _ranges({c for c in _PARTS if c <= "\uffff"})
_EMOJI_PART = re.compile(f"[{_BMP_PARTS}\U00010000-\U0010ffff]+")


def emoji_list(text: str) -> list[tuple[int, int, str]]:
    """(start, end, emoji) for each match of emoji.emoji_list(text), found stretch by stretch."""
    found = []
    for run in _EMOJI_PART.finditer(text):
        if run[0].isascii():  # digits, '#' or '*' alone: no emoji is all ASCII
            continue
        # Keep the plain character before the run: the tokenizer may step back onto it.
        start = max(run.start() - 1, 0)
        for match in emoji.emoji_list(text[start : run.end()]):
            found.append((start + match["match_start"], start + match["match_end"], match["emoji"]))
    return found
