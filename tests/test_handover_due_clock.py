"""A handover lists the follow-ups due on the alias's clock, named, as the thread shows them."""

from datetime import timedelta

from tests.conftest import receive


def test_the_follow_ups_due_in_a_handover_are_on_the_alias_clock(services, team, clock):
    services.accounts.set_time_zone("@brand", "Europe/Paris", by=team.lead)
    asked = receive(services, team.alias, "@ann", "@brand where is my parcel?")
    # 09:00 UTC on 2 November 2026 plus 6 hours: 16:00 in Paris (winter time).
    services.follow_ups.promise(
        team.operator, asked, "tell her where it is", clock() + timedelta(hours=6)
    )
    draft = services.handovers.draft(team.operator, team.alias.id)
    assert draft.follow_ups_due == (
        "@ann, due 2026-11-02 16:00 (Europe/Paris): tell her where it is",
    )
