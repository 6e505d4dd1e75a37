"""The colour an alias wears where one writes as it: set by a lead, checked, audited."""

import pytest

from cmconsole.domain import names
from cmconsole.domain.errors import InvalidInput, PermissionDenied


def test_a_colour_is_hex_widened_and_lowered_or_none():
    assert names.colour("#D4537E") == "#d4537e"
    assert names.colour("#abc") == "#aabbcc"
    assert names.colour("none") == names.colour("") == ""
    with pytest.raises(InvalidInput, match="use #rrggbb"):
        names.colour("pink; rm -rf")


def test_a_lead_sets_the_colour_and_the_audit_says_so(services, team):
    changed = services.accounts.set_colour("@brand", "#3B82C4", by=team.lead)
    assert changed.colour == "#3b82c4"
    assert services.home.read(team.operator).aliases[0].alias.colour == "#3b82c4"
    kinds = [e.event.kind for e in services.audit.for_alias(team.lead, team.alias.id)]
    assert "alias.colour_set" in kinds
    with pytest.raises(PermissionDenied):
        services.accounts.set_colour("@brand", "#000000", by=team.operator)
