"""A report over two weeks of mixed work, on both engines: every day's volume and backlog, the
reply times and who answered, against counts written here in plain SQL; and the whole report
(voice drift and business-hours times included) pinned to the numbers it printed when written."""

import json
import random
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from cmconsole.domain.triage import CloseReason
from tests.conftest import receive
from tests.test_reports import backlog_sql, nearest_rank, seconds, sql

SINCE, UNTIL = date(2026, 11, 2), date(2026, 11, 15)
START = datetime(2026, 11, 2, tzinfo=UTC)
END = datetime(2026, 11, 16, tzinfo=UTC)
PINNED = Path(__file__).parent / "data" / "report_numbers.json"

TEXTS = [
    "We have found your order, it leaves tonight.",
    "Thanks for waiting, we are on it and will update you by five.",
    "We are sorry for the delay. Your parcel ships tomorrow!",
    "Good news: we have refunded the order this morning.",
    "Did you get our email? We sent the invoice.",
    "I found your order, I will send it tonight. ^OT",
    "I am sorry, I will check with billing 🙏",
    "Tu peux nous écrire en privé ? On regarde ça !",
    "Merci, je transmets à l'équipe 😊😊",
    "Ok.",
    "Your replacement is on its way, tracking follows by email, and the courier will call "
    "before ten so that someone is home to sign for the parcel. — Olga",
]


@pytest.fixture
def weeks(services, team, clock):
    """Fans write and come back, three people answer (fast, slow, the next day, twice), the
    lead closes threads and sends a trainee's replies back, over two weeks."""
    rng = random.Random(18)
    answering = [team.lead, team.operator, team.other]
    for person in (*answering, team.trainee):
        services.shifts.start(person, team.alias.id)
    waiting: list[tuple[int, str]] = []
    answered: list[tuple[int, str]] = []
    fans = [f"@fan{n}" for n in range(40)]
    for step in range(260):
        clock.advance(minutes=rng.choice([1, 5, 17, 45, 90, 120, 240]))
        roll = rng.random()
        if roll < 0.45 or not waiting:
            fan = rng.choice(fans)
            waiting.append((receive(services, team.alias, fan, f"@brand question {step}?"), fan))
        elif roll < 0.85:
            message, fan = waiting.pop(rng.randrange(len(waiting)))
            who = rng.choice(answering)
            services.posting.reply(who, message, rng.choice(TEXTS))
            services.claims.release(who, team.alias.id, fan)
            answered.append((message, fan))
        elif roll < 0.90 and answered:
            message, fan = rng.choice(answered)  # a second reply to the same message
            services.posting.reply(team.operator, message, rng.choice(TEXTS))
            services.claims.release(team.operator, team.alias.id, fan)
        elif roll < 0.95:
            message, fan = rng.choice(waiting)
            draft = services.posting.reply(team.trainee, message, rng.choice(TEXTS))
            services.posting.reject(team.lead, draft.id, "not yet")
            services.claims.release(team.trainee, team.alias.id, fan)
        else:
            _, fan = rng.choice(waiting)
            services.triage.close(team.lead, team.alias.id, [fan], CloseReason.NO_REPLY_NEEDED)
            waiting = [(m, f) for m, f in waiting if f != fan]
        if rng.random() < 0.5:
            services.dispatcher.dispatch_pending()
    services.dispatcher.dispatch_pending()
    return team


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite: naive UTC text
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _plain(report) -> dict:
    return json.loads(json.dumps(asdict(report), default=str))


def test_days_backlog_and_reply_times_match_plain_sql(services, weeks, database_url):
    report = services.reports.report(weeks.lead, weeks.alias.id, SINCE, UNTIL)
    window = {"a": weeks.alias.id, "s": START, "e": END}
    for day in report.days:
        cutoff = datetime.combine(day.day + timedelta(days=1), datetime.min.time(), UTC)
        begins = cutoff - timedelta(days=1)
        [(received,)] = sql(
            database_url,
            "SELECT COUNT(*) FROM inbound_message WHERE alias_id = :a "
            "AND received_at >= :b AND received_at < :c",
            a=weeks.alias.id,
            b=begins,
            c=cutoff,
        )
        [(replies,)] = sql(
            database_url,
            "SELECT COUNT(*) FROM post WHERE alias_id = :a AND status = 'published' "
            "AND in_reply_to_id IS NOT NULL AND published_at >= :b AND published_at < :c",
            a=weeks.alias.id,
            b=begins,
            c=cutoff,
        )
        backlog = backlog_sql(database_url, weeks.alias.id, cutoff)
        assert (day.received, day.replies, day.backlog) == (received, replies, backlog), day.day
    assert sum(day.backlog for day in report.days) > 20  # the backlog moved, not stayed at zero
    waits = sql(
        database_url,
        f"SELECT i.received_at, {seconds(database_url, 'MIN(p.published_at)', 'i.received_at')} "
        "FROM inbound_message i JOIN post p ON p.in_reply_to_id = i.id "
        "AND p.status = 'published' AND p.published_at < :e "
        "WHERE i.alias_id = :a AND i.received_at >= :s AND i.received_at < :e "
        "GROUP BY i.id, i.received_at",
        **window,
    )
    times = [float(row[1]) for row in waits]
    team = report.team
    assert team.first_replies == len(times) > 80
    assert team.median_seconds == pytest.approx(nearest_rank(times, 0.5), abs=0.01)
    assert team.p90_seconds == pytest.approx(nearest_rank(times, 0.9), abs=0.01)
    for hour in report.hours:
        mine = [float(row[1]) for row in waits if _utc(row[0]).hour == hour.hour]
        assert hour.first_replies == len(mine), hour.hour
        if mine:
            assert hour.median_seconds == pytest.approx(nearest_rank(mine, 0.5), abs=0.01)
    firsts = sql(
        database_url,
        "SELECT o.name, COUNT(*) FROM inbound_message i JOIN post p ON p.id = ("
        "  SELECT q.id FROM post q WHERE q.in_reply_to_id = i.id AND q.status = 'published' "
        "  AND q.published_at < :e ORDER BY q.published_at, q.author_id LIMIT 1) "
        "JOIN operator o ON o.id = p.author_id "
        "WHERE i.alias_id = :a AND i.received_at >= :s AND i.received_at < :e GROUP BY o.name",
        **window,
    )
    people = {row.name: row.first_replies for row in report.operators if row.first_replies}
    assert people == dict(firsts)


def test_the_whole_report_prints_the_numbers_it_was_pinned_to(services, weeks, database_url):
    always = services.reports.report(weeks.lead, weeks.alias.id, SINCE, UNTIL)
    services.reports.set_hours(weeks.lead, "@brand", "mon-fri 09:00-17:00", 30)
    staffed = services.reports.report(weeks.lead, weeks.alias.id, SINCE, UNTIL)
    mine = services.reports.report(weeks.operator, weeks.alias.id, SINCE, UNTIL)
    services.accounts.set_time_zone("@brand", "America/New_York", by=weeks.lead)
    west = services.reports.report(weeks.lead, weeks.alias.id, SINCE, UNTIL)
    found = {
        "always": _plain(always),
        "staffed": _plain(staffed),
        "otto": _plain(mine),
        "new_york": _plain(west),
    }
    assert sum(len(week["drifts"]) for week in found["always"]["voice"]) > 3
    assert found == json.loads(PINNED.read_text())
