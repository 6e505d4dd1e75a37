"""`cmconsole contact reach`: the follower count read through the alias's real X channel (tweepy,
its HTTP stubbed with `responses`), kept on the card; every failure one line, no secret shown."""

import uuid
from datetime import UTC, datetime

import pytest
import responses
from responses import matchers

from cmconsole.credentials import CredentialStore, XApp
from cmconsole.domain.model import Role
from cmconsole.wiring import open_services
from tests.cli_run import keep_private, run
from tests.conftest import PASSPHRASE, FakeClock

API = "https://api.twitter.com/2"
USER_ID = "42"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def private_environment(tmp_path, monkeypatch):
    keep_private(tmp_path, monkeypatch, "CMCONSOLE_AS")


@pytest.fixture
def canary():
    return f"canary-{uuid.uuid4().hex}"


@pytest.fixture
def x_db(tmp_path, memory_keyring, canary):
    """@brand on X with a lead, an operator, a trainee and one not on it; @fan wrote to it."""
    store = CredentialStore(environ={})
    store.save_x_app(XApp(f"{canary}-ck", f"{canary}-cs"))
    store.save_x_account("@brand", f"{canary}-token", f"{canary}-secret", USER_ID, "brand")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    services = open_services(url, clock=FakeClock(NOW))
    try:
        alias = services.accounts.add_alias("@brand", "The Brand", channel="x")
        for name in ("lea", "otto", "theo", "nora"):
            services.accounts.add_operator(name, name.title(), PASSPHRASE)
        services.accounts.grant("lea", "@brand", Role.LEAD)
        lea = services.accounts.sign_in("lea", PASSPHRASE)
        services.accounts.grant("otto", "@brand", Role.OPERATOR, by=lea)
        services.accounts.grant("theo", "@brand", Role.TRAINEE, by=lea)
        with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
            api.get(
                f"{API}/users/{USER_ID}/mentions",
                json={
                    "data": [
                        {
                            "id": "1001",
                            "text": "@brand hello",
                            "author_id": "7",
                            "created_at": "2026-11-02T08:00:00.000Z",
                            "edit_history_tweet_ids": ["1001"],
                        }
                    ],
                    "includes": {"users": [{"id": "7", "username": "fan", "name": "A Fan"}]},
                    "meta": {"result_count": 1},
                },
            )
            assert services.inbox.sync(alias.id) == 1
    finally:
        services.close()
    return url


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def reach(db, who, handle="@fan"):
    command = ["contact", "reach", "@brand", handle, "--as", who, "--passphrase-stdin", "--db", db]
    return run(*command, input=f"{PASSPHRASE}\n")


def _lookup(api, followers=3120):
    api.get(
        f"{API}/users/by",
        match=[matchers.query_param_matcher({"usernames": "fan", "user.fields": "public_metrics"})],
        json={
            "data": [
                {
                    "id": "7",
                    "name": "A Fan",
                    "username": "Fan",
                    "public_metrics": {"followers_count": followers, "following_count": 3},
                }
            ]
        },
    )


def _card(db, handle="@fan"):
    services = open_services(db)
    try:
        lea = services.accounts.sign_in("lea", PASSPHRASE)
        alias = next(a for a in services.accounts.aliases() if a.handle == "@brand")
        events = [
            e.event
            for e in services.audit.for_alias(lea, alias.id)
            if e.event.kind == "contact.reach_read"
        ]
        return services.contacts.card(lea, alias.id, handle), events
    finally:
        services.close()


def _one_line_refusal(result, words, canary):
    assert result.exit_code != 0
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.output and canary not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_reach_reads_the_followers_from_x_and_keeps_them_on_the_card(x_db, api, canary):
    _lookup(api)

    result = reach(x_db, "otto")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["read @fan's reach on @brand from x: 3,120 followers"]
    assert canary not in result.output
    [call] = api.calls
    assert f'oauth_token="{canary}-token"' in str(call.request.headers["Authorization"])
    card, [event] = _card(x_db)
    assert card.contact.channel_reach == 3120 and card.contact.channel_reach_at is not None
    assert not card.ratings  # the operators' reach rating is theirs: the count is kept apart
    assert (event.details["followers"], event.details["channel"]) == (3120, "x")


def test_show_prints_the_reach_read_and_when(x_db, api):
    _lookup(api)
    assert reach(x_db, "otto").exit_code == 0
    shown = run(
        *["contact", "show", "@brand", "@fan", "--as", "lea", "--passphrase-stdin", "--db", x_db],
        input=f"{PASSPHRASE}\n",
    )
    assert shown.exit_code == 0, shown.output
    [line] = [row for row in shown.stdout.splitlines() if row.startswith("reach\t")]
    assert line.split("\t")[1:3] == ["3120", "followers"]


def test_an_unknown_contact_is_one_line_and_the_channel_is_not_asked(x_db, api, canary):
    _one_line_refusal(reach(x_db, "otto", "@nobody"), "@brand has no contact @nobody", canary)
    assert not api.calls


def test_an_account_x_does_not_know_is_one_line(x_db, api, canary):
    api.get(
        f"{API}/users/by",
        json={"errors": [{"value": "fan", "title": "Not Found Error", "parameter": "usernames"}]},
    )
    _one_line_refusal(reach(x_db, "otto"), "x knows no account @fan", canary)
    assert _card(x_db)[0].contact.channel_reach is None


@pytest.mark.parametrize(
    ("status", "words"),
    [(429, "rate"), (401, "connect")],
    ids=["rate-limited", "credentials-refused"],
)
def test_a_channel_failure_is_one_line_without_a_secret(x_db, api, canary, status, words):
    api.get(
        f"{API}/users/by",
        status=status,
        headers={"x-rate-limit-reset": "1793000000"},
        json={"title": "Unauthorized", "detail": f"token {canary}-token refused"},
    )
    result = reach(x_db, "otto")
    _one_line_refusal(result, words, canary)
    assert _card(x_db)[0].contact.channel_reach is None


def test_a_trainee_reads_reach_as_the_service_allows_and_a_non_member_is_refused(x_db, api, canary):
    # Reading what the channel counts is not a rating (the service refuses trainees only
    # tags and ratings): a trainee may read it; someone without a role on the alias may not.
    _one_line_refusal(reach(x_db, "nora"), "nora", canary)
    assert not api.calls
    _lookup(api, followers=12)
    assert reach(x_db, "theo").stdout.endswith("12 followers\n")
