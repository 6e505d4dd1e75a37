"""Setting up a workspace and signing in, on every database engine."""

import pytest

from cmconsole.domain.errors import AlreadyExists, InvalidInput, NotFound, SignInRefused
from cmconsole.domain.model import Role
from tests.conftest import PASSPHRASE


def kinds(services):
    return [entry.event.kind for entry in reversed(services.audit.recent(100))]


def test_a_new_workspace_is_empty_until_someone_is_added(services):
    assert services.accounts.is_empty()
    services.accounts.add_operator("lea", "Léa Martin", PASSPHRASE)
    assert not services.accounts.is_empty()


def test_operators_sign_in_with_their_passphrase(services):
    added = services.accounts.add_operator("Lea", "Léa Martin", PASSPHRASE)
    assert (added.name, added.initials) == ("lea", "LM")
    who = services.accounts.sign_in(" LEA ", PASSPHRASE)
    assert who.name == "lea"
    assert kinds(services) == ["operator.added", "signed_in"]


@pytest.mark.parametrize("name, passphrase", [("lea", "Tr0ub4dor-guess"), ("nobody", PASSPHRASE)])
def test_refused_sign_ins_say_nothing_useful_to_a_guesser_and_are_audited(
    services, name, passphrase
):
    services.accounts.add_operator("lea", "Léa", PASSPHRASE)
    with pytest.raises(SignInRefused, match="unknown operator or wrong passphrase"):
        services.accounts.sign_in(name, passphrase)
    refused = services.audit.recent(1)[0].event
    assert refused.kind == "sign_in.refused"
    assert refused.subject == ("lea" if name == "lea" else "unknown operator")
    assert passphrase not in str(refused.details)
    assert passphrase not in refused.subject


def test_duplicate_and_invalid_accounts_are_refused(services):
    services.accounts.add_operator("lea", "Léa", PASSPHRASE)
    with pytest.raises(AlreadyExists):
        services.accounts.add_operator("LEA", "Another Léa", PASSPHRASE)
    with pytest.raises(InvalidInput, match="at least 8"):
        services.accounts.add_operator("tom", "Tom", "short")
    services.accounts.add_alias("@brand", "Brand")
    with pytest.raises(AlreadyExists):
        services.accounts.add_alias("BRAND", "Brand again")
    with pytest.raises(InvalidInput, match="display name"):
        services.accounts.add_alias("@other", "  ")
    with pytest.raises(InvalidInput, match="'telegram' channel is not available in this version"):
        services.accounts.add_alias("@other", "Other", channel="telegram")
    with pytest.raises(InvalidInput, match="language is 11 characters long; at most 8"):
        services.accounts.add_alias("@other", "Other", language="english-usa")
    with pytest.raises(InvalidInput, match="display name is 101 characters"):
        services.accounts.add_alias("@other", "x" * 101)
    assert [o.name for o in services.accounts.operators()] == ["lea"]


def test_grants_give_and_change_roles_and_are_audited(services):
    services.accounts.add_operator("lea", "Léa", PASSPHRASE)
    alias = services.accounts.add_alias("@brand", "Brand")
    services.accounts.grant("lea", "brand", Role.TRAINEE)
    services.accounts.grant("lea", "@brand", Role.LEAD)
    who = services.accounts.sign_in("lea", PASSPHRASE)
    services.accounts.grant("lea", "@brand", Role.LEAD, by=who)  # no change, no event
    [membership] = services.accounts.memberships(who)
    assert (membership.alias, membership.role) == (alias, Role.LEAD)
    changes = [
        e.event for e in services.audit.recent(10, by=who) if e.event.kind.startswith("role.")
    ]
    assert [(e.kind, e.details["role"], e.details["previous"]) for e in reversed(changes)] == [
        ("role.granted", "trainee", None),
        ("role.changed", "lead", "trainee"),
    ]


def test_granting_to_unknown_names_says_which_is_unknown(services):
    services.accounts.add_operator("lea", "Léa", PASSPHRASE)
    with pytest.raises(NotFound, match="no alias @ghost"):
        services.accounts.grant("lea", "@ghost", Role.LEAD)
    with pytest.raises(NotFound, match="no operator 'ghost'"):
        services.accounts.grant("ghost", "@ghost", Role.LEAD)
