"""A post's length as each channel counts it: X's weighted length, Mastodon's and Bluesky's
grapheme clusters, with where the limit runs out in the text as given."""

import re
from collections.abc import Callable

import regex

from cmconsole.domain.weighted_length import Measure, Span, measure, url_spans

MASTODON_LIMIT = 500
MASTODON_URL_WEIGHT = 23
BLUESKY_LIMIT = 300
BLUESKY_MAX_BYTES = 3000  # app.bsky.feed.post: text maxGraphemes 300, maxLength 3000 (UTF-8 bytes)

# Mastodon's Account::MENTION_RE: `@user` or `@user@domain`; only the username counts.
_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(@\w+(?:[.-]+\w+)*)?", re.IGNORECASE
)
_GRAPHEME = regex.compile(r"\X")
_SCHEMES = ("http://", "https://")

Counter = Callable[[str, int], Measure]


def graphemes(text: str) -> int:
    """How many user-perceived characters (extended grapheme clusters) `text` holds."""
    return len(_GRAPHEME.findall(text))


def counter(
    channel: str, content_warning: str = "", url_weight: int = MASTODON_URL_WEIGHT
) -> Counter:
    """How `channel` measures a post against a limit (`url_weight`: what a link counts on the
    alias's Mastodon instance); an unknown channel counts as X does."""
    if channel == "mastodon":
        return lambda text, limit: mastodon_measure(text, limit, content_warning, url_weight)
    if channel == "bluesky":
        return bluesky_measure
    return measure


def mastodon_measure(
    text: str,
    limit: int = MASTODON_LIMIT,
    content_warning: str = "",
    url_weight: int = MASTODON_URL_WEIGHT,
) -> Measure:
    """Mastodon's StatusLengthValidator: the content warning and the text in grapheme clusters,
    each http(s) URL counting `url_weight` (the instance's characters_reserved_per_url, 23 by
    default) and each mention `@user@domain` counting as `@user`."""
    urls = [
        span for span in url_spans(text) if text[span[0] : span[0] + 8].lower().startswith(_SCHEMES)
    ]
    entities: dict[int, tuple[int, int]] = {start: (end, url_weight) for start, end in urls}
    for mention in _MENTION.finditer(text):
        start, end = mention.span()
        if mention[2] and not any(s <= start < e or start <= s < end for s, e in urls):
            entities[start] = (end, graphemes("@" + mention[1]))
    total, overflow = graphemes(content_warning), None
    for start, weight in _pieces(text, entities):
        if overflow is None and total + weight > limit:
            overflow = start
        total += weight
    valid = bool(text.strip()) and total <= limit
    return Measure(total, valid, overflow, tuple(urls), ())


def bluesky_measure(text: str, limit: int = BLUESKY_LIMIT) -> Measure:
    """Bluesky's post record: at most `limit` grapheme clusters (and 3000 bytes of UTF-8, which
    only text averaging over ten bytes a character reaches: it makes the text invalid)."""
    clusters = [match.start() for match in _GRAPHEME.finditer(text)]
    overflow = clusters[limit] if len(clusters) > limit else None
    fits_bytes = len(text.encode("utf-8", "surrogatepass")) <= BLUESKY_MAX_BYTES
    valid = bool(text.strip()) and overflow is None and fits_bytes
    return Measure(len(clusters), valid, overflow, (), ())


def _pieces(text: str, entities: dict[int, tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, weight) of each entity, and of each grapheme cluster outside them."""
    pieces: list[tuple[int, int]] = []
    at = 0
    for start in sorted(entities):
        if start < at:  # overlaps the entity before it
            continue
        pieces.extend((m.start(), 1) for m in _GRAPHEME.finditer(text, at, start))
        at, weight = entities[start]
        pieces.append((start, weight))
    pieces.extend((m.start(), 1) for m in _GRAPHEME.finditer(text, at))
    return pieces


__all__ = ["Counter", "Span", "bluesky_measure", "counter", "graphemes", "mastodon_measure"]
