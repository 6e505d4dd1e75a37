"""Where an alias lives: set by a lead, checked against the IANA names, audited, migrated."""

import pytest
from click.testing import CliRunner

from cmconsole.cli import main
from cmconsole.domain.errors import InvalidInput, PermissionDenied
from tests.migrating import migrate_again


def _zone(services, handle):
    return {alias.handle: alias.time_zone for alias in services.accounts.aliases()}[handle]


def test_a_lead_says_where_the_alias_lives_and_it_is_audited(services, team):
    assert team.alias.time_zone == "UTC"
    changed = services.accounts.set_time_zone("@brand", "Europe/Paris", by=team.lead)
    assert changed.time_zone == "Europe/Paris" == _zone(services, "@brand")
    entries = services.audit.for_alias(team.lead, team.alias.id)
    events = [e.event for e in entries if e.event.kind == "alias.time_zone_set"]
    assert [(e.actor_id, e.details["time_zone"], e.details["previous"]) for e in events] == [
        (team.lead.operator_id, "Europe/Paris", "UTC")
    ]


def test_only_a_lead_sets_it_and_only_to_a_zone_that_exists(services, team):
    with pytest.raises(PermissionDenied, match="only a lead of @brand"):
        services.accounts.set_time_zone("@brand", "Europe/Paris", by=team.operator)
    with pytest.raises(InvalidInput, match="'Europe/Atlantis' is not known"):
        services.accounts.set_time_zone("@brand", "Europe/Atlantis", by=team.lead)
    with pytest.raises(InvalidInput, match="is not known"):
        services.accounts.add_alias("@other", "Other", time_zone="../../etc/passwd", by=team.lead)
    assert _zone(services, "@brand") == "UTC"


def test_aliases_made_before_time_zones_live_in_utc(services, team, database_url):
    services.accounts.set_time_zone("@brand", "Asia/Tokyo", by=team.lead)
    migrate_again(database_url, "0016")
    assert _zone(services, "@brand") == "UTC"


def test_the_shell_sets_and_lists_it_in_one_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'zone.db'}"

    def run(*args, input=None):
        return CliRunner().invoke(main, [*args, "--db", db], input=input)

    assert run("init").exit_code == 0
    added = run("alias", "add", "@belle", "--name", "Belle", "--time-zone", "Europe/Paris")
    assert added.exit_code == 0, added.output
    assert "@belle\tBelle\ten\tsandbox\tEurope/Paris" in run("alias", "list").output
    assert run("alias", "set-time-zone", "@belle", "America/Montreal").exit_code == 0
    assert run("alias", "list").output.endswith("\tAmerica/Montreal\n")
    refused = run("alias", "set-time-zone", "@belle", "Mars/Olympus")
    assert refused.exit_code != 0
    assert refused.stderr.count("\n") == 1 and "Mars/Olympus" in refused.stderr
    assert "Traceback" not in refused.output
