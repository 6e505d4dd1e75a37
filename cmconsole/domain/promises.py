"""Promises found in a reply ("nous revenons vers vous demain"): what was promised, and by when."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A bare day ("demain", "friday") is due at this hour in the alias's zone: early enough that the
# follow-up shows before the working day is gone, late enough that the team has started it.
BUSINESS_HOUR = time(10, 0)
# "today" with no hour: by the end of the working day.
END_OF_DAY = time(17, 0)
# Parts of the day named instead of an hour.
PARTS_OF_DAY = {
    "matin": time(9, 0),
    "matinée": time(9, 0),
    "fin de matinée": time(12, 0),
    "après-midi": time(15, 0),
    "fin de journée": END_OF_DAY,
    "soir": time(18, 0),
    "soirée": time(18, 0),
    "morning": time(9, 0),
    "afternoon": time(15, 0),
    "end of day": END_OF_DAY,
    "end of the day": END_OF_DAY,
    "eod": END_OF_DAY,
    "close of business": END_OF_DAY,
    "cob": END_OF_DAY,
    "evening": time(18, 0),
    "tonight": time(18, 0),
}
TODAY = {"fr": "aujourd'hui", "en": "today"}


@dataclass(frozen=True)
class Promise:
    """A commitment found in a text: the sentence that makes it, where it is, and when it is due."""

    start: int  # the sentence's span in the text
    end: int
    text: str  # the sentence, as written
    when: str  # the time expression, as written ("demain", "by 5 pm")
    due_at: datetime  # aware, in the zone it was read in


def _words(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


# Verbs of commitment, in the forms that promise (present and future, or "going to" + the verb);
# a past form ("nous vous avons répondu hier") commits to nothing.
_COMMITMENTS = {
    "fr": re.compile(
        _words(
            r"\b(?:revenons|reviendrons|reviens|reviendrai|revient|reviendra|reviendront|revenir)"
            r"\s+vers\s+vous",
            r"\bvous\s+(?:recontact(?:ons|erons|e|erai|era|eront|er)"
            r"|rappel(?:ons|lerons|le|lerai|lera|leront|er)"
            r"|répond(?:ons|rons|s|rai|ra|ront|re)"
            r"|confirm(?:erons|erai|era|eront|er)"
            r"|(?:tiens|tenons|tient|tiendrons|tiendrai|tiendra|tiendront|tenir)"
            r"\s+(?:au\s+courant|informée?s?))",
            r"\bvous\s+aurez\s+(?:une\s+|notre\s+|nos\s+|des\s+)?(?:réponse|retour|nouvelles)",
        ),
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"\b(?:we|i)(?:'ll|\s+will|\s+shall|'re\s+going\s+to|'m\s+going\s+to"
        r"|\s+are\s+going\s+to|\s+am\s+going\s+to)\s+(?:\w+ly\s+)?"
        + _words(
            r"get\s+back\s+to\s+you",
            r"come\s+back\s+to\s+you",
            r"update\s+you",
            r"follow\s+up",
            r"let\s+you\s+know",
            r"keep\s+you\s+(?:posted|updated|informed)",
            r"reach\s+out",
            r"be\s+in\s+touch",
            r"get\s+in\s+touch",
            r"reply",
            r"respond",
            r"answer",
            r"circle\s+back",
            r"call\s+you",
            r"(?:e-?mail|write\s+to|message)\s+you",
            r"have\s+(?:an?\s+)?(?:answer|update|reply)",
        )
        + r"|\byou(?:'ll|\s+will)\s+hear\s+(?:back\s+)?from\s+us",
        re.IGNORECASE,
    ),
}

_FR_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_EN_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_FR_DAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_EN_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"

# A time expression: a duration ("sous 48h"), or a day with perhaps an hour or a part of the
# day ("lundi matin", "tomorrow at 3 pm"), or an hour or a part of today ("avant midi", "by 5 pm").
_TIMES = {
    "fr": re.compile(
        r"(?P<duration>(?:sous|dans|d'ici|en\s+moins\s+de)\s+(?:les\s+)?(?P<count>\d{1,3})\s*"
        r"(?P<unit>h\b|heures?|jours?|j\b|minutes?|min\b))"
        rf"|(?P<day>aujourd'hui|après-demain|demain|(?:{_FR_DAYS})(?:\s+prochain)?"
        rf"|(?:le\s+)?\d{{1,2}}(?:er)?\s+(?:{_FR_MONTHS})|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?)"
        r"(?P<past>\s+(?:dernier|passé))?"
        r"(?:\s*,?\s*(?:à|vers|avant|dans\s+la|en|d'ici)?\s*(?:(?P<hour>\d{1,2}\s*h(?:\s*\d{2})?"
        r"|\d{1,2}:\d{2}|midi)|(?P<part>fin\s+de\s+matinée|fin\s+de\s+journée|matinée|matin"
        r"|après-midi|soirée|soir)))?"
        r"|(?:ce|cet|cette)\s+(?P<today_part>matin|après-midi|soir)"
        r"|(?:à|vers|avant|pour|d'ici)\s+(?P<today_hour>\d{1,2}\s*h(?:\s*\d{2})?|\d{1,2}:\d{2}|midi"
        r"|la\s+fin\s+de\s+(?:la\s+)?(?:journée|matinée))",
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"(?P<duration>(?:within|in|in\s+the\s+next|under)\s+(?P<count>\d{1,3})\s*"
        r"(?P<unit>h\b|hrs?\b|hours?|days?|minutes?|mins?\b))"
        rf"|(?P<day>today|tomorrow|(?:next\s+|this\s+)?(?:{_EN_DAYS})"
        rf"|(?:{_EN_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_EN_MONTHS}))"
        r"(?P<past>\s+(?:last|ago))?"
        r"(?:\s*,?\s*(?:at|by|before|around|in\s+the)?\s*(?:(?P<hour>\d{1,2}(?::\d{2})?\s*[ap]\.?m\.?"
        r"|\d{1,2}:\d{2}|noon|midday)|(?P<part>morning|afternoon|evening|end\s+of\s+(?:the\s+)?day)))?"
        r"|(?P<today_part>tonight|this\s+(?:morning|afternoon|evening))"
        r"|(?:at|by|before|around)\s+(?P<today_hour>\d{1,2}(?::\d{2})?\s*[ap]\.?m\.?|\d{1,2}:\d{2}"
        r"|noon|midday|(?:the\s+)?end\s+of\s+(?:the\s+)?day|eod|cob|close\s+of\s+business)",
        re.IGNORECASE,
    ),
}
# A sentence that refuses ("nous ne pourrons pas vous répondre demain", "we won't update you")
# promises nothing; "nous ne manquerons pas de revenir vers vous" still does.
_REFUSALS = {
    "fr": re.compile(r"\bn(?:e\s+|')(?!manqu)\w+\s+(?:pas|jamais|plus)\b", re.IGNORECASE),
    "en": re.compile(
        r"\b(?:won't|will\s+not|can't|cannot|can\s+not|unable|not\s+be\s+able)\b",
        re.IGNORECASE,
    ),
}
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def find_promises(text: str, language: str, zone: str, now: datetime) -> list[Promise]:
    """The promises `text` makes, read in `language` ("fr", "en") and the IANA `zone`, due after
    `now` (aware). A sentence promises when it has a verb of commitment and a time expression
    that is not in the past; anything else (thanks for yesterday, last Friday) is no promise."""
    language = language.lower()[:2]
    commitment = _COMMITMENTS.get(language)
    if commitment is None:
        return []
    tz = _zone(zone)
    local_now = now.astimezone(tz)
    found = []
    for sentence in _SENTENCE.finditer(_straight_quotes(text)):
        if not commitment.search(sentence.group()) or _REFUSALS[language].search(sentence.group()):
            continue
        for when in _TIMES[language].finditer(sentence.group()):
            if when.group("past"):
                continue
            due = _due(when, language, tz, local_now)
            if due is not None and due > now:
                start, end = _stripped(text, sentence.start(), sentence.end())
                found.append(Promise(start, end, text[start:end], _as_written(when), due))
                break
    return found


def _as_written(when: re.Match[str]) -> str:
    return when.group().strip().rstrip(".,;")


def prepare(language: str) -> None:
    """Load the parser and its tables for `language` now (a few tenths of a second, once), so
    the first promise found does not wait for them."""
    language = language.lower()[:2]
    if language in _COMMITMENTS:
        _parse(TODAY[language], language, datetime(2000, 1, 1))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _straight_quotes(text: str) -> str:
    return text.replace("\u2019", "'")  # same length: spans still point into the original


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _due(when: re.Match[str], language: str, tz: ZoneInfo, now: datetime) -> datetime | None:
    if when.group("duration"):
        return _after(when.group("count"), when.group("unit"), language, tz, now)
    hour = when.group("hour") or when.group("today_hour")
    part = when.group("part") or when.group("today_part")
    at = _clock_time(hour, language) if hour else _part_of_day(part) if part else None
    day = when.group("day")
    if day is None:
        if at is None:
            return None
        due = datetime.combine(now.date(), at, tz)
        # An hour alone that has passed today ("by 5 pm", written at 6 pm) means tomorrow's.
        return due if due > now else datetime.combine(now.date() + timedelta(days=1), at, tz)
    date = _parse(_day_words(day), language, now)
    if date is None:
        return None
    if at is None:
        at = END_OF_DAY if day.lower() in TODAY.values() else BUSINESS_HOUR
    return datetime.combine(date.date(), at, tz)


def _after(count: str, unit: str, language: str, tz: ZoneInfo, now: datetime) -> datetime | None:
    unit = unit.lower()
    if unit.startswith("h"):
        words = "hours"
    elif unit.startswith("m"):
        words = "minutes"
    else:
        words = "days"
    if words == "days":
        # Days are counted on the wall clock (a DST change does not move the hour).
        parsed = _parse(f"in {count} days", "en", now)
        return None if parsed is None else parsed.replace(tzinfo=tz)
    # Hours are elapsed time: counted in UTC, then shown in the zone.
    parsed = _parse(f"in {count} {words}", "en", now.astimezone(UTC))
    return None if parsed is None else parsed.replace(tzinfo=UTC).astimezone(tz)


def _parse(words: str, language: str, base: datetime) -> datetime | None:
    """dateparser on the words, relative to `base`'s wall clock; a naive result on that clock."""
    import dateparser  # loaded when first needed: it takes a few tenths of a second

    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": base.replace(tzinfo=None)}
    parsed = dateparser.parse(words, languages=[language], settings=settings)
    return None if parsed is None else parsed.replace(tzinfo=None)


def _day_words(day: str) -> str:
    return re.sub(r"^le\s+", "", re.sub(r"\s+prochain$", "", day.strip(), flags=re.I), flags=re.I)


def _clock_time(hour: str, language: str) -> time | None:
    words = re.sub(r"\s+", " ", hour.lower().replace(".", "")).strip()
    if words in {"midi", "noon", "midday"}:
        return time(12, 0)
    if words.startswith(("la fin", "fin", "the end", "end", "eod", "cob", "close")):
        words = re.sub(r"^(?:la |the )", "", words)
        words = re.sub(r" de la ", " de ", words)
        return PARTS_OF_DAY.get(words, END_OF_DAY)
    french = re.fullmatch(r"(\d{1,2}) ?h ?(\d{2})?", words)
    if french:
        words = f"{french.group(1)}:{french.group(2) or '00'}"
    parsed = _parse(words, language, datetime(2000, 1, 1))
    return None if parsed is None else parsed.time()


def _part_of_day(part: str) -> time | None:
    return PARTS_OF_DAY.get(re.sub(r"\s+", " ", part.lower()).removeprefix("this "))
