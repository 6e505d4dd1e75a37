"""Promises found in replies: a commitment, a time expression, a due time in the alias's zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cmconsole.domain.promises import find_promises

PARIS = ZoneInfo("Europe/Paris")
# Monday 2 November 2026, 14:20 in Paris (13:20 UTC): after noon, before 5 pm.
NOW = datetime(2026, 11, 2, 14, 20, tzinfo=PARIS)


def paris(month, day, hour, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


PROMISES = [
    # The examples.
    ("fr", "Nous revenons vers vous demain avec la réponse.", "demain", paris(11, 3, 10)),
    ("en", "We'll update you by 5 pm.", "by 5 pm", paris(11, 2, 17)),
    ("fr", "Nous vous tenons au courant d'ici vendredi.", "vendredi", paris(11, 6, 10)),
    ("fr", "Je vous recontacte lundi matin.", "lundi matin", paris(11, 9, 9)),
    ("en", "We'll get back to you within 48 hours.", "within 48 hours", paris(11, 4, 14, 20)),
    # French.
    ("fr", "Nous vous répondons sous 48h.", "sous 48h", paris(11, 4, 14, 20)),
    ("fr", "Vous aurez une réponse dans les 2 jours.", "dans les 2 jours", paris(11, 4, 14, 20)),
    ("fr", "On revient vers vous ce soir.", "ce soir", paris(11, 2, 18)),
    ("fr", "Je vous rappelle demain à 9h.", "demain à 9h", paris(11, 3, 9)),
    ("fr", "Je reviens vers vous jeudi à 15h30.", "jeudi à 15h30", paris(11, 5, 15, 30)),
    ("fr", "Nous revenons vers vous le 12 novembre.", "le 12 novembre", paris(11, 12, 10)),
    ("fr", "Nous reviendrons vers vous après-demain.", "après-demain", paris(11, 4, 10)),
    (
        "fr",
        "Nous vous tiendrons informés demain après-midi.",
        "demain après-midi",
        paris(11, 3, 15),
    ),
    ("fr", "Nous ne manquerons pas de revenir vers vous mercredi.", "mercredi", paris(11, 4, 10)),
    ("fr", "Je vous réponds avant 17h.", "avant 17h", paris(11, 2, 17)),
    (
        "fr",
        "Nous revenons vers vous d\u2019ici la fin de journée.",
        "d'ici la fin de journée",
        paris(11, 2, 17),
    ),
    # Noon has passed at 14:20: "before noon" is tomorrow's, never a time already gone.
    ("fr", "Nous vous répondrons avant midi.", "avant midi", paris(11, 3, 12)),
    ("en", "We'll reply by noon.", "by noon", paris(11, 3, 12)),
    # English.
    ("en", "I'll let you know tomorrow morning.", "tomorrow morning", paris(11, 3, 9)),
    ("en", "We will follow up on Friday.", "Friday", paris(11, 6, 10)),
    ("en", "You'll hear from us by end of day.", "by end of day", paris(11, 2, 17)),
    ("en", "We'll be in touch tonight", "tonight", paris(11, 2, 18)),
    (
        "en",
        "I\u2019ll definitely get back to you next Monday at 3pm.",
        "next Monday at 3pm",
        paris(11, 9, 15),
    ),
    ("en", "We'll update you on November 12th.", "November 12th", paris(11, 12, 10)),
    ("en", "We're going to keep you posted in 3 hours.", "in 3 hours", paris(11, 2, 17, 20)),
    ("en", "We will get back to you today.", "today", paris(11, 2, 17)),
]


@pytest.mark.parametrize(("language", "text", "when", "due"), PROMISES)
def test_a_commitment_with_a_time_is_a_promise_due_then(language, text, when, due):
    [promise] = find_promises(text, language, "Europe/Paris", NOW)
    assert promise.when == when
    assert promise.due_at == due
    assert promise.due_at.utcoffset() == due.utcoffset()
    assert promise.text == text.strip()


NOT_PROMISES = [
    ("fr", "Merci pour hier !"),
    ("fr", "Vendredi dernier nous étions fermés."),
    ("fr", "Nous vous avons répondu vendredi dernier."),
    ("fr", "Nous revenons vers vous très vite."),  # a commitment with no time: nothing to propose
    ("fr", "Nous ne pourrons pas vous répondre demain."),
    ("fr", "La boutique ouvre demain à 9h."),  # a time with no commitment
    ("en", "Thanks for yesterday!"),
    ("en", "We got back to you last Friday."),
    ("en", "We won't be able to update you tomorrow."),
    ("en", "The shop opens on Friday."),
    ("de", "Wir melden uns morgen."),  # a language we do not read
    ("fr", ""),
]


@pytest.mark.parametrize(("language", "text"), NOT_PROMISES)
def test_no_commitment_or_no_time_is_no_promise(language, text):
    assert find_promises(text, language, "Europe/Paris", NOW) == []


def test_the_span_points_at_the_promising_sentence_in_the_whole_reply():
    reply = (
        "Bonjour Léa, merci pour votre message. Nous revenons vers vous demain.\nBelle journée !"
    )
    [promise] = find_promises(reply, "fr", "Europe/Paris", NOW)
    assert reply[promise.start : promise.end] == "Nous revenons vers vous demain."
    assert promise.text == "Nous revenons vers vous demain."


def test_each_promising_sentence_is_one_promise():
    reply = "Nous revenons vers vous demain. Et je vous rappelle vendredi à 11h."
    promises = find_promises(reply, "fr", "Europe/Paris", NOW)
    assert [p.due_at for p in promises] == [paris(11, 3, 10), paris(11, 6, 11)]


def test_an_hour_already_gone_today_means_tomorrows():
    evening = datetime(2026, 11, 2, 18, 30, tzinfo=PARIS)
    [promise] = find_promises("We'll update you by 5 pm.", "en", "Europe/Paris", evening)
    assert promise.due_at == paris(11, 3, 17)


def test_today_with_no_hour_once_the_day_is_over_is_no_promise():
    late = datetime(2026, 11, 2, 21, 0, tzinfo=PARIS)
    assert find_promises("We will get back to you today.", "en", "Europe/Paris", late) == []


def test_a_weekday_is_the_next_one_never_one_gone():
    # On Monday, "lundi" is next Monday, not this morning.
    [promise] = find_promises("Je vous recontacte lundi.", "fr", "Europe/Paris", NOW)
    assert promise.due_at == paris(11, 9, 10)


def test_a_bare_day_is_due_at_ten_on_the_alias_clock_across_the_autumn_dst_change():
    # Saturday 24 October 2026, 15:00 in Paris (summer time, +02:00); clocks go back that night.
    saturday = datetime(2026, 10, 24, 15, 0, tzinfo=PARIS)
    [promise] = find_promises("Nous revenons vers vous demain.", "fr", "Europe/Paris", saturday)
    assert promise.due_at == paris(10, 25, 10)
    assert promise.due_at.astimezone(UTC) == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)


def test_hours_are_elapsed_time_across_the_dst_change():
    saturday = datetime(2026, 10, 24, 15, 0, tzinfo=PARIS)  # 13:00 UTC
    [promise] = find_promises("Nous vous répondons sous 24h.", "fr", "Europe/Paris", saturday)
    assert promise.due_at.astimezone(UTC) == datetime(2026, 10, 25, 13, 0, tzinfo=UTC)
    assert promise.due_at == paris(10, 25, 14)  # 14:00 on the winter clock


def test_the_zone_decides_the_hour_of_a_bare_day():
    now = datetime(2026, 11, 2, 13, 20, tzinfo=UTC)
    [paris_one] = find_promises("We'll update you tomorrow.", "en", "Europe/Paris", now)
    [new_york] = find_promises("We'll update you tomorrow.", "en", "America/New_York", now)
    assert paris_one.due_at.astimezone(UTC) == datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    assert new_york.due_at.astimezone(UTC) == datetime(2026, 11, 3, 15, 0, tzinfo=UTC)


def test_an_unknown_zone_reads_as_utc():
    now = datetime(2026, 11, 2, 13, 20, tzinfo=UTC)
    [promise] = find_promises("We'll update you tomorrow.", "en", "Mars/Olympus", now)
    assert promise.due_at.astimezone(UTC) == datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


def test_the_language_may_carry_a_region():
    [promise] = find_promises("Nous revenons vers vous demain.", "fr-FR", "Europe/Paris", NOW)
    assert promise.due_at == paris(11, 3, 10)
