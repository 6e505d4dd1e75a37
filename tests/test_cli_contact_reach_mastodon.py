"""`cmconsole contact reach` on a Mastodon alias: the follower count from the fan's profile through
Mastodon.py (its HTTP stubbed with `responses`, as docs.joinmastodon.org shapes it)."""

from datetime import UTC, datetime

import pytest
import responses
from responses import matchers

from cmconsole.credentials import CredentialStore, MastodonCredentials
from cmconsole.domain.model import Role
from cmconsole.wiring import open_services
from tests.cli_run import run
from tests.conftest import PASSPHRASE, FakeClock
from tests.mastodon_stubs import ACCOUNT_ID, API, FAN, INSTANCE, error, fan_mention, notification
from tests.test_cli_contact_reach import canary, private_environment  # noqa: F401

FAN_HANDLE = "@anna@other.example"


@pytest.fixture
def m_db(tmp_path, memory_keyring, canary):  # noqa: F811
    CredentialStore(environ={}).save_mastodon_account(
        "@brand", MastodonCredentials(INSTANCE, canary, ACCOUNT_ID, "brand", "cid", f"{canary}-s")
    )
    url = f"sqlite:///{tmp_path / 'm.db'}"
    services = open_services(url, clock=FakeClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)))
    try:
        alias = services.accounts.add_alias("@brand", "The Brand", channel="mastodon")
        services.accounts.add_operator("otto", "Otto Operator", PASSPHRASE)
        services.accounts.grant("otto", "@brand", Role.LEAD)
        with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
            mention = fan_mention("5001", "une question", "2026-12-07T08:00:00.000Z", "public")
            api.get(f"{API}/notifications", json=[notification("5002", mention)])
            assert services.inbox.sync(alias.id) == 1
    finally:
        services.close()
    return url


def reach(db):
    command = ["contact", "reach", "@brand", FAN_HANDLE, "--as", "otto", "--passphrase-stdin"]
    return run(*command, "--db", db, input=f"{PASSPHRASE}\n")


def test_reach_reads_the_followers_from_the_fan_s_profile(m_db, canary):  # noqa: F811
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        api.get(
            f"{API}/accounts/lookup",
            json=dict(FAN, followers_count=3120),
            match=[matchers.query_param_matcher({"acct": "anna@other.example"})],
        )
        result = reach(m_db)
        [call] = api.calls
    assert result.exit_code == 0, result.output
    assert result.stdout == f"read {FAN_HANDLE}'s reach on @brand from mastodon: 3,120 followers\n"
    assert call.request.headers["Authorization"] == f"Bearer {canary}"
    assert canary not in result.output


def test_an_account_the_instance_does_not_know_is_one_line(m_db, canary):  # noqa: F811
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        api.get(f"{API}/accounts/lookup", status=404, json=error("Record not found"))
        result = reach(m_db)
    assert result.exit_code == 1
    assert result.stderr == f"cmconsole: mastodon knows no account {FAN_HANDLE}\n"
    assert canary not in result.output
