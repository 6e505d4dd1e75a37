"""Reports for leads: every number checked against a count written here in plain SQL, on both
engines; and who may see whose numbers."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from cmconsole.domain.errors import InvalidInput, PermissionDenied
from cmconsole.domain.triage import CloseReason
from tests.conftest import receive
from tests.test_guide_versions import GUIDE, ready

DAY1, DAY2 = date(2026, 11, 2), date(2026, 11, 3)


@pytest.fixture
def busy(services, team, clock, tmp_path, database_url):
    """Two days of work on @brand: replies fast and slow, one sent back, one closed, one
    warning passed on purpose, and a fan still waiting at the end."""
    path = tmp_path / "brand.toml"
    path.write_text(GUIDE)
    services.guides.import_file("@brand", path, by=team.lead)
    for person in (team.lead, team.operator, team.other, team.trainee):
        ready(services, person, team.alias)

    def answer(who, message, words, minutes, overrides=None):
        clock.advance(minutes=minutes)
        services.posting.reply(who, message, words, overrides)
        services.dispatcher.dispatch_pending()

    first = receive(services, team.alias, "@fan1", "@brand where is my order?")
    second = receive(services, team.alias, "@fan2", "@brand hello?")
    third = receive(services, team.alias, "@fan3", "@brand refund please")
    receive(services, team.alias, "@fan4", "@brand lol")
    answer(team.operator, first, "We found it, it ships today.", 10)
    answer(team.other, second, "We will answer asap.", 30, {"no-asap": "quoting"})
    clock.advance(minutes=5)
    sent_back = services.posting.reply(team.trainee, third, "We refund you now.")
    services.posting.reject(team.lead, sent_back.id, "check the order first")
    services.triage.close(team.lead, team.alias.id, ["@fan4"], CloseReason.NO_REPLY_NEEDED)
    clock.advance(days=1)
    fifth = receive(services, team.alias, "@fan5", "@brand is the shop open?")
    receive(services, team.alias, "@fan1", "@brand thanks, and the invoice?")
    answer(team.operator, fifth, "We open at nine.", 120)
    return team


def sql(database_url, query, **values):
    engine = create_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"
    bound = {
        name: value.strftime("%Y-%m-%d %H:%M:%S.%f")
        if sqlite and isinstance(value, datetime)
        else value
        for name, value in values.items()
    }
    with engine.connect() as connection:
        rows = connection.execute(text(query), bound).all()
    engine.dispose()
    return rows


def seconds(database_url, later, earlier):
    if database_url.startswith("sqlite"):
        return f"(julianday({later}) - julianday({earlier})) * 86400"
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


def nearest_rank(values, share):
    ordered = sorted(values)
    rank = max(1, -(-int(share * 100) * len(ordered) // 100))
    return ordered[rank - 1]


START = datetime(2026, 11, 2, tzinfo=UTC)
END = datetime(2026, 11, 4, tzinfo=UTC)


def test_every_team_number_matches_an_independent_sql_count(services, busy, database_url):
    report = services.reports.report(busy.lead, busy.alias.id, DAY1, DAY2)
    team, alias = report.team, busy.alias.id
    window = {"a": alias, "s": START, "e": END}
    [(received,)] = sql(
        database_url,
        "SELECT COUNT(*) FROM inbound_message WHERE alias_id = :a "
        "AND received_at >= :s AND received_at < :e",
        **window,
    )
    [(replies, threads)] = sql(
        database_url,
        "SELECT COUNT(*), COUNT(DISTINCT i.author_handle) FROM post p "
        "JOIN inbound_message i ON i.id = p.in_reply_to_id WHERE p.alias_id = :a "
        "AND p.status = 'published' AND p.published_at >= :s AND p.published_at < :e",
        **window,
    )
    [(closed,)] = sql(
        database_url,
        "SELECT COUNT(*) FROM contact_thread WHERE alias_id = :a "
        "AND closed_at >= :s AND closed_at < :e",
        **window,
    )
    [(rejected,)] = sql(
        database_url,
        "SELECT COUNT(*) FROM post WHERE alias_id = :a AND status = 'rejected' "
        "AND created_at >= :s AND created_at < :e",
        **window,
    )
    waits = [
        float(row[0])
        for row in sql(
            database_url,
            f"SELECT {seconds(database_url, 'MIN(p.published_at)', 'i.received_at')} "
            "FROM inbound_message i JOIN post p ON p.in_reply_to_id = i.id "
            "AND p.status = 'published' AND p.published_at < :e "
            "WHERE i.alias_id = :a AND i.received_at >= :s AND i.received_at < :e "
            "GROUP BY i.id, i.received_at",
            **window,
        )
    ]
    overridden = sql(
        database_url,
        "SELECT overrides FROM post WHERE alias_id = :a AND overrides <> '{}' "
        "AND created_at >= :s AND created_at < :e",
        **window,
    )
    assert (received, replies, threads, closed, rejected) == (6, 3, 3, 1, 1)
    assert (team.received, team.replies, team.threads_answered) == (received, replies, threads)
    assert (team.closed_without_reply, team.sent_back) == (closed, rejected)
    assert team.first_replies == len(waits) == 3
    assert team.median_seconds == pytest.approx(nearest_rank(waits, 0.5), abs=0.01)
    assert team.p90_seconds == pytest.approx(nearest_rank(waits, 0.9), abs=0.01)
    assert team.override_rules == {"no-asap": len(overridden)} and team.overrides == 1
    assert team.within_target is None  # no target set


def backlog_sql(database_url, alias, cutoff):
    """Contacts with a message received in the period before `cutoff` that nothing settled by
    then: no reply published to it or a later message of theirs, no close covering it."""
    [(count,)] = sql(
        database_url,
        "SELECT COUNT(DISTINCT m.author_handle) FROM inbound_message m "
        "WHERE m.alias_id = :a AND m.received_at >= :s AND m.received_at < :c "
        "AND NOT EXISTS (SELECT 1 FROM post p JOIN inbound_message r ON r.id = p.in_reply_to_id "
        "  WHERE r.alias_id = m.alias_id AND r.author_handle = m.author_handle AND r.id >= m.id "
        "  AND p.status = 'published' AND p.published_at >= :s AND p.published_at < :c) "
        "AND NOT EXISTS (SELECT 1 FROM contact_thread t WHERE t.alias_id = m.alias_id "
        "  AND t.contact_handle = m.author_handle AND t.closed_upto >= m.id "
        "  AND t.closed_at >= :s AND t.closed_at < :c)",
        a=alias,
        s=START,
        c=cutoff,
    )
    return count


def test_days_count_volume_and_the_backlog_at_each_days_end(services, busy, database_url):
    report = services.reports.report(busy.lead, busy.alias.id, DAY1, DAY2)
    day1, day2 = report.days
    assert (day1.day, day1.received, day1.replies) == (DAY1, 4, 2)
    assert (day2.day, day2.received, day2.replies) == (DAY2, 2, 1)
    assert day1.backlog == backlog_sql(database_url, busy.alias.id, START + timedelta(days=1))
    assert day2.backlog == backlog_sql(database_url, busy.alias.id, END)
    assert (day1.backlog, day2.backlog) == (1, 2)  # @fan3 (sent back); then @fan1 again too
    hours = {hour.hour: hour for hour in report.hours}
    assert hours[9].first_replies == 3 and hours[9].median_seconds == pytest.approx(2400)


def test_operators_shifts_and_voice_are_counted_per_person(services, busy, database_url):
    report = services.reports.report(busy.lead, busy.alias.id, DAY1, DAY2)
    people = {row.name: row for row in report.operators}
    assert set(people) == {"lena", "olga", "otto", "tina"}
    otto = people["otto"]
    assert (otto.replies, otto.threads_answered, otto.first_replies) == (2, 2, 2)
    assert (otto.median_seconds, otto.p90_seconds) == (pytest.approx(600), pytest.approx(7200))
    assert people["olga"].override_rules == {"no-asap": 1}
    assert people["tina"].sent_back == 1 and people["lena"].closed_without_reply == 1
    [otto_shift] = [s for s in report.shifts if s.operator == "otto"]
    assert otto_shift.figures.replies == 2 and otto_shift.figures.received == 6
    weeks = {(w.operator, w.week) for w in report.voice}
    assert ("otto", DAY1) in weeks and ("olga", DAY1) in weeks


def test_reply_times_count_only_business_hours_and_the_target(services, busy, clock):
    # Staffed 10:00 to 18:00 on weekdays: the 09:00 message's wait starts at 10:00.
    services.reports.set_hours(busy.lead, "@brand", "mon-fri 10:00-18:00", 60)
    report = services.reports.report(busy.lead, busy.alias.id, DAY1, DAY2)
    people = {row.name: row for row in report.operators}
    assert (
        report.business_hours
        == "mon 10:00-18:00; tue 10:00-18:00; wed 10:00-18:00; thu 10:00-18:00; fri 10:00-18:00"
    )
    # otto: 09:00 -> 09:10 is outside hours (0 s); day 2 09:45 -> 11:45 counts 1 h 45.
    assert (people["otto"].median_seconds, people["otto"].p90_seconds) == (0, 6300)
    assert people["otto"].within_target == 0.5
    assert report.team.within_target == pytest.approx(2 / 3)  # olga's 09:00 -> 09:40 too
    with pytest.raises(PermissionDenied, match="only a lead"):
        services.reports.set_hours(busy.operator, "@brand", "always", None)
    with pytest.raises(InvalidInput, match="'fry' is not a day"):
        services.reports.set_hours(busy.lead, "@brand", "mon-fry 10:00-18:00", None)


def test_an_operator_sees_only_their_own_numbers(services, busy):
    report = services.reports.report(busy.operator, busy.alias.id, DAY1, DAY2)
    assert report.scope == "otto" and report.team is None
    assert [row.name for row in report.operators] == ["otto"]
    assert {s.operator for s in report.shifts} == {"otto"}
    assert {w.operator for w in report.voice} == {"otto"}
    assert sum(hour.first_replies for hour in report.hours) == 2


def test_a_period_that_ends_before_it_starts_is_refused(services, busy):
    with pytest.raises(InvalidInput, match="ends"):
        services.reports.report(busy.lead, busy.alias.id, DAY2, DAY1)
