"""`cmconsole alias connect-x`: sign in on X with a PIN (or given tokens), check whose account it
is, keep the credentials in the keyring and audit the connection without a secret."""

import json
from urllib.parse import parse_qs

import keyring
import pytest
import responses
from keyring.backends import fail

from tests.cli_run import keep_private
from tests.cli_run import run_clean as run

OAUTH = "https://api.twitter.com/oauth"
ME = "https://api.twitter.com/2/users/me"
SECRETS = ("app-key-1", "app-secret-1", "acc-token-1", "acc-secret-1", "req-token", "req-secret")


@pytest.fixture(autouse=True)
def private_environment(tmp_path, monkeypatch):
    keep_private(tmp_path, monkeypatch)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run("init", "--db", url).exit_code == 0
    assert run("alias", "add", "@brand", "--name", "The Brand", "--channel", "x", "--db", url)
    return url


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def _stub_pin_flow(api):
    api.post(
        f"{OAUTH}/request_token",
        body="oauth_token=req-token&oauth_token_secret=req-secret&oauth_callback_confirmed=true",
    )
    api.post(
        f"{OAUTH}/access_token",
        body="oauth_token=acc-token-1&oauth_token_secret=acc-secret-1&user_id=42&screen_name=Brand",
    )


def _stub_me(api, username="Brand"):
    api.get(ME, json={"data": {"id": "42", "name": "The Brand", "username": username}})


def _header(call) -> str:
    value = call.request.headers["Authorization"]
    return value.decode() if isinstance(value, bytes) else value


def _connected_events(db):
    exported = run("audit", "export", "--db", db).output
    events = [json.loads(line) for line in exported.splitlines()]
    return [e for e in events if e["kind"] == "channel.connected"], exported


def test_the_pin_flow_connects_the_alias_and_keeps_its_credentials(db, api, memory_keyring):
    _stub_pin_flow(api)
    _stub_me(api)
    result = run(
        "alias", "connect-x", "@brand", "--db", db, input="app-key-1\napp-secret-1\n 123456 \n"
    )
    assert result.exit_code == 0, result.output
    assert "https://api.twitter.com/oauth/authorize?oauth_token=req-token" in result.output
    assert "@brand is connected to the X account @Brand (id 42)" in result.output

    request_token, access_token, me = api.calls
    assert 'oauth_callback="oob"' in _header(request_token)
    assert 'oauth_verifier="123456"' in _header(access_token)
    assert 'oauth_token="req-token"' in _header(access_token)
    assert 'oauth_token="acc-token-1"' in _header(me)  # the account is checked with new tokens
    assert all(call.request.req_kwargs["timeout"] == (5.0, 20.0) for call in api.calls)

    kept = {name: json.loads(value) for (_, name), value in memory_keyring.entries.items()}
    assert kept == {
        "x-app": {"consumer_key": "app-key-1", "consumer_secret": "app-secret-1"},
        "x:brand": {
            "access_token": "acc-token-1",
            "access_secret": "acc-secret-1",
            "user_id": "42",
            "username": "Brand",
        },
    }
    [event], exported = _connected_events(db)
    assert event["alias"] == "@brand" and event["subject"] == "@brand"
    assert set(event["details"]) == {"channel", "account_id", "account_name", "by"}
    assert event["details"]["channel"] == "x"
    assert (event["details"]["account_id"], event["details"]["account_name"]) == ("42", "@Brand")
    for secret in SECRETS:
        assert secret not in exported
        assert secret not in result.output.replace("oauth_token=req-token", "")


def test_given_tokens_skip_the_pin_flow_and_the_secret_is_asked_hidden(db, api, memory_keyring):
    _stub_me(api)
    result = run(
        "alias",
        "connect-x",
        "BRAND",
        "--consumer-key",
        "app-key-1",
        "--consumer-secret",
        "app-secret-1",
        "--access-token",
        "acc-token-1",
        "--db",
        db,
        input="acc-secret-1\n",
    )
    assert result.exit_code == 0, result.output
    assert "Access token secret" in result.output
    assert "acc-secret-1" not in result.output  # hidden input is not echoed
    assert [call.request.url for call in api.calls] == [ME]
    assert json.loads(memory_keyring.entries[("cmconsole", "x:brand")])["access_secret"] == (
        "acc-secret-1"
    )
    assert len(_connected_events(db)[0]) == 1


def test_the_app_keys_kept_already_are_not_asked_again(db, api, memory_keyring):
    _stub_me(api)
    _stub_me(api)
    args = ["alias", "connect-x", "@brand", "--access-token", "acc-token-1", "--db", db]
    first = run(*args, input="app-key-1\napp-secret-1\nacc-secret-1\n")
    assert first.exit_code == 0, first.output
    again = run(*args, input="acc-secret-2\n")
    assert again.exit_code == 0, again.output
    assert "consumer key" not in again.output
    assert 'oauth_consumer_key="app-key-1"' in _header(api.calls[1])
    assert len(_connected_events(db)[0]) == 2


def test_another_x_account_is_refused_and_nothing_is_kept(db, api, memory_keyring):
    _stub_pin_flow(api)
    _stub_me(api, username="SomeoneElse")
    result = run("alias", "connect-x", "@brand", "--db", db, input="app-key-1\napp-secret-1\n1\n")
    assert result.exit_code == 1
    assert "act as @SomeoneElse, not @brand" in result.output
    assert "Traceback" not in result.output
    assert memory_keyring.entries == {}
    assert _connected_events(db)[0] == []


def test_x_refusing_the_pin_is_one_line(db, api, memory_keyring):
    api.post(
        f"{OAUTH}/request_token",
        body="oauth_token=req-token&oauth_token_secret=req-secret&oauth_callback_confirmed=true",
    )
    api.post(f"{OAUTH}/access_token", status=401, body="Invalid request token.")
    result = run("alias", "connect-x", "@brand", "--db", db, input="app-key-1\napp-secret-1\n9\n")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("cmconsole: X refused the PIN")
    assert memory_keyring.entries == {}


def test_an_unknown_alias_cannot_be_connected(db, api, memory_keyring):
    """(An alias on another channel can: X is added to its channels, as
    tests/test_connect_bluesky.py shows for Bluesky.)"""
    unknown = run("alias", "connect-x", "@nobody", "--db", db)
    assert unknown.exit_code == 1
    assert "there is no alias @nobody" in unknown.output
    assert len(api.calls) == 0


def test_without_a_keyring_the_command_says_what_to_do(db, api):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        result = run("alias", "connect-x", "@brand", "--db", db, input="k\ns\n")
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 1
    [line] = [text for text in result.output.splitlines() if text.startswith("cmconsole:")]
    assert "no OS keyring" in line and "dbus-run-session" in line
    assert "Traceback" not in result.output
    assert _connected_events(db)[0] == []


def test_with_the_environment_fallback_the_given_credentials_are_checked(
    db, api, memory_keyring, monkeypatch
):
    monkeypatch.setenv("CMCONSOLE_CREDENTIALS", "environment")
    monkeypatch.setenv("CMCONSOLE_X_CONSUMER_KEY", "app-key-1")
    monkeypatch.setenv("CMCONSOLE_X_CONSUMER_SECRET", "app-secret-1")
    monkeypatch.setenv("CMCONSOLE_X_BRAND_ACCESS_TOKEN", "acc-token-1")
    monkeypatch.setenv("CMCONSOLE_X_BRAND_ACCESS_SECRET", "acc-secret-1")
    _stub_me(api)
    result = run("alias", "connect-x", "@brand", "--db", db)
    assert result.exit_code == 0, result.output
    assert "its credentials are in environment variables" in result.output
    assert 'oauth_token="acc-token-1"' in _header(api.calls[0])
    assert memory_keyring.entries == {}
    assert len(_connected_events(db)[0]) == 1


def test_the_request_for_a_pin_uses_the_app_keys(db, api, memory_keyring):
    _stub_pin_flow(api)
    _stub_me(api)
    run("alias", "connect-x", "@brand", "--db", db, input="app-key-1\napp-secret-1\n7\n")
    signed = parse_qs(_header(api.calls[0])[len("OAuth ") :].replace(", ", "&").replace('"', ""))
    assert signed["oauth_consumer_key"] == ["app-key-1"]
    assert "oauth_token" not in signed


def test_once_the_alias_has_a_lead_only_she_connects_it_and_the_audit_names_her(
    db, api, memory_keyring
):
    passphrase = "correct horse battery"
    for name in ("lea", "omar"):
        assert (
            run(
                "operator", "add", name, "--passphrase-stdin", "--db", db, input=passphrase
            ).exit_code
            == 0
        )
    assert run("grant", "omar", "@brand", "operator", "--db", db).exit_code == 0
    assert run("grant", "lea", "@brand", "lead", "--db", db).exit_code == 0

    unsigned = run("alias", "connect-x", "@brand", "--db", db, input="app-key-1\n")
    assert unsigned.exit_code == 2
    assert "this workspace has a lead: say who you are with --as NAME" in unsigned.output
    as_omar = run(
        "alias", "connect-x", "@brand", "--as", "omar", "--passphrase-stdin", "--db", db,
        input=f"{passphrase}\napp-key-1\napp-secret-1\n",
    )  # fmt: skip
    assert as_omar.exit_code == 1
    assert as_omar.output == ("cmconsole: only a lead of @brand can connect its channel accounts\n")
    assert len(api.calls) == 0 and memory_keyring.entries == {}  # nothing asked of X, nothing kept

    _stub_pin_flow(api)
    _stub_me(api)
    as_lea = run(
        "alias", "connect-x", "@brand", "--as", "lea", "--passphrase-stdin", "--db", db,
        input=f"{passphrase}\napp-key-1\napp-secret-1\n 123456 \n",
    )  # fmt: skip
    assert as_lea.exit_code == 0, as_lea.output
    assert passphrase not in as_lea.output
    exported = run(
        "audit", "export", "--as", "lea", "--passphrase-stdin", "--db", db, input=passphrase
    ).output
    [event] = [json.loads(line) for line in exported.splitlines() if "channel.connected" in line]
    assert (event["actor"], event["alias"]) == ("lea", "@brand")


def test_what_x_says_of_the_account_reaches_the_terminal_inert(db, api, memory_keyring):
    """The account X names is outside text: an escape sequence in it (a hostile or broken
    server) is shown, never obeyed, and nothing is stored."""
    _stub_me(api, username="\x1b]0;pwned\x07evil\x9b31m")
    result = run(
        "alias",
        "connect-x",
        "@brand",
        "--access-token",
        "acc-token-1",
        "--db",
        db,
        input="app-key-1\napp-secret-1\nacc-secret-1\n",
    )
    assert result.exit_code == 1
    assert "not @brand" in result.output and "evil" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\x9b" not in result.output
    assert memory_keyring.entries == {}
