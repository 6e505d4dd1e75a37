"""`cmconsole alias connect-bluesky`: sign in with an app password (never the account's own),
keep it and the session in the keyring, audit the connection without a secret."""

import json

import pytest
import respx

from tests.bluesky_stubs import APP_PASSWORD, BRAND_DID, PDS, XRPC, jwt, session_body, xrpc_error
from tests.cli_run import keep_private
from tests.cli_run import run_clean as run

ACCESS, REFRESH = jwt(BRAND_DID, "cliaccess"), jwt(BRAND_DID, "clirefresh")


@pytest.fixture(autouse=True)
def private_environment(tmp_path, monkeypatch):
    keep_private(tmp_path, monkeypatch)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run("init", "--db", url).exit_code == 0
    added = run(
        "alias", "add", "@brand", "--name", "The Brand", "--channel", "bluesky", "--db", url
    )
    assert added.exit_code == 0, added.output
    return url


@pytest.fixture
def api():
    with respx.mock(base_url=XRPC, assert_all_called=False) as mock:
        yield mock


def connect(db, password, *extra):
    return run(
        "alias", "connect-bluesky", "@brand", "--account", "brand.bsky.social",
        "--service", PDS, "--app-password-stdin", *extra, "--db", db,
        input=f"{password}\n",
    )  # fmt: skip


def test_an_app_password_connects_the_alias_and_the_session_goes_to_the_keyring(
    db, api, memory_keyring
):
    sign_in = api.post("/com.atproto.server.createSession").respond(
        json=session_body(ACCESS, REFRESH)
    )
    result = connect(db, APP_PASSWORD)
    assert result.exit_code == 0, result.output
    assert f"@brand is connected to the Bluesky account @brand.bsky.social ({BRAND_DID})" in (
        result.output
    )
    sent = json.loads(sign_in.calls.last.request.content)
    assert sent == {"identifier": "brand.bsky.social", "password": APP_PASSWORD}
    [(_, entry)] = memory_keyring.entries
    kept = json.loads(memory_keyring.entries[("cmconsole", entry)])
    assert entry == "bluesky:brand"
    assert kept["app_password"] == APP_PASSWORD and kept["did"] == BRAND_DID
    assert ACCESS in kept["session"] and REFRESH in kept["session"]

    exported = run("audit", "export", "--db", db).output
    [event] = [
        e for e in map(json.loads, exported.splitlines()) if e["kind"] == "channel.connected"
    ]
    assert event["details"]["channel"] == "bluesky"
    assert event["details"]["account_id"] == BRAND_DID
    for secret in (APP_PASSWORD, ACCESS, REFRESH):
        assert secret not in exported
        assert secret not in result.output


def test_what_looks_like_the_account_password_is_refused_before_anything_is_sent(
    db, api, memory_keyring
):
    sign_in = api.post("/com.atproto.server.createSession")
    result = connect(db, "Tr0ub4dor&3-my-real-password")
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "not an app password (xxxx-xxxx-xxxx-xxxx)" in line
    assert "Tr0ub4dor" not in result.output
    assert not sign_in.called and memory_keyring.entries == {}


def test_a_withdrawn_app_password_is_one_line_and_nothing_is_kept(db, api, memory_keyring):
    api.post("/com.atproto.server.createSession").mock(
        return_value=xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
    )
    result = connect(db, APP_PASSWORD)
    assert result.exit_code != 0
    [line] = result.output.strip().splitlines()
    assert "refused the app password of @brand" in line and "connect-bluesky" in line
    assert memory_keyring.entries == {}


def test_an_alias_on_another_channel_is_connected_to_bluesky_too(db, api, memory_keyring):
    """One alias, several channels: connecting Bluesky adds it beside the sandbox."""
    api.post("/com.atproto.server.createSession").respond(json=session_body(ACCESS, REFRESH))
    run("alias", "add", "@other", "--name", "Other", "--db", db)
    result = run(
        "alias", "connect-bluesky", "@other", "--account", "other.bsky.social",
        "--service", PDS, "--app-password-stdin", "--db", db, input=f"{APP_PASSWORD}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = run("alias", "list", "--db", db).output.splitlines()
    [other] = [line.split("\t") for line in listed if line.startswith("@other")]
    assert other[3] == "sandbox,bluesky"
    exported = [json.loads(line) for line in run("audit", "export", "--db", db).output.splitlines()]
    [added] = [e for e in exported if e["kind"] == "alias.channel_added"]
    assert added["subject"] == "@other" and added["details"]["channel"] == "bluesky"
