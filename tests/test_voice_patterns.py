"""The voice's first-person and familiar-address tests find exactly what the plain alternations
(as first written, before the lookaheads that make them faster) find."""

import itertools
import re

from cmconsole.domain.voice import SHARES

_APOSTROPHES = "'\u2019"
PLAIN_SINGULAR = re.compile(
    rf"\b(?:je|j[{_APOSTROPHES}]|moi|mon|ma|mes|i|i[{_APOSTROPHES}](?:m|ve|ll|d)|me|my|mine)\b",
    re.I,
)
PLAIN_FAMILIAR = re.compile(rf"\b(?:tu|t[{_APOSTROPHES}]|toi|ton|ta|tes)\b", re.I)
# Letters of every alternative in both cases, look-alikes that fold to them (dotted and
# dotless i, Kelvin sign, long s), apostrophes, a space, an accented letter.
ALPHABET = "iI\u0130\u0131jJmMtTeEoOnNaAsSuUvlLdDyYK\u212a\u017f'\u2019 é"


def test_the_patterns_agree_with_the_plain_alternations_on_every_short_text():
    for size in (1, 2, 3):
        for letters in itertools.product(ALPHABET, repeat=size):
            text = "".join(letters)
            assert SHARES["first_person_singular"](text) == bool(PLAIN_SINGULAR.search(text))
            assert SHARES["familiar_address"](text) == bool(PLAIN_FAMILIAR.search(text))


def test_the_patterns_agree_in_sentences():
    for text in [
        "Je t'écris",
        "I'm here",
        "I\u2019ve got it",
        "MINE!",
        "mine-field",
        "my",
        "ton avis ?",
        "Tes colis",
        "tomato",
        "timing",
        "jet",
        "i",
        "IM",
        "someone",
        "Toi et moi",
    ]:
        assert SHARES["first_person_singular"](text) == bool(PLAIN_SINGULAR.search(text)), text
        assert SHARES["familiar_address"](text) == bool(PLAIN_FAMILIAR.search(text)), text
