"""Guide patterns on RE2 (linear time), with what Python means by \\w, \\d, \\s and \\b."""

import re
from collections.abc import Iterator
from typing import Any

import re2

Span = tuple[int, int]

# What Python's `re` means by these classes on text; RE2's own are ASCII only ("café" would end
# at the "é" and "été" would have no word boundary).
_WORD = r"\p{L}\p{N}_"
_DIGIT = r"\p{Nd}"
_SPACE = r"\t\n\x{0B}\f\r \x{1C}-\x{1F}\x{85}\p{Z}"
_CLASS_OUTSIDE = {
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "d": _DIGIT,
    "D": r"\P{Nd}",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
}
_CLASS_INSIDE = {"w": _WORD, "d": _DIGIT, "s": _SPACE}
_MARKER = "_cmconsole_b"  # an empty group stands where the pattern asks for a word boundary
_WHY = "guide patterns run on RE2, which answers in time linear in the draft"


class PatternRefused(ValueError):
    """A pattern that cannot run here; the message says why."""


class GuidePattern:
    """A compiled guide pattern: search and find, never backtracking."""

    def __init__(self, pattern: str, ignore_case: bool) -> None:
        self.pattern, self.ignore_case = pattern, ignore_case
        translated, boundaries = _translate(pattern)
        options = re2.Options()
        options.log_errors = False  # RE2 would print its own copy of the error on stderr
        options.case_sensitive = not ignore_case
        try:
            self._regex = re2.compile(translated, options)
        except re2.error as error:
            raise PatternRefused(_reason(pattern, error)) from None
        index = self._regex.groupindex
        self._boundaries = [(index[f"{_MARKER}{n}"], wanted) for n, wanted in boundaries]

    def search(self, text: str) -> Span | None:
        """The first match, or None."""
        return next(self.finditer(text), None)

    def finditer(self, text: str) -> Iterator[Span]:
        """Every non-overlapping match, left to right, in characters of `text`."""
        # Searched as UTF-8 bytes encoded once: the str API would encode the whole text again
        # for every match. RE2 only matches on character boundaries of valid UTF-8.
        data = text.encode("utf-8")
        chars = _CharCounter(data)
        at, length = 0, len(data)
        while at <= length:
            match = self._regex.search(data, at)
            if match is None:
                return
            start, end = match.span()
            if self._boundaries and not self._bounded(match, data):
                at = _next_char(data, start)  # this start does not hold; the next one may
                continue
            yield chars.at(start), chars.at(end)
            at = end if end > start else _next_char(data, end)

    def _bounded(self, match: Any, data: bytes) -> bool:
        for group, wanted in self._boundaries:
            at = match.span(group)[0]
            if at >= 0 and _is_boundary(data, at) != wanted:
                return False
        return True


class _CharCounter:
    """Byte offsets of one UTF-8 text to character offsets, asked in increasing order."""

    def __init__(self, data: bytes) -> None:
        self._data, self._byte, self._char = data, 0, 0

    def at(self, byte: int) -> int:
        if byte < self._byte:
            self._byte, self._char = 0, 0
        self._char += len(self._data[self._byte : byte].decode("utf-8"))
        self._byte = byte
        return self._char


def _next_char(data: bytes, at: int) -> int:
    """The offset of the character after the one starting at `at` (past the end if none)."""
    at += 1
    while at < len(data) and data[at] & 0xC0 == 0x80:  # a continuation byte
        at += 1
    return at


def _is_boundary(data: bytes, at: int) -> bool:
    """Python's \\b at a character boundary of UTF-8 `data`: a word character on one side only."""
    before = data[max(0, at - 4) : at].decode("utf-8", "ignore")[-1:]
    after = data[at : at + 4].decode("utf-8", "ignore")[:1]
    return _is_word(before) != _is_word(after)


def _is_word(char: str) -> bool:
    return bool(char) and (char.isalnum() or char == "_")


def _translate(pattern: str) -> tuple[str, list[tuple[int, bool]]]:
    """Python's syntax and class meanings in RE2's terms; where the word boundaries are.

    Refuses what RE2 cannot do (backreferences, lookaround) with the reason."""
    out: list[str] = []
    boundaries: list[tuple[int, bool]] = []
    in_class, i = False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            i += 2
            if escaped in "uU":
                digits = 4 if escaped == "u" else 8
                out.append(r"\x{" + pattern[i : i + digits] + "}")
                i += digits
            elif in_class:
                if escaped in "WDS":
                    raise PatternRefused(
                        f"\\{escaped} inside [...] is not supported ({_WHY}): write [^...] instead"
                    )
                backspace = r"\x{08}" if escaped == "b" else "\\" + escaped
                out.append(_CLASS_INSIDE.get(escaped, backspace))
            elif escaped in _CLASS_OUTSIDE:
                out.append(_CLASS_OUTSIDE[escaped])
            elif escaped in "bB":
                out.append(f"(?P<{_MARKER}{len(boundaries)}>)")
                boundaries.append((len(boundaries), escaped == "b"))
            elif escaped == "Z":
                out.append(r"\z")
            elif escaped in "123456789":
                raise PatternRefused(f"\\{escaped} is a backreference, which RE2 cannot do: {_WHY}")
            else:
                out.append("\\" + escaped)
            continue
        if in_class:
            if char == "]":
                in_class = False
            out.append(char)
            i += 1
            continue
        if char == "[":
            in_class = True
            # "]" right after "[" or "[^" is a literal, not the end of the class
            opening = 2 if pattern.startswith("[^", i) else 1
            if pattern.startswith("]", i + opening):
                opening += 1
            out.append(pattern[i : i + opening])
            i += opening
            continue
        if char == "(" and pattern.startswith("(?", i):
            _refuse_group(pattern[i:])
        out.append(char)
        i += 1
    return "".join(out), boundaries


def _refuse_group(rest: str) -> None:
    for lookaround in ("(?=", "(?!", "(?<=", "(?<!"):
        if rest.startswith(lookaround):
            raise PatternRefused(f"lookaround {lookaround}...) is not supported: {_WHY}")
    if rest.startswith("(?P="):
        raise PatternRefused(f"(?P=name) is a backreference, which RE2 cannot do: {_WHY}")
    if rest.startswith("(?>"):
        raise PatternRefused(f"atomic groups (?>...) are not supported: {_WHY}")


def _reason(pattern: str, error: Exception) -> str:
    """Python's message for a pattern that is wrong anywhere; RE2's for what only RE2 refuses."""
    try:
        re.compile(pattern)  # parses only: nothing is matched
    except re.error as python_error:
        return f"invalid regular expression: {python_error}"
    detail = error.args[0] if error.args else error
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    return f"RE2 cannot run it ({detail}): {_WHY}"
