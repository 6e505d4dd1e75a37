"""Make text from the public safe to show: it is data, never markup or terminal control."""

import re
import unicodedata

# C0 and C1 controls except tab and newline, DEL, bidirectional embeddings, overrides and isolates,
# and zero-width characters that hide text. An OSC or CSI sequence loses its ESC and becomes inert.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)


def printable(text: str, *, normalise: bool = True) -> str:
    """Replace each control or hiding character with a visible placeholder; normalise to NFC.

    Without normalising, every character keeps its index: spans found in the text still apply.
    """
    return _UNSAFE.sub("\ufffd", unicodedata.normalize("NFC", text) if normalise else text)


def one_line(text: str, width: int) -> str:
    """A printable single-line preview of `text`, at most `width` characters."""
    flat = " ".join(printable(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
