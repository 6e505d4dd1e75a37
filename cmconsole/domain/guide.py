"""The voice guide: one TOML file per alias with prose, golden examples and the checker's rules."""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cmconsole.domain.channel_limits import CHANNELS, longest_post
from cmconsole.domain.errors import InvalidInput
from cmconsole.domain.model import SignatureKind
from cmconsole.domain.patterns import GuidePattern, PatternRefused
from cmconsole.domain.weighted_length import LIMIT

# The checker's own findings; a guide may not reuse their ids.
BUILT_IN_RULES = frozenset({"length", "unsafe-characters"})
# Languages whose first/second-person words the checker knows.
PERSON_LANGUAGES = frozenset({"en", "fr"})


class GuideError(InvalidInput):
    """A guide that cannot be used: names the file, the line where known, and what is wrong."""

    def __init__(self, origin: str, line: int | None, problem: str) -> None:
        super().__init__(f"{origin}, line {line}: {problem}" if line else f"{origin}: {problem}")
        self.origin, self.line, self.problem = origin, line, problem


class Severity(StrEnum):
    """How much a finding weighs."""

    ERROR = "error"  # blocks the post
    WARNING = "warning"  # passes only with a written reason
    SUGGESTION = "suggestion"


class RuleKind(StrEnum):
    """What a rule checks: the `kind` field of a `[[rules]]` table."""

    FORBIDDEN = "forbidden"
    SUBSTITUTE = "substitute"
    PATTERN = "pattern"
    LIMIT = "limit"
    PERSON = "person"


class Countable(StrEnum):
    """What a `limit` rule counts."""

    EXCLAMATIONS = "exclamations"  # each '!' (also fullwidth, '‼' and '⁉')
    CAPITALS = "capitals"  # words of at least `min_letters` letters, all capitals
    EMOJI = "emoji"  # emoji sequences
    HASHTAGS = "hashtags"
    MENTIONS = "mentions"
    LINKS = "links"  # URLs as X finds them


@dataclass(frozen=True)
class Rule:
    """What every rule has; `message` may hold {found}, {suggestion}, {count} and {max}."""

    id: str
    kind: RuleKind
    severity: Severity
    message: str
    line: int | None


@dataclass(frozen=True)
class WordRule(Rule):
    """`forbidden` and `substitute`: whole words, any case, accents matter."""

    words: re.Pattern[str]
    suggestions: Mapping[str, str | None]  # by word_key() of the word as found


@dataclass(frozen=True)
class PatternRule(Rule):
    regex: GuidePattern
    required: bool
    suggestion: str | None  # replaces a forbidden match; appended when a required one is missing


@dataclass(frozen=True)
class LimitRule(Rule):
    counts: Countable
    max: int
    min_letters: int = 4
    allow: frozenset[str] = frozenset()  # capital words that are not shouting (upper case)


@dataclass(frozen=True)
class PersonRule(Rule):
    language: str
    speaks_as_we: bool  # never 'je'/'I'
    says_vous: bool  # never 'tu' (French)


@dataclass(frozen=True)
class Signature:
    """How the alias signs at send time; the signature counts in the published length."""

    policy: SignatureKind = SignatureKind.NONE
    text: str = ""

    def suffix(self, initials: str) -> str:
        """What follows the reply: ' ^AB', ' ' plus the fixed sign-off, or nothing."""
        if self.policy is SignatureKind.INITIALS:
            return f" ^{initials}"
        if self.policy is SignatureKind.FIXED:
            return f" {self.text}"
        return ""

    def sign(self, text: str, initials: str) -> str:
        """The reply as published (signature.signed_text applies the alias's policy with it)."""
        return text.strip() + self.suffix(initials)


@dataclass(frozen=True)
class Example:
    """A golden example: what was said to us, and how we answered."""

    context: str
    reply: str


@dataclass(frozen=True)
class Onboarding:
    """How a trainee graduates on this alias: the track done (if `track`), `practice` practice
    replies written, and the last `approved_in_a_row` reviewed replies approved without edits and
    without passed warnings."""

    track: bool = True
    practice: int = 5
    approved_in_a_row: int = 20


@dataclass(frozen=True)
class Guide:
    """An alias's voice guide: what people read, and the rules the checker applies."""

    origin: str  # the file it came from, named in messages
    source: str  # the TOML as written, kept so it can be versioned and stored
    name: str
    handle: str
    language: str  # two letters, lower case; "" if the guide does not say
    length: int
    signature: Signature
    prose: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    examples: tuple[Example, ...] = ()
    rules: tuple[Rule, ...] = ()
    onboarding: Onboarding = Onboarding()
    # `[lengths]`: a channel's own limit; and whether `length` was written (then it caps every
    # channel, else each channel takes its longest post).
    lengths: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    length_given: bool = False

    def length_on(self, channel: str, longest: int | None = None) -> int:
        """The longest post this guide lets the alias publish on `channel` (whose server takes
        at most `longest`, if it said; else the channel's usual longest)."""
        if channel in self.lengths:
            # An instance that lowered its limit since the guide was saved: its limit holds.
            return min(self.lengths[channel], longest or self.lengths[channel])
        if channel in ("x", "sandbox"):
            return self.length
        longest = longest or longest_post(channel)
        return min(self.length, longest) if self.length_given else longest


def word_key(word: str) -> str:
    """How a forbidden or substituted word is looked up: lower case, one space, straight quote."""
    return " ".join(word.lower().replace("\u2019", "'").split())


def refuse_empty(guide: Guide) -> None:
    """A guide to save must say something: prose for people or rules for the checker."""
    if not guide.source.strip():
        raise GuideError(guide.origin, 1, "the guide is empty: give it [prose] or [[rules]]")
    if not guide.rules and not guide.prose:
        raise GuideError(
            guide.origin, 1, "the guide has no [prose] and no [[rules]]: nothing to read or check"
        )


def load_guide(path: str | Path) -> Guide:
    """Read and parse a guide file; GuideError if it cannot be read or is malformed."""
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise GuideError(str(path), None, f"cannot read the guide: {error}") from None
    return parse_guide(source, str(path))


def parse_guide(
    source: str,
    origin: str,
    longest: int = 100_000,
    longest_on: Mapping[str, int] | None = None,
) -> Guide:
    """Parse a guide's TOML; `origin` (the file name) is named in every error. `longest` is the
    longest post the alias's channel takes: a `length` beyond it is refused; so is a `[lengths]`
    entry beyond its channel's longest (`longest_on`, where the alias's server said, such as a
    Mastodon instance's `max_characters`; else the channel's usual longest)."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        at = re.search(r"at line (\d+)", str(error))
        raise GuideError(origin, int(at[1]) if at else None, f"not valid TOML: {error}") from None
    lines = _Lines(origin, source)
    top = _Table(lines, data, "", None)
    top.only(
        {
            "name",
            "handle",
            "language",
            "length",
            "lengths",
            "signature",
            "prose",
            "examples",
            "rules",
            "onboarding",
        }
    )
    language = top.get("language", str, "").strip().lower()[:2]
    length = top.get("length", int, LIMIT)
    if not 0 < length <= longest:
        raise top.error(f"'length' must be between 1 and {longest}, not {length}", "length")
    return Guide(
        origin=origin,
        source=source,
        name=top.get("name", str, ""),
        handle=top.get("handle", str, ""),
        language=language,
        length=length,
        signature=_signature(
            _Table(lines, top.get("signature", dict, {}), "[signature]", "signature")
        ),
        prose=MappingProxyType(
            _prose(_Table(lines, top.get("prose", dict, {}), "[prose]", "prose"))
        ),
        examples=tuple(_examples(lines, top.get("examples", list, []))),
        rules=tuple(_rules(lines, top.get("rules", list, []), language)),
        onboarding=_onboarding(
            _Table(lines, top.get("onboarding", dict, {}), "[onboarding]", "onboarding")
        ),
        lengths=MappingProxyType(
            _lengths(
                _Table(lines, top.get("lengths", dict, {}), "[lengths]", "lengths"),
                longest_on or {},
            )
        ),
        length_given="length" in data,
    )


def _lengths(table: "_Table", longest_on: Mapping[str, int]) -> dict[str, int]:
    """`[lengths]`: per channel, a limit no longer than what the channel takes."""
    table.only(set(CHANNELS))
    lengths = {}
    for channel in table.values:
        length = table.get(channel, int, 0)
        longest = longest_on.get(channel) or longest_post(channel)
        if not 0 < length <= longest:
            raise table.error(f"{channel!r} must be between 1 and {longest}, not {length}", channel)
        lengths[channel] = length
    return lengths


def _onboarding(table: "_Table") -> Onboarding:
    table.only({"track", "practice", "approved_in_a_row"})
    rule = Onboarding(
        track=table.get("track", bool, True),
        practice=table.get("practice", int, Onboarding.practice),
        approved_in_a_row=table.get("approved_in_a_row", int, Onboarding.approved_in_a_row),
    )
    for key in ("practice", "approved_in_a_row"):
        if not 0 <= getattr(rule, key) <= 1000:
            raise table.error(f"{key!r} must be between 0 and 1000", key)
    return rule


def _signature(table: "_Table") -> Signature:
    table.only({"policy", "text"})
    policy = table.get("policy", str, "none")
    if policy not in set(SignatureKind):
        raise table.error(f"policy {policy!r} is not {_one_of(SignatureKind)}", "policy")
    kind = SignatureKind(policy)
    text = table.get("text", str, "").strip()
    if kind is SignatureKind.FIXED and not text:
        raise table.error("a fixed signature needs its 'text'", "policy")
    if kind is not SignatureKind.FIXED and text:
        raise table.error("'text' is only for a fixed signature", "text")
    return Signature(kind, text)


def _prose(table: "_Table") -> dict[str, str]:
    for key in table.values:
        table.get(key, str, "")
    return dict(table.values)


def _examples(lines: "_Lines", items: list[Any]) -> list[Example]:
    examples = []
    for index, values in enumerate(items):
        table = _Table(lines, values, f"example #{index + 1}", "examples", index)
        table.only({"context", "reply"})
        examples.append(Example(table.need("context", str), table.need("reply", str)))
    return examples


def _rules(lines: "_Lines", items: list[Any], language: str) -> list[Rule]:
    rules: list[Rule] = []
    for index, values in enumerate(items):
        rid = values.get("id") if isinstance(values, dict) else None
        table = _Table(lines, values, f"rule #{index + 1}", "rules", index, rid)
        if not isinstance(rid, str) or not rid.strip():
            raise table.error("missing 'id'")
        table.name = f"rule {rid!r}"
        if rid in BUILT_IN_RULES:
            raise table.error("this id is reserved for the checker's own findings", "id")
        twin = next((rule for rule in rules if rule.id == rid), None)
        if twin:
            first = f" (first used on line {twin.line})" if twin.line else ""
            raise table.error(f"duplicate id{first}", "id")
        rules.append(_rule(table, language))
    return rules


_FIELDS = {
    RuleKind.FORBIDDEN: {"terms", "suggestion"},
    RuleKind.SUBSTITUTE: {"replace"},
    RuleKind.PATTERN: {"pattern", "mode", "ignore_case", "suggestion"},
    RuleKind.LIMIT: {"counts", "max", "min_letters", "allow"},
    RuleKind.PERSON: {"speaks_as", "addresses", "language"},
}
_Common = tuple[str, RuleKind, Severity, str, int | None]


def _rule(table: "_Table", language: str) -> Rule:
    kind = table.need("kind", str)
    if kind not in set(RuleKind):
        raise table.error(f"unknown kind {kind!r} (use {_one_of(RuleKind)})", "kind")
    severity = table.need("severity", str)
    if severity not in set(Severity):
        raise table.error(f"severity {severity!r} is not {_one_of(Severity)}", "severity")
    rule_kind = RuleKind(kind)
    table.only({"id", "kind", "severity", "message"} | _FIELDS[rule_kind])
    message = table.get("message", str, "")  # each kind below has its own default
    common: _Common = (table.rule_id or "", rule_kind, Severity(severity), message, table.line())
    match rule_kind:
        case RuleKind.FORBIDDEN:
            return _forbidden(table, common)
        case RuleKind.SUBSTITUTE:
            return _substitute(table, common)
        case RuleKind.PATTERN:
            return _pattern(table, common)
        case RuleKind.LIMIT:
            return _limit(table, common)
        case RuleKind.PERSON:
            return _person(table, common, language)


def _forbidden(table: "_Table", common: _Common) -> Rule:
    terms = table.need("terms", list)
    if not terms or not all(isinstance(term, str) and term.strip() for term in terms):
        raise table.error("'terms' must be a list of words", "terms")
    suggestion = table.get("suggestion", str, None)
    common = _message(common, "avoid “{found}”")
    return WordRule(
        *common, _words(terms), MappingProxyType({word_key(t): suggestion for t in terms})
    )


def _substitute(table: "_Table", common: _Common) -> Rule:
    replace = table.need("replace", dict)
    if not replace or not all(isinstance(v, str) and k.strip() for k, v in replace.items()):
        raise table.error("'replace' must map each word to what we say instead", "replace")
    suggestions: dict[str, str | None] = {word_key(k): v for k, v in replace.items()}
    common = _message(common, "say “{suggestion}”, not “{found}”")
    return WordRule(*common, _words(list(replace)), MappingProxyType(suggestions))


def _pattern(table: "_Table", common: _Common) -> Rule:
    pattern = table.need("pattern", str)
    mode = table.need("mode", str)
    if mode not in ("forbidden", "required"):
        raise table.error(f"'mode' must be forbidden or required, not {mode!r}", "mode")
    try:
        regex = GuidePattern(pattern, table.get("ignore_case", bool, False))
    except PatternRefused as refused:
        raise table.error(str(refused), "pattern") from None
    required = mode == "required"
    if required:
        common = _message(common, f"the guide asks for text matching {pattern}")
    common = _message(common, "“{found}” does not sound like us")
    return PatternRule(*common, regex, required, table.get("suggestion", str, None))


def _limit(table: "_Table", common: _Common) -> Rule:
    counts = table.need("counts", str)
    if counts not in set(Countable):
        raise table.error(f"cannot count {counts!r} (use {_one_of(Countable)})", "counts")
    maximum = table.need("max", int)
    if maximum < 0:
        raise table.error("'max' must be 0 or more", "max")
    if counts != Countable.CAPITALS:
        for key in ("min_letters", "allow"):
            if key in table.values:
                raise table.error(f"{key!r} is only for counting capitals", key)
    min_letters = table.get("min_letters", int, 4)
    if min_letters < 2:
        raise table.error("'min_letters' must be 2 or more", "min_letters")
    allow = table.get("allow", list, [])
    if not all(isinstance(word, str) for word in allow):
        raise table.error("'allow' must be a list of words", "allow")
    upper = frozenset(word.upper() for word in allow)
    common = _message(common, f"{{count}} {counts}: the guide allows at most {{max}}")
    return LimitRule(*common, Countable(counts), maximum, min_letters, upper)


def _person(table: "_Table", common: _Common, guide_language: str) -> Rule:
    language = table.get("language", str, guide_language).strip().lower()[:2]
    speaks_as = table.get("speaks_as", str, None)
    addresses = table.get("addresses", str, None)
    if not language:
        raise table.error("no language: set 'language' here or at the top (en or fr)", "language")
    if language not in PERSON_LANGUAGES:
        raise table.error(f"language {language!r} is not supported (use en or fr)", "language")
    if speaks_as is None and addresses is None:
        raise table.error("give 'speaks_as' (we), 'addresses' (vous) or both")
    if speaks_as not in (None, "we", "nous"):
        raise table.error(f"'speaks_as' can only be we (or nous), not {speaks_as!r}", "speaks_as")
    if addresses not in (None, "vous"):
        raise table.error(f"'addresses' can only be vous, not {addresses!r}", "addresses")
    if addresses and language != "fr":
        raise table.error(
            "'addresses' is for French (tu or vous); English has one 'you'", "addresses"
        )
    voice = []
    if speaks_as:
        voice.append("we speak as “we”")
    if addresses:
        voice.append("we say “vous”")
    common = _message(common, "“{found}”: " + " and ".join(voice))
    return PersonRule(*common, language, speaks_as is not None, addresses is not None)


def _message(common: _Common, default: str) -> _Common:
    rule_id, kind, severity, message, line = common
    return rule_id, kind, severity, message or default, line


def _words(terms: list[str]) -> re.Pattern[str]:
    """One regex for whole words: any run of spaces, either apostrophe, longest first."""
    parts = [
        r"\s+".join(re.escape(word).replace("'", "['\u2019]") for word in term.split())
        for term in sorted({word_key(t) for t in terms}, key=len, reverse=True)
    ]
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)", re.IGNORECASE)


def _one_of(values: Any) -> str:
    names = sorted(str(value) for value in values)
    return ", ".join(names[:-1]) + " or " + names[-1]


_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*([A-Za-z0-9_-]+)[ \t]*\]")
_KINDS = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}


class _Lines:
    """The guide's source by line, to say where a table, a key or a rule is."""

    def __init__(self, origin: str, source: str) -> None:
        self.origin = origin
        self.lines = source.splitlines()
        self.headers = [
            (number, match[1])
            for number, line in enumerate(self.lines, 1)
            if (match := _HEADER.match(line))
        ]

    def block(self, table: str | None, index: int) -> tuple[int | None, int, int]:
        """The header's line and the range of lines of the table's body (top level if None)."""
        end = len(self.lines) + 1
        if table is None:
            return None, 1, self.headers[0][0] if self.headers else end
        starts = [number for number, name in self.headers if name == table]
        if index >= len(starts):  # written inline, not under its own header
            return None, 1, end
        later = [number for number, _ in self.headers if number > starts[index]]
        return starts[index], starts[index] + 1, later[0] if later else end

    def find(self, key: str, value: str | None, first: int, end: int) -> int | None:
        """The first line in [first, end) that sets `key` (to `value`, if given)."""
        name = f"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
        tail = rf"\s*=\s*[\"']{re.escape(value)}[\"']" if value is not None else r"\s*="
        pattern = re.compile(rf"(?:^|[{{,])\s*{name}{tail}")
        return next(
            (n for n in range(first, end) if pattern.search(self.lines[n - 1])),
            None,
        )


class _Table:
    """One table of the guide being read, with what to call it and where it is."""

    def __init__(
        self,
        lines: _Lines,
        values: Any,
        name: str,
        table: str | None,
        index: int = 0,
        rule_id: Any = None,
    ) -> None:
        self.lines, self.name, self.table, self.index = lines, name, table, index
        self.rule_id = rule_id if isinstance(rule_id, str) else None
        if not isinstance(values, dict):
            raise self.error("must be a table")
        self.values: dict[str, Any] = values

    def line(self, key: str | None = None) -> int | None:
        """The key's line, else the rule's `id` line, else the table's header line.

        A table written inline (`rules = [{ ... }]`) has no header: its `id` line, else the line
        that opens the array."""
        header, first, end = self.lines.block(self.table, self.index)
        inline = header is None and self.table is not None
        if key and not inline and (found := self.lines.find(key, None, first, end)):
            return found
        if self.rule_id and (found := self.lines.find("id", self.rule_id, first, end)):
            return found
        if inline and self.table:
            return self.lines.find(self.table, None, 1, self.lines.block(None, 0)[2])
        return header

    def error(self, problem: str, key: str | None = None) -> GuideError:
        prefix = f"{self.name}: " if self.name else ""
        return GuideError(self.lines.origin, self.line(key), prefix + problem)

    def only(self, allowed: set[str]) -> None:
        for key in self.values:
            if key not in allowed:
                raise self.error(f"unknown field {key!r}", key)

    def get(self, key: str, kind: type, default: Any) -> Any:
        if key not in self.values:
            return default
        value = self.values[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(f"{key!r} must be {_KINDS[kind]}", key)
        return value

    def need(self, key: str, kind: type) -> Any:
        if key not in self.values:
            raise self.error(f"missing {key!r}")
        return self.get(key, kind, None)
