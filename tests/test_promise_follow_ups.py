"""A promise found in a draft reply becomes a follow-up on the alias's clock, once accepted."""

from datetime import UTC, datetime, timedelta

import pytest

from cmconsole.domain.errors import InvalidInput, PermissionDenied
from cmconsole.domain.model import Role
from tests.conftest import PASSPHRASE, receive


@pytest.fixture
def paris(services, team):
    """A French alias living in Paris, with the team's operator on it."""
    alias = services.accounts.add_alias(
        "@maison", "La Maison", language="fr", time_zone="Europe/Paris", by=team.lead
    )
    services.accounts.grant("lena", alias.handle, Role.LEAD, by=team.lead)
    services.accounts.grant("otto", alias.handle, Role.OPERATOR, by=team.lead)
    return alias


def test_a_french_draft_proposes_a_follow_up_due_tomorrow_at_ten_in_paris(services, paris):
    # The clock reads Monday 2 November 2026, 09:00 UTC (10:00 in Paris).
    [proposed] = services.follow_ups.proposed(
        paris, "Bonjour ! Nous revenons vers vous demain avec la réponse."
    )
    assert proposed.text == "Nous revenons vers vous demain avec la réponse."
    assert proposed.due_at.astimezone(UTC) == datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    assert f"{proposed.due_at:%Y-%m-%d %H:%M}" == "2026-11-03 10:00"


def test_the_alias_clock_and_language_decide(services, team, paris):
    # @brand speaks English and lives in UTC: the same words are no English promise...
    assert services.follow_ups.proposed(team.alias, "Nous revenons vers vous demain.") == []
    [english] = services.follow_ups.proposed(team.alias, "We'll get back to you tomorrow.")
    assert english.due_at.astimezone(UTC) == datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    # ...and a draft promising nothing proposes nothing.
    assert services.follow_ups.proposed(paris, "Merci pour hier !") == []


def test_accepting_records_the_follow_up_at_the_time_shown_and_audits_it(
    services, team, paris, clock
):
    asked = receive(services, paris, "@lea", "@maison mon colis est perdu")
    follow_up = services.follow_ups.promise_on_alias_clock(
        team.operator, asked, "Nous revenons vers vous demain", "2026-11-03 10:00"
    )
    assert follow_up.due_at.astimezone(UTC) == datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    [shown] = services.follow_ups.for_thread(team.operator, asked)
    assert (shown.promise, shown.contact_handle) == ("Nous revenons vers vous demain", "@lea")
    entries = services.audit.for_alias(team.lead, paris.id)
    [promised] = [e.event for e in entries if e.event.kind == "follow_up.promised"]
    assert promised.actor_id == team.operator.operator_id
    assert promised.details["due_at"] == "2026-11-03T10:00:00+01:00"


def test_an_edited_time_that_is_malformed_or_past_is_refused_and_nothing_saved(
    services, team, paris
):
    asked = receive(services, paris, "@lea", "@maison une question")
    with pytest.raises(InvalidInput, match=r"YYYY-MM-DD HH:MM \(Europe/Paris\)"):
        services.follow_ups.promise_on_alias_clock(team.operator, asked, "Rappel", "demain")
    with pytest.raises(InvalidInput, match="in the past"):
        services.follow_ups.promise_on_alias_clock(
            team.operator, asked, "Rappel", "2026-11-02 09:30"
        )
    assert services.follow_ups.for_thread(team.operator, asked) == []


def test_someone_without_a_role_on_the_alias_cannot_accept(services, team, paris, clock):
    asked = receive(services, paris, "@lea", "@maison bonjour")
    services.accounts.add_operator("zoe", "Zoe Elsewhere", PASSPHRASE, by=team.lead)
    zoe = services.accounts.sign_in("zoe", PASSPHRASE)
    with pytest.raises(PermissionDenied, match="no role on @maison"):
        services.follow_ups.promise_on_alias_clock(zoe, asked, "Rappel", "2026-11-03 10:00")
    due = services.follow_ups.due(team.operator, paris.id, clock() + timedelta(days=2))
    assert due == []
