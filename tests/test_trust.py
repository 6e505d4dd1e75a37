"""Who may change people, roles, guides and credentials, or read others' audit: the services
enforce the console's rules whoever calls them, the command line included."""

from pathlib import Path

import pytest

from cmconsole.domain.errors import InvalidInput, PermissionDenied, SignInRequired
from cmconsole.domain.model import PostStatus, Role
from cmconsole.services.bundle import Services
from cmconsole.services.guard import SignedIn
from tests.conftest import PASSPHRASE, receive

GUIDE = Path(__file__).resolve().parent.parent / "config" / "guides" / "acmehelp.toml"


def _acme(services: Services) -> dict[str, SignedIn]:
    """The README's set-up, done while the workspace has no lead: lea leads @acmehelp, theo is a
    trainee, omar an operator, vic has left."""
    services.accounts.add_alias("@acmehelp", "Acme Support")
    services.accounts.add_alias("@other", "Other brand")
    for name in ("lea", "theo", "omar", "vic", "olivia"):
        services.accounts.add_operator(name, name.title(), PASSPHRASE)
    services.accounts.grant("theo", "@acmehelp", Role.TRAINEE)
    services.accounts.grant("omar", "@acmehelp", Role.OPERATOR)
    services.accounts.grant("vic", "@acmehelp", Role.OPERATOR)
    services.accounts.grant("lea", "@acmehelp", Role.LEAD)  # the set-up is closed from here
    who = {name: services.accounts.sign_in(name, PASSPHRASE) for name in ("lea", "theo", "omar")}
    # @other has no lead yet: a lead of any alias names one.
    services.accounts.grant("olivia", "@other", Role.LEAD, by=who["lea"])
    services.team.deactivate(who["lea"], "vic", "left the agency")
    return who


def _role(services: Services, name: str, handle: str) -> Role | None:
    alias = next(a for a in services.accounts.aliases() if a.handle == handle)
    members = services.team.members(services.accounts.sign_in("lea", PASSPHRASE), alias.id)
    return next((m.role for m in members if m.operator.name == name), None)


def test_nobody_unsigned_promotes_a_trainee_once_there_is_a_lead(services):
    who = _acme(services)
    with pytest.raises(SignInRequired, match="this workspace has a lead"):
        services.accounts.grant("theo", "@acmehelp", Role.OPERATOR)
    with pytest.raises(PermissionDenied, match="only a lead of @acmehelp can grant roles"):
        services.accounts.grant("theo", "@acmehelp", Role.OPERATOR, by=who["theo"])
    with pytest.raises(PermissionDenied, match="only a lead of @acmehelp can grant roles"):
        services.accounts.grant("theo", "@acmehelp", Role.LEAD, by=who["omar"])
    # A lead of another alias is not a lead of this one.
    olivia = services.accounts.sign_in("olivia", PASSPHRASE)
    with pytest.raises(PermissionDenied, match="only a lead of @acmehelp"):
        services.accounts.grant("theo", "@acmehelp", Role.OPERATOR, by=olivia)
    assert _role(services, "theo", "@acmehelp") is Role.TRAINEE

    # So theo's reply still waits for someone else's approval.
    alias = next(a for a in services.accounts.aliases() if a.handle == "@acmehelp")
    services.guides.import_file("@acmehelp", GUIDE, by=who["lea"])
    message_id = receive(services, alias, "@fan", "@acmehelp where is my parcel?")
    services.shifts.start(who["theo"], alias.id)
    current = services.guides.current(who["theo"], alias.id)
    assert current is not None
    services.guides.acknowledge(who["theo"], alias.id, current.version.version)
    for handover in services.handovers.pending(who["theo"], alias.id):
        services.handovers.acknowledge(who["theo"], handover.id)
    post = services.posting.reply(who["theo"], message_id, "We are looking into it.")
    assert post.status is PostStatus.AWAITING_APPROVAL

    # Who wrote it is for a lead of the alias, its author and its approver, not any colleague.
    assert services.audit.who(str(post.id), by=who["lea"]).author == "Theo (theo)"
    assert services.audit.who(str(post.id), by=who["theo"]).post.id == post.id
    with pytest.raises(PermissionDenied, match=f"only a lead of @acmehelp.*post {post.id}"):
        services.audit.who(str(post.id), by=who["omar"])
    with pytest.raises(SignInRequired):
        services.audit.who(str(post.id))


def test_a_lead_grants_and_the_event_is_theirs(services):
    who = _acme(services)
    services.accounts.grant("theo", "@acmehelp", Role.OPERATOR, by=who["lea"])
    assert _role(services, "theo", "@acmehelp") is Role.OPERATOR
    [event] = [
        e.event
        for e in services.audit.for_alias(who["lea"], _alias_id(services, "@acmehelp"))
        if e.event.kind == "role.changed" and e.event.subject == "theo"
    ]
    assert event.actor_id == who["lea"].operator_id


def _alias_id(services: Services, handle: str) -> int:
    return next(a.id for a in services.accounts.aliases() if a.handle == handle)


def test_the_only_lead_is_not_demoted_so_the_set_up_never_reopens(services):
    who = _acme(services)
    with pytest.raises(InvalidInput, match="lea is the only lead of @acmehelp"):
        services.accounts.grant("lea", "@acmehelp", Role.OPERATOR, by=who["lea"])
    assert _role(services, "lea", "@acmehelp") is Role.LEAD
    services.accounts.grant("omar", "@acmehelp", Role.LEAD, by=who["lea"])
    services.accounts.grant("lea", "@acmehelp", Role.OPERATOR, by=who["lea"])
    assert services.accounts.needs_sign_in()


def test_nobody_grants_anything_to_a_deactivated_operator(services):
    who = _acme(services)
    with pytest.raises(InvalidInput, match="vic has been deactivated"):
        services.accounts.grant("vic", "@acmehelp", Role.LEAD, by=who["lea"])
    with pytest.raises(InvalidInput, match="vic has been deactivated"):
        services.team.set_role(who["lea"], "vic", _alias_id(services, "@acmehelp"), Role.LEAD)
    assert _role(services, "vic", "@acmehelp") is Role.OPERATOR


def test_a_deactivated_operator_is_not_granted_even_while_setting_up(services):
    services.accounts.add_alias("@acmehelp", "Acme Support")
    services.accounts.add_operator("lea", "Lea", PASSPHRASE)
    services.accounts.add_operator("vic", "Vic", PASSPHRASE)
    services.team.deactivate(None, "vic", "left before the start")
    with pytest.raises(InvalidInput, match="vic has been deactivated"):
        services.accounts.grant("vic", "@acmehelp", Role.LEAD)


def test_people_aliases_guides_and_saved_replies_need_a_lead_once_there_is_one(services):
    who = _acme(services)
    acme = _alias_id(services, "@acmehelp")
    unsigned = [
        lambda: services.accounts.add_operator("new", "New", PASSPHRASE),
        lambda: services.accounts.add_alias("@third", "Third"),
        lambda: services.guides.import_file("@acmehelp", GUIDE),
        lambda: services.team.deactivate(None, "omar", "no reason"),
        lambda: services.saved_replies.save(None, acme, "hi", "Hello!"),
        lambda: services.saved_replies.remove(None, acme, "hi"),
        lambda: services.accounts.record_channel_connected("@acmehelp", "sandbox", "1", "@a"),
        lambda: services.audit.recent(10),
        lambda: list(services.audit.export()),
    ]
    for action in unsigned:
        with pytest.raises(SignInRequired):
            action()
    for name in ("theo", "omar"):
        with pytest.raises(PermissionDenied, match="only a lead"):
            services.accounts.add_operator("new", "New", PASSPHRASE, by=who[name])
        with pytest.raises(PermissionDenied, match="only a lead"):
            services.accounts.add_alias("@third", "Third", by=who[name])
        with pytest.raises(PermissionDenied, match="only a lead of @acmehelp"):
            services.guides.import_file("@acmehelp", GUIDE, by=who[name])
        with pytest.raises(PermissionDenied, match="only a lead"):
            services.team.deactivate(who[name], "olivia", "not theirs to decide")
        with pytest.raises(PermissionDenied, match="only a lead of @acmehelp"):
            services.accounts.record_channel_connected(
                "@acmehelp", "sandbox", "1", "@a", by=who[name]
            )
    # Nothing of the above happened.
    assert "new" not in {o.name for o in services.accounts.operators()}
    assert "@third" not in {a.handle for a in services.accounts.aliases()}

    added = services.accounts.add_operator("new", "New", PASSPHRASE, by=who["lea"])
    alias = services.accounts.add_alias("@third", "Third", by=who["lea"])
    # @third has no lead yet: a lead of any alias names one.
    services.accounts.grant("new", "@third", Role.LEAD, by=who["lea"])
    version = services.guides.import_file("@acmehelp", GUIDE, by=who["lea"])
    events = {
        e.event.kind: e.event.actor_id
        for e in services.audit.export(by=who["lea"])
        if e.event.kind
        in {"operator.added", "alias.added", "role.granted", "guide.version_created"}
        and e.event.subject in {"new", "@third", f"guide v{version.version}"}
    }
    assert events == dict.fromkeys(
        ["operator.added", "alias.added", "role.granted", "guide.version_created"],
        who["lea"].operator_id,
    )
    assert added.name == "new" and alias.handle == "@third"


def test_a_refused_sign_in_is_audited_and_changes_nothing(services):
    _acme(services)
    from cmconsole.domain.errors import SignInRefused

    with pytest.raises(SignInRefused):
        services.accounts.sign_in("lea", "not her passphrase")
    lea = services.accounts.sign_in("lea", PASSPHRASE)
    refused = [
        e
        for e in services.audit.export(by=lea, operator="lea")
        if e.event.kind == "sign_in.refused"
    ]
    assert len(refused) == 1


def test_operators_read_only_their_own_audit_and_leads_their_aliases(services):
    who = _acme(services)
    services.shifts.start(who["omar"], _alias_id(services, "@acmehelp"))
    services.shifts.start(who["theo"], _alias_id(services, "@acmehelp"))
    olivia = services.accounts.sign_in("olivia", PASSPHRASE)
    services.shifts.start(olivia, _alias_id(services, "@other"))

    for name in ("theo", "omar"):
        mine = who[name].operator_id
        for entries in (
            list(services.audit.export(by=who[name])),
            list(services.audit.export(by=who[name], alias="@acmehelp")),
            services.audit.recent(1000, by=who[name]),
        ):
            assert entries, name
            assert {e.event.actor_id for e in entries} == {mine}, name

    lea_sees = list(services.audit.export(by=who["lea"]))
    acme, other = _alias_id(services, "@acmehelp"), _alias_id(services, "@other")
    assert {e.event.alias_id for e in lea_sees} >= {acme}
    # olivia's alias is not lea's: she sees there only what she did herself (naming olivia)
    assert [e.event.kind for e in lea_sees if e.event.alias_id == other] == ["role.granted"]
    assert olivia.operator_id not in {e.event.actor_id for e in lea_sees}
    # lea sees her team's events on @acmehelp, theirs as well as her own
    assert {who["omar"].operator_id, who["theo"].operator_id} <= {
        e.event.actor_id for e in lea_sees
    }
    # and of others' only what is on an alias she leads, or workspace-wide by her team or
    # by nobody (the shell's set-up)
    team = {who[name].operator_id for name in ("lea", "theo", "omar")}
    team.add(next(o.id for o in services.accounts.operators() if o.name == "vic"))
    assert all(
        e.event.alias_id == acme
        or e.event.actor_id == who["lea"].operator_id
        or (e.event.alias_id is None and e.event.actor_id in team | {None})
        for e in lea_sees
    )
    assert {"omar", "olivia"} <= {
        e.event.subject for e in lea_sees if e.event.kind == "operator.added"
    }
    # and the sign-ins of her team, not of olivia, who works elsewhere
    signed_in = {e.event.subject for e in lea_sees if e.event.kind == "signed_in"}
    assert {"lea", "theo", "omar"} <= signed_in and "olivia" not in signed_in
    recent = services.audit.recent(1000, by=who["lea"])
    assert [e.event.seq for e in recent] == sorted((e.event.seq for e in lea_sees), reverse=True)
    # Asking for another alias's events gives a lead nothing of it either.
    assert list(services.audit.export(by=who["lea"], alias="@other")) == [
        e for e in lea_sees if e.event.alias_id == other
    ]


def test_setting_up_stays_open_until_the_first_lead(services):
    assert not services.accounts.needs_sign_in()
    services.accounts.add_alias("@acmehelp", "Acme Support")
    services.accounts.add_operator("lea", "Lea", PASSPHRASE)
    services.accounts.grant("lea", "@acmehelp", Role.OPERATOR)
    assert not services.accounts.needs_sign_in()
    assert services.audit.recent(10)
    services.accounts.grant("lea", "@acmehelp", Role.LEAD)
    assert services.accounts.needs_sign_in()
    with pytest.raises(SignInRequired):
        services.accounts.grant("lea", "@acmehelp", Role.OPERATOR)
