"""Counting a report from its rows: pure functions, so every number has one definition.

- A first reply: the earliest published reply to a message received in the period; its time
  is counted in the alias's business hours and belongs to whoever wrote it.
- A message is settled when the alias published a reply to it or to a later message of the same
  contact, or when the thread was closed without a reply up to it. A contact is in the backlog at
  a moment if one of its messages received in the period arrived before and is not settled yet.
"""

import json
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from cmconsole.domain.business_hours import BusinessHours, business_seconds
from cmconsole.domain.model import PostStatus
from cmconsole.domain.percentiles import percentile
from cmconsole.services.report_model import Day, Figures, Hour

Message = tuple[int, str, datetime]  # id, contact, received at
Reply = tuple[int, int, str, datetime]  # author, message answered, its contact, published at
Close = tuple[str, int | None, datetime, int | None]  # contact, by, at, up to message
Reviewed = tuple[int, str, datetime, str]  # author, status, created at, overrides


class FirstReply(NamedTuple):
    # A tuple, not a dataclass: a period has tens of thousands, made several times faster.
    message: int
    received_at: datetime
    replied_at: datetime
    author: int
    seconds: float  # in business hours


@dataclass(frozen=True)
class Rows:
    """Everything one report counts, for the whole alias over the period."""

    messages: list[Message]
    replies: list[Reply]
    closes: list[Close]
    reviewed: list[Reviewed]
    first: list[FirstReply]


def first_replies(
    messages: Sequence[Message], replies: Iterable[Reply], hours: BusinessHours, zone: str
) -> list[FirstReply]:
    received = {message_id: at for message_id, _, at in messages}
    earliest: dict[int, tuple[datetime, int]] = {}
    for author, answered, _, at in replies:
        if answered in received:
            found = earliest.get(answered)
            if found is None or (at, author) < found:
                earliest[answered] = (at, author)
    if hours.always:  # business_seconds' own answer, without a call per reply
        return [
            FirstReply(message, arrived, at, author, (at - arrived).total_seconds())
            if at > arrived
            else FirstReply(message, arrived, at, author, 0.0)
            for message, (at, author) in sorted(earliest.items())
            for arrived in (received[message],)
        ]
    return [
        FirstReply(
            message,
            received[message],
            at,
            author,
            business_seconds(received[message], at, hours, zone),
        )
        for message, (at, author) in sorted(earliest.items())
    ]


def figures(name: str, received: int | None, rows: Rows, target_minutes: int | None) -> Figures:
    seconds = [first.seconds for first in rows.first]
    within = None
    if target_minutes is not None and seconds:
        within = sum(s <= target_minutes * 60 for s in seconds) / len(seconds)
    rules: Counter[str] = Counter()
    for *_, overrides in rows.reviewed:
        rules.update(list(json.loads(overrides or "{}")))
    return Figures(
        name=name,
        received=received,
        replies=len(rows.replies),
        threads_answered=len({contact for _, _, contact, _ in rows.replies}),
        closed_without_reply=len(rows.closes),
        first_replies=len(seconds),
        median_seconds=percentile(seconds, 0.5),
        p90_seconds=percentile(seconds, 0.9),
        within_target=within,
        sent_back=sum(status == PostStatus.REJECTED.value for _, status, _, _ in rows.reviewed),
        overrides=sum(rules.values()),
        override_rules=dict(sorted(rules.items())),
    )


def by_operator(rows: Rows, operator_id: int) -> Rows:
    return split_by_operator(rows).get(operator_id, EMPTY)


EMPTY = Rows([], [], [], [], [])


def split_by_operator(rows: Rows) -> dict[int, Rows]:
    """Each operator's replies, closings, reviewed posts and first replies, in one pass, each
    list in time order (so that a shift's share is found by bisection)."""
    people: dict[int | None, Rows] = defaultdict(lambda: Rows([], [], [], [], []))
    for reply in sorted(rows.replies, key=lambda reply: reply[3]):
        people[reply[0]].replies.append(reply)
    for close in sorted(rows.closes, key=lambda close: close[2]):
        people[close[1]].closes.append(close)
    for post in sorted(rows.reviewed, key=lambda post: post[2]):
        people[post[0]].reviewed.append(post)
    for first in sorted(rows.first, key=lambda first: first.replied_at):
        people[first.author].first.append(first)
    return {person: found for person, found in people.items() if person is not None}


class Shifts:
    """Counts one shift's figures by bisection, not by walking the whole period each time."""

    def __init__(self, rows: Rows, people: dict[int, Rows] | None = None) -> None:
        """`people`: `split_by_operator(rows)`, if the caller has it already."""
        self._received = sorted(at for _, _, at in rows.messages)
        self._people = split_by_operator(rows) if people is None else people
        self._moments = {
            person: (
                [r[3] for r in mine.replies],
                [c[2] for c in mine.closes],
                [p[2] for p in mine.reviewed],
                [f.replied_at for f in mine.first],
            )
            for person, mine in self._people.items()
        }

    def figures(
        self, operator: int, start: datetime, end: datetime, target_minutes: int | None
    ) -> Figures:
        received = bisect_left(self._received, end) - bisect_left(self._received, start)
        mine = self._people.get(operator, EMPTY)
        moments = self._moments.get(operator, ([], [], [], []))

        def part(items: list[Any], times: list[datetime]) -> list[Any]:
            return items[bisect_left(times, start) : bisect_left(times, end)]

        during = Rows(
            [],
            part(mine.replies, moments[0]),
            part(mine.closes, moments[1]),
            part(mine.reviewed, moments[2]),
            part(mine.first, moments[3]),
        )
        return figures("shift", received, during, target_minutes)


def day_start(day: date, zone: str) -> datetime:
    # In UTC, like the rows: datetimes that share their tzinfo compare without asking it for
    # offsets, several times faster over a period's hundred thousand rows.
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def days(rows: Rows, since: date, until: date, zone: str) -> list[Day]:
    dates = [since + timedelta(days=n) for n in range((until - since).days + 1)]
    cutoffs = [day_start(day + timedelta(days=1), zone) for day in dates]
    # How many moments fall on each day, by bisection of the sorted moments at the days' ends
    # (no time zone sums per row, one bisection per day rather than per row).
    received = _per_day(sorted(at for _, _, at in rows.messages), cutoffs)
    replies = _per_day(sorted(at for *_, at in rows.replies), cutoffs)
    waiting = backlog(rows, cutoffs)
    return [
        Day(day, received[n], replies[n], count)
        for n, (day, count) in enumerate(zip(dates, waiting, strict=True))
    ]


def _per_day(moments: list[datetime], cutoffs: list[datetime]) -> list[int]:
    """How many of the sorted `moments` fall before each cutoff and on or after the one before."""
    before = [bisect_left(moments, cutoff) for cutoff in cutoffs]
    return [count - earlier for count, earlier in zip(before, [0, *before[:-1]], strict=True)]


def backlog(rows: Rows, cutoffs: Sequence[datetime]) -> list[int]:
    """How many contacts were waiting at each cutoff (sorted): see the module's docstring."""
    # The earliest reply to each message of the period: what its first reply already says.
    answered = {first.message: first.replied_at for first in rows.first}
    closed: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for contact, _, at, upto in rows.closes:
        if upto is not None:
            closed[contact].append((at, upto))
    marks = [0] * (len(cutoffs) + 1)
    written = Counter(contact for _, contact, _ in rows.messages)
    by_contact: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for message, contact, at in rows.messages:
        if written[contact] > 1 or contact in closed:
            by_contact[contact].append((message, at))
            continue
        # Most contacts: one message, never closed; counted as they come, not grouped first.
        replied = answered.get(message)
        first = bisect_right(cutoffs, at)
        last = len(cutoffs) if replied is None else bisect_right(cutoffs, replied)
        if first < last and (replied is None or replied > at):
            marks[first] += 1
            marks[last] -= 1
    for contact, messages in by_contact.items():
        closings = closed.get(contact, [])
        settled: list[tuple[datetime, datetime | None]] = []
        soonest: datetime | None = None
        for message, at in reversed(messages):  # newest first: a later reply settles older ones
            replied = answered.get(message)
            if replied is not None and (soonest is None or replied < soonest):
                soonest = replied
            ends = soonest
            for closed_at, upto in closings:
                if message <= upto and (ends is None or closed_at < ends):
                    ends = closed_at
            settled.append((at, ends))
        if len(settled) > 1:
            settled.sort(key=lambda pair: pair[0])
        for opens, closes in _merged(settled):
            first = bisect_right(cutoffs, opens)  # cutoffs after it arrived
            last = len(cutoffs) if closes is None else bisect_right(cutoffs, closes)
            if first < last:
                marks[first] += 1
                marks[last] -= 1
    counts, running = [], 0
    for mark in marks[:-1]:
        running += mark
        counts.append(running)
    return counts


def _merged(
    spans: list[tuple[datetime, datetime | None]],
) -> list[tuple[datetime, datetime | None]]:
    """Union of (opens, closes] spans sorted by opening; None closes never."""
    merged: list[tuple[datetime, datetime | None]] = []
    for opens, closes in spans:
        if closes is not None and closes <= opens:
            continue  # settled as it arrived (a reply in the same instant): never waited
        if merged and (merged[-1][1] is None or opens < merged[-1][1]):
            last_open, last_close = merged[-1]
            longer = None if last_close is None or closes is None else max(last_close, closes)
            merged[-1] = (last_open, longer)
        else:
            merged.append((opens, closes))
    return merged


def by_hour(first: Sequence[FirstReply], zone: str) -> list[Hour]:
    tz = ZoneInfo(zone)
    grouped: dict[int, list[float]] = defaultdict(list)
    for reply in first:
        grouped[reply.received_at.astimezone(tz).hour].append(reply.seconds)
    return [Hour(hour, len(grouped[hour]), percentile(grouped[hour], 0.5)) for hour in range(24)]
