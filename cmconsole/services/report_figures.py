"""Counting a report from its rows: pure functions, so every number has one definition.

- A first reply: the earliest published reply to a message received in the period; its time
  is counted in the alias's business hours and belongs to whoever wrote it.
- A message is settled when the alias published a reply to it or to a later message of the same
  contact, or when the thread was closed without a reply up to it. A contact is in the backlog at
  a moment if one of its messages received in the period arrived before and is not settled yet.
"""

import json
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cmconsole.domain.business_hours import BusinessHours, business_seconds
from cmconsole.domain.model import PostStatus
from cmconsole.domain.percentiles import percentile
from cmconsole.services.report_model import Day, Figures, Hour

Message = tuple[int, str, datetime]  # id, contact, received at
Reply = tuple[int, int, str, datetime]  # author, message answered, its contact, published at
Close = tuple[str, int | None, datetime, int | None]  # contact, by, at, up to message
Reviewed = tuple[int, str, datetime, str]  # author, status, created at, overrides


@dataclass(frozen=True)
class FirstReply:
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
        if answered in received and (answered not in earliest or (at, author) < earliest[answered]):
            earliest[answered] = (at, author)
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
    return Rows(
        [],
        [reply for reply in rows.replies if reply[0] == operator_id],
        [close for close in rows.closes if close[1] == operator_id],
        [post for post in rows.reviewed if post[0] == operator_id],
        [first for first in rows.first if first.author == operator_id],
    )


def within(rows: Rows, start: datetime, end: datetime) -> Rows:
    """The rows whose moment (received, published, closed, written, replied) is in [start, end)."""
    return Rows(
        [m for m in rows.messages if start <= m[2] < end],
        [r for r in rows.replies if start <= r[3] < end],
        [c for c in rows.closes if start <= c[2] < end],
        [p for p in rows.reviewed if start <= p[2] < end],
        [f for f in rows.first if start <= f.replied_at < end],
    )


def day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


def days(rows: Rows, since: date, until: date, zone: str) -> list[Day]:
    tz = ZoneInfo(zone)
    dates = [since + timedelta(days=n) for n in range((until - since).days + 1)]
    received = Counter(at.astimezone(tz).date() for _, _, at in rows.messages)
    replies = Counter(at.astimezone(tz).date() for *_, at in rows.replies)
    cutoffs = [day_start(day + timedelta(days=1), zone) for day in dates]
    waiting = backlog(rows, cutoffs)
    return [
        Day(day, received[day], replies[day], count)
        for day, count in zip(dates, waiting, strict=True)
    ]


def backlog(rows: Rows, cutoffs: Sequence[datetime]) -> list[int]:
    """How many contacts were waiting at each cutoff (sorted): see the module's docstring."""
    answered: dict[int, datetime] = {}
    for _, message, _, at in rows.replies:
        if message not in answered or at < answered[message]:
            answered[message] = at
    closed: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for contact, _, at, upto in rows.closes:
        if upto is not None:
            closed[contact].append((at, upto))
    by_contact: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for message, contact, at in rows.messages:
        by_contact[contact].append((message, at))
    marks = [0] * (len(cutoffs) + 1)
    for contact, messages in by_contact.items():
        settled: list[tuple[datetime, datetime | None]] = []
        soonest: datetime | None = None
        for message, at in reversed(messages):  # newest first: a later reply settles older ones
            replied = answered.get(message)
            if replied is not None and (soonest is None or replied < soonest):
                soonest = replied
            ends = [c_at for c_at, upto in closed.get(contact, ()) if message <= upto]
            ends += [soonest] if soonest is not None else []
            settled.append((at, min(ends) if ends else None))
        for opens, closes in _merged(sorted(settled, key=lambda pair: pair[0])):
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
