"""The tone checker: a draft against its alias's guide, its channel's length, unsafe characters."""

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cmconsole.domain.channel_length import Counter, counter
from cmconsole.domain.channel_limits import PostLimits, longest_post
from cmconsole.domain.errors import InvalidInput
from cmconsole.domain.guide import (
    Countable,
    Guide,
    LimitRule,
    PatternRule,
    PersonRule,
    Severity,
    WordRule,
    word_key,
)
from cmconsole.domain.weighted_length import (
    Measure,
    Span,
    measure,
    normalise,
)

# Counted in place of unknown initials: as long as initials get, so no room is promised that the
# signature will take at send time.
RESERVED_INITIALS = "XXX"
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.SUGGESTION: 2}


@dataclass(frozen=True)
class Finding:
    """One rule the draft breaks, over text[start:end], and the replacement that fixes it if any."""

    rule: str
    severity: Severity
    start: int
    end: int
    message: str
    suggestion: str | None


@dataclass(frozen=True)
class CheckResult:
    """What the checker says of one draft."""

    findings: list[Finding]  # in text order
    weighted_length: int  # the draft as typed
    published_length: int  # the draft as published: stripped, with the guide's signature
    limit: int
    length_ok: bool  # not empty and the published length within the limit
    ok: bool  # no error finding

    @property
    def sendable(self) -> bool:
        """No error finding, and something to send within the limit."""
        return self.ok and self.length_ok


def check(
    text: str,
    guide: Guide | None,
    *,
    author_initials: str = "",
    channel: str = "x",
    limits: PostLimits | None = None,
) -> CheckResult:
    """Check a draft for `channel`, its length counted as that channel counts (against `limits`,
    what the alias's own server stated, if known); with no guide, only what holds for every
    alias there (length, characters)."""
    longest = limits.longest if limits else None
    limit = guide.length_on(channel, longest) if guide else longest or longest_post(channel)
    count = counter(channel, url_weight=limits.url_weight) if limits else counter(channel)
    normal, origins = normalise(text)
    measured = count(normal, limit)
    published = published_text(text, guide, author_initials or RESERVED_INITIALS)
    published_length = (
        measured.weighted_length if published == normal else count(published, limit).weighted_length
    )
    # Rules see links and emoji as X's tokenizer finds them, whatever the channel.
    draft = _Draft(normal, measured if count is measure else measure(normal, limit))
    findings = list(_unsafe(draft))
    for rule in guide.rules if guide else ():
        findings.extend(_CHECKS[type(rule)](rule, draft))
    if origins is not None:
        findings = [_back(finding, origins, len(text)) for finding in findings]
    if published_length > limit:
        signed = bool(guide and guide.signature.suffix(RESERVED_INITIALS))
        findings.append(_length(text, published_length, limit, signed, count))
    findings.sort(key=lambda f: (f.start, f.end, _RANK[f.severity]))
    return CheckResult(
        findings=findings,
        weighted_length=measured.weighted_length,
        published_length=published_length,
        limit=limit,
        length_ok=bool(text.strip()) and published_length <= limit,
        ok=all(finding.severity is not Severity.ERROR for finding in findings),
    )


def published_text(text: str, guide: Guide | None, author_initials: str) -> str:
    """The draft as the public will see it: stripped, with the guide's signature if any."""
    return guide.signature.sign(text, author_initials) if guide else text.strip()


def apply_fix(text: str, finding: Finding) -> str:
    """The one-key fix: the finding's suggestion in place of its span."""
    if finding.suggestion is None:
        raise InvalidInput(f"{finding.rule}: no fix to apply here; rewrite it yourself")
    if not 0 <= finding.start <= finding.end <= len(text):
        raise InvalidInput(f"{finding.rule}: the text changed since it was checked; check again")
    start, end = finding.start, finding.end
    # A deletion takes the space before it along, rather than leave two spaces or a space before
    # punctuation.
    at_gap = end == len(text) or text[end] in " \n,.;:!?"
    if not finding.suggestion and start and text[start - 1] == " " and at_gap:
        start -= 1
    return text[:start] + finding.suggestion + text[end:]


def without_unsafe(text: str) -> str:
    """The draft without every hidden character `unsafe-characters` finds (the isolates X's apps
    paste around mentions): one key for what would otherwise be fixed one character at a time."""
    spans = sorted(
        (f.start, f.end) for f in check(text, None).findings if f.rule == "unsafe-characters"
    )
    kept, at = [], 0
    for start, end in spans:
        kept.append(text[at:start])
        at = max(at, end)
    kept.append(text[at:])
    return "".join(kept)


def _length(text: str, published: int, limit: int, signed: bool, count: Counter) -> Finding:
    """The overflow, from the first character that does not fit to the end of what is sent."""
    body = text.strip()
    lead = len(text) - len(text.lstrip())
    room = limit - (published - count(body, limit).weighted_length)  # what the signature leaves
    at = count(body, room).overflow_at
    start = lead + (len(body) if at is None else at)
    extra = " with the signature" if signed else ""
    message = f"{published - limit} over the limit of {limit}{extra}"
    return Finding("length", Severity.ERROR, start, lead + len(body), message, None)


# Bidi embeddings, overrides and isolates, C0 and C1 controls but tab and newline, zero-width
# space, word joiner, byte-order mark, the two non-characters X refuses, and the zero-width
# joiner (allowed inside an emoji sequence, and between letters of scripts that need it).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200d\u2060\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"
)


def _unsafe(draft: "_Draft") -> Iterator[Finding]:
    text = draft.text
    for match in _UNSAFE.finditer(text):
        at = match.start()
        if match[0] == "\u200d" and (draft.in_emoji(at) or _joins_letters(text, at)):
            continue
        name = unicodedata.name(match[0], "CONTROL")
        message = f"hidden character U+{ord(match[0]):04X} {name} would be published"
        yield Finding("unsafe-characters", Severity.ERROR, at, at + 1, message, "")


def _joins_letters(text: str, at: int) -> bool:
    """A ZWJ between two letters (or marks) of a script beyond Latin, where it shapes text."""
    if at == 0 or at + 1 >= len(text):
        return False
    return all(
        unicodedata.category(c)[0] in "LM" and c >= "\u0370" for c in (text[at - 1], text[at + 1])
    )


def _words(rule: WordRule, draft: "_Draft") -> Iterator[Finding]:
    for match in rule.words.finditer(draft.text):
        if draft.shielded(match.start(), match.end()):
            continue
        suggestion = rule.suggestions.get(word_key(match[0]))
        yield draft.finding(rule, match.start(), match.end(), suggestion)


def _pattern(rule: PatternRule, draft: "_Draft") -> Iterator[Finding]:
    if rule.required:
        if rule.regex.search(draft.text) is None:
            end = len(draft.text)
            yield draft.finding(rule, end, end, rule.suggestion, cased=False)
        return
    for start, end in rule.regex.finditer(draft.text):
        if end > start:
            yield draft.finding(rule, start, end, rule.suggestion, cased=False)


def _limit(rule: LimitRule, draft: "_Draft") -> Iterator[Finding]:
    if rule.counts is Countable.CAPITALS:
        items = [
            span
            for span, word in draft.capitals
            if len(word) >= rule.min_letters and word not in rule.allow
        ]
    else:
        items = getattr(draft, rule.counts.value)
    count = {"count": str(len(items)), "max": str(rule.max)}
    for start, end in items[rule.max :]:
        yield draft.finding(
            rule, start, end, _LIMIT_FIXES[rule.counts](draft.text, start, end), extra=count
        )


def _extra_exclamation(text: str, start: int, end: int) -> str | None:
    """Drop an exclamation mark that repeats the one before it ("!!!"); others need rewording."""
    return "" if start and text[start - 1] in "!\uff01" else None


# The obvious fix for one item too many, where there is one.
_LIMIT_FIXES: dict[Countable, Callable[[str, int, int], str | None]] = {
    Countable.EXCLAMATIONS: _extra_exclamation,
    Countable.CAPITALS: lambda text, start, end: text[start:end].lower(),
    Countable.EMOJI: lambda text, start, end: "",
    Countable.HASHTAGS: lambda text, start, end: text[start + 1 : end],
    Countable.MENTIONS: lambda text, start, end: None,
    Countable.LINKS: lambda text, start, end: None,
}


def _person(rule: PersonRule, draft: "_Draft") -> Iterator[Finding]:
    for key, wanted in (("we", rule.speaks_as_we), ("vous", rule.says_vous)):
        if wanted:
            for start, end, suggestion in draft.person(rule.language, key):
                yield draft.finding(rule, start, end, suggestion)


def _person_spans(draft: "_Draft", language: str, key: str) -> list[tuple[int, int, str | None]]:
    """Where the draft says `key` ("we" or "vous") the wrong way, and the fix if there is one."""
    text = draft.text
    words, suggestions = _PERSON[language, key]
    found_spans = []
    for match in words.finditer(text):
        found = word_key(match[0])
        if draft.shielded(match.start(), match.end()):
            continue
        before, after = _word_before(text, match.start()), _word_after(text, match.end())
        if (found == "ton" and before in _TONE_WORDS) or (match[0] == "I" and before in _NUMBERED):
            continue
        suggestion = None if (found, after) in _NO_FIX else suggestions[found]
        found_spans.append((match.start(), match.end(), suggestion))
    return found_spans


def _person_words(
    suggestions: Mapping[str, str | None],
) -> tuple[re.Pattern[str], Mapping[str, str | None]]:
    parts = []
    for word in sorted(suggestions, key=len, reverse=True):
        body = re.escape(word).replace("'", "['\u2019]")
        parts.append(body + ("(?=\\w)" if word.endswith("'") else "(?![\\w'\u2019])"))
    return re.compile(rf"(?<![\w'\u2019])(?:{'|'.join(parts)})", re.IGNORECASE), suggestions


# Whole words that show who speaks and to whom; "je" or "tu" have no fix that is always grammatical.
_PERSON = {
    ("fr", "we"): _person_words(
        {
            "je": None,
            "j'": None,
            "me": "nous",
            "m'": "nous ",
            "moi": "nous",
            "moi-même": "nous-mêmes",
            "mon": "notre",
            "ma": "notre",
            "mes": "nos",
        }
    ),
    ("fr", "vous"): _person_words(
        {
            "tu": None,
            "t'": "vous ",
            "te": "vous",
            "toi": "vous",
            "toi-même": "vous-même",
            "ton": "votre",
            "ta": "votre",
            "tes": "vos",
        }
    ),
    ("en", "we"): _person_words(
        {
            "i": "we",
            "me": "us",
            "my": "our",
            "mine": "ours",
            "myself": "ourselves",
            "i'm": "we're",
            "i've": "we've",
            "i'll": "we'll",
            "i'd": "we'd",
        }
    ),
}
# "le ton", "un ton": the tone, not "your". "Part I", "World War I": a numeral, not "me".
_TONE_WORDS = frozenset("le un du au ce cet quel même bon notre votre leur son mon".split())  # noqa: SIM905
_NUMBERED = frozenset(
    "act article book chapter class grade level part phase season section stage tier title type "  # noqa: SIM905
    "vol volume war".split()
)
# Where the suggested word would not agree with the verb after it: "I am", "t'as".
_NO_FIX = frozenset(
    [("i", verb) for verb in ("am", "was")]
    + [("t'", verb) for verb in ("as", "es", "étais", "avais", "auras", "aurais", "avait")]
)
_WORD_BEFORE = re.compile(r"(\w+)\W*\Z")
_WORD_AFTER = re.compile(r"\W*(\w+)")


def _word_before(text: str, at: int) -> str:
    match = _WORD_BEFORE.search(text, max(0, at - 40), at)
    return match[1].lower() if match else ""


def _word_after(text: str, at: int) -> str:
    match = _WORD_AFTER.match(text, at)
    return match[1].lower() if match else ""


_CHECKS: dict[type, Callable[[Any, "_Draft"], Iterator[Finding]]] = {
    WordRule: _words,
    PatternRule: _pattern,
    LimitRule: _limit,
    PersonRule: _person,
}
_HASHTAG = re.compile("(?<![\\w&#\uff03])[#\uff03](?!\ufe0f|\u20e3)\\w*[^\\W\\d_]\\w*")
_MENTION = re.compile("(?<![A-Za-z0-9_!#$%&*@\uff20])[@\uff20][A-Za-z0-9_]{1,20}")
_EXCLAMATION = re.compile("[!\uff01\u203c\u2049]")
_WORD = re.compile(r"\b[^\W\d_]+\b")


class _Draft:
    """The text being checked, with what several rules share, each found once."""

    def __init__(self, text: str, measured: Measure) -> None:
        self.text = text
        self.links = list(measured.urls)
        self.emoji = list(measured.emoji)
        self._person: dict[tuple[str, str], list[tuple[int, int, str | None]]] = {}

    @cached_property
    def hashtags(self) -> list[Span]:
        return [m.span() for m in _HASHTAG.finditer(self.text)]

    @cached_property
    def mentions(self) -> list[Span]:
        return [m.span() for m in _MENTION.finditer(self.text)]

    @cached_property
    def exclamations(self) -> list[Span]:
        return [m.span() for m in _EXCLAMATION.finditer(self.text)]

    @cached_property
    def words(self) -> list[Span]:
        spans = [m.span() for m in _WORD.finditer(self.text)]
        return [span for span in spans if not self.shielded(*span)] if self._shields else spans

    @cached_property
    def capitals(self) -> list[tuple[Span, str]]:
        """The words in capitals, for every rule that limits them with its own length and allow."""
        return [
            (span, word) for span in self.words if (word := self.text[span[0] : span[1]]).isupper()
        ]

    def person(self, language: str, key: str) -> list[tuple[int, int, str | None]]:
        """_person_spans, found once for all the person rules in the same language."""
        if (language, key) not in self._person:
            self._person[language, key] = _person_spans(self, language, key)
        return self._person[language, key]

    @cached_property
    def _shields(self) -> list[Span]:
        return self.links + self.hashtags + self.mentions

    def shielded(self, start: int, end: int) -> bool:
        """Inside a link, a hashtag or a mention: not prose the operator chose word by word."""
        return any(s < end and start < e for s, e in self._shields)

    def in_emoji(self, at: int) -> bool:
        return any(s <= at < e for s, e in self.emoji)

    def finding(
        self,
        rule: Any,
        start: int,
        end: int,
        suggestion: str | None,
        *,
        cased: bool = True,
        extra: Mapping[str, str] | None = None,
    ) -> Finding:
        found = self.text[start:end]
        if cased and suggestion:
            suggestion = _cased(found, suggestion, self.text, start)
        message = rule.message
        if "{" in message:
            for name, value in (
                ("found", found),
                ("suggestion", suggestion or ""),
                *(extra or {}).items(),
            ):
                message = message.replace("{" + name + "}", value)
        return Finding(rule.id, rule.severity, start, end, message, suggestion)


def _cased(found: str, suggestion: str, text: str, start: int) -> str:
    """Capitalise the fix after a capitalised word ("Mon" → "Notre") or at a sentence's start."""
    if not found[:1].isupper():
        return suggestion
    titled = found[1:2].islower() and not found.startswith(("I'", "I\u2019"))
    before = text[:start]
    stripped = before.rstrip()
    opening = not stripped or stripped[-1] in ".!?…" or "\n" in before[len(stripped) :]
    return suggestion[:1].upper() + suggestion[1:] if titled or opening else suggestion


def _back(finding: Finding, origins: list[Span], length: int) -> Finding:
    """A finding on the normalised text, moved onto the text as given."""
    if finding.start == finding.end:
        at = origins[finding.start][0] if finding.start < len(origins) else length
        return dataclasses.replace(finding, start=at, end=at)
    start, end = origins[finding.start][0], origins[finding.end - 1][1]
    return dataclasses.replace(finding, start=start, end=end)
