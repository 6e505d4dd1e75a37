"""The alias's voice as plain statistics, and how far one operator's recent replies drift from it.

A profile measures, over a set of replies:
- `length`: the mean weighted length (as X counts it);
- `emoji`: the mean number of emoji per reply;
- `exclamation`, `question`: the share of replies with a '!' or a '?';
- `first_person_singular`: the share of replies that say "je"/"I" (and their forms);
- `familiar_address`: the share that say "tu" (and its forms) to the public;
- `signed`: the share that end with a signature such as "^AB";
and the words it uses most (stop words left out).

Drift compares an operator's profile with the alias's, dimension by dimension:
- for a share, the difference in points; it drifts at 20 points or more (`SHARE_DRIFT`);
- for a mean, the ratio; it drifts when the operator's is under half or over one and a half
  times the alias's (`MEAN_DRIFT`).
Fewer than `MIN_REPLIES` replies is too few to judge, and nothing is reported. Every drift comes
with up to three of the operator's replies that show it.
"""

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cmconsole.domain.weighted_length import emoji_spans, weighted_length

SHARE_DRIFT = 0.20
MEAN_DRIFT = 0.5
MIN_REPLIES = 5

_APOSTROPHES = "'\u2019"
_DASHES = "\\-\u2013\u2014"
_WORD = re.compile(rf"[^\W\d_]+(?:[{_APOSTROPHES}][^\W\d_]+)?")
# The lookaheads change no match: they only let the search skip, in one test, the positions
# where no alternative can start (several times faster over a report's thousands of replies).
_SINGULAR = re.compile(
    rf"\b(?=[jmi])"
    rf"(?:je|j[{_APOSTROPHES}]|moi|mon|ma|mes|i|i[{_APOSTROPHES}](?:m|ve|ll|d)|me|my|mine)\b",
    re.I,
)
_FAMILIAR = re.compile(rf"\b(?=t)(?:tu|t[{_APOSTROPHES}]|toi|ton|ta|tes)\b", re.I)
_SIGNED = re.compile(rf"(?:\^[A-Z]{{1,3}}|[{_DASHES}]\s*\S+)\s*$")
_STOP = frozenset(
    {
        "a",
        "à",
        "au",
        "aux",
        "avec",
        "ce",
        "de",
        "des",
        "du",
        "en",
        "et",
        "est",
        "il",
        "la",
        "le",
        "les",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "que",
        "qui",
        "sur",
        "un",
        "une",
        "vous",
        "y",
        "the",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "for",
        "in",
        "is",
        "it",
        "of",
        "or",
        "our",
        "that",
        "to",
        "we",
        "with",
        "you",
        "your",
        "this",
        "will",
    }
)

SHARES: dict[str, Callable[[str], bool]] = {
    "exclamation": lambda text: "!" in text,
    "question": lambda text: "?" in text,
    "first_person_singular": lambda text: bool(_SINGULAR.search(text)),
    "familiar_address": lambda text: bool(_FAMILIAR.search(text)),
    "signed": lambda text: bool(_SIGNED.search(text)),
}
MEANS: dict[str, Callable[[str], float]] = {
    "length": lambda text: float(weighted_length(text)),
    "emoji": lambda text: float(len(emoji_spans(text))),
}


@dataclass(frozen=True)
class VoiceProfile:
    replies: int
    shares: dict[str, float]
    means: dict[str, float]
    frequent_words: list[tuple[str, int]]


@dataclass(frozen=True)
class Drift:
    """One dimension on which an operator sounds unlike the alias, with replies that show it."""

    dimension: str
    alias_value: float
    operator_value: float
    examples: list[str]

    def describe(self) -> str:
        if self.dimension in MEANS:
            return (
                f"{self.dimension}: {self.operator_value:.1f} on average, "
                f"where the alias has {self.alias_value:.1f}"
            )
        return (
            f"{self.dimension}: {self.operator_value:.0%} of replies, "
            f"where the alias has {self.alias_value:.0%}"
        )


def content_words(text: str) -> list[str]:
    """The words that carry meaning, lower case: stop words and short words left out."""
    return [
        word.lower() for word in _WORD.findall(text) if word.lower() not in _STOP and len(word) > 2
    ]


def profile(replies: Sequence[str], top: int = 15) -> VoiceProfile:
    """The replies' shares, means and `top` most frequent words (none counted when `top` is 0:
    drift reads only the shares and means)."""
    count = len(replies) or 1
    words = Counter(word for text in replies for word in content_words(text)) if top else Counter()
    return VoiceProfile(
        replies=len(replies),
        shares={name: sum(map(test, replies)) / count for name, test in SHARES.items()},
        means={name: sum(map(measure, replies)) / count for name, measure in MEANS.items()},
        frequent_words=words.most_common(top),
    )


def drift(alias: VoiceProfile, replies: Sequence[str]) -> list[Drift]:
    """Where `replies` (one operator's, recent) differ from the alias's profile."""
    if len(replies) < MIN_REPLIES or alias.replies < MIN_REPLIES:
        return []
    mine = profile(replies, top=0)
    found = []
    for name, test in SHARES.items():
        theirs, ours = mine.shares[name], alias.shares[name]
        if abs(theirs - ours) >= SHARE_DRIFT:
            showing = [text for text in replies if test(text) == (theirs > ours)]
            found.append(Drift(name, ours, theirs, showing[:3]))
    for name, measure in MEANS.items():
        theirs, ours = mine.means[name], alias.means[name]
        if ours and not (1 - MEAN_DRIFT <= theirs / ours <= 1 + MEAN_DRIFT):
            ordered = sorted(replies, key=measure, reverse=theirs > ours)
            found.append(Drift(name, ours, theirs, list(ordered[:3])))
    return found
