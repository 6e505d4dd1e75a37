"""Searching an alias's threads: what a hit is, and the words of a query as people type them."""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cmconsole.domain.errors import InvalidInput

MAX_WORDS = 16
_WORD = re.compile(r"\w+")


class HitKind(StrEnum):
    MESSAGE = "message"  # something the public wrote to the alias
    REPLY = "reply"  # something the alias published in answer


@dataclass(frozen=True)
class SearchHit:
    """One message or reply whose words match, and where to open its thread."""

    kind: HitKind
    id: int  # the inbound message's id, or the post's
    contact: str  # the thread's contact handle
    text: str
    at: datetime  # received, or published
    message_id: int  # the message to open the thread at (a reply's: the one it answers)
    rank: float  # higher is better
    # A private message (Mastodon's `direct`), or the reply to one: shown as such, never quoted.
    private: bool = False


def search_words(query: str) -> list[str]:
    """The words of what was typed, every other character dropped: nothing typed is ever read
    as a search engine's syntax (quotes, NEAR(, *, -, column filters). InvalidInput if none."""
    words = _WORD.findall(query)
    if not words:
        raise InvalidInput("type at least one word to search for (letters or digits)")
    if len(words) > MAX_WORDS:
        raise InvalidInput(f"search for at most {MAX_WORDS} words at once")
    return words
