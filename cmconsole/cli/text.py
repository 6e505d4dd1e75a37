"""Text in and out of the command line: bytes that are not UTF-8 refused by where they are, and
outside text printed inert (the screen's sanitizer), or escaped where it must stay exact (JSON)."""

import json
import re
from typing import Any

from cmconsole.domain.display import printable

# Characters a terminal obeys or that reorder what it shows; JSON leaves them raw unless told.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


class NotUtf8(ValueError):
    """Bytes that are not UTF-8 text; the message says where."""


def inert(text: str) -> str:
    """Outside text for one field of one line: sequences removed, hidden characters shown, and
    no tab or newline to break the line's columns."""
    return re.sub(r"[\t\n]", " ", printable(text))


def inert_block(text: str) -> str:
    """Outside text of several lines, each made inert."""
    return printable(text)


def exact_json(value: Any) -> str:
    """One JSON line, every character kept, the ones a terminal would obey written as \\u."""
    return _UNSAFE_IN_JSON.sub(
        lambda found: f"\\u{ord(found[0]):04x}", json.dumps(value, ensure_ascii=False)
    )


def utf8(data: bytes, what: str) -> str:
    """`data` decoded as UTF-8, or NotUtf8 naming the first bad byte, its offset and line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        at = error.start
        line = data.count(b"\n", 0, at) + 1
        raise NotUtf8(
            f"{what} is not valid UTF-8: byte 0x{data[at]:02x} at offset {at} (line {line})"
        ) from None


def argument(text: str, what: str) -> str:
    """A command-line argument as text; NotUtf8 if the shell passed bytes that are not UTF-8
    (Python keeps them as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raise NotUtf8(f"{what} is not valid text (a lone surrogate)") from None
        return utf8(raw, what)  # names the first byte that is not UTF-8
    return text
