"""`cmconsole alias connect-mastodon`: register the app, sign in with the code the instance shows,
check whose account it is, keep the token in the keyring, audit the connection without a secret.

Bodies from docs.joinmastodon.org: POST /api/v1/apps (methods/apps, the Application entity with
client_id and client_secret), POST /oauth/token (methods/oauth, the Token entity), GET
/api/v1/accounts/verify_credentials (methods/accounts, CredentialAccount), GET /api/v2/instance
(methods/instance, the Instance entity)."""

import json
from urllib.parse import parse_qs, urlsplit

import keyring
import pytest
import responses
from keyring.backends import fail

from tests.cli_run import keep_private
from tests.cli_run import run_clean as run
from tests.mastodon_stubs import API, INSTANCE, account, error, instance_v2, sent_form

SCOPES = "read:accounts read:notifications read:statuses write:statuses"
SECRETS = ("client-secret-1", "token-1", "code-1234")


@pytest.fixture(autouse=True)
def private_environment(tmp_path, monkeypatch):
    keep_private(tmp_path, monkeypatch)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run("init", "--db", url).exit_code == 0
    added = run(
        "alias", "add", "@brand", "--name", "The Brand", "--channel", "mastodon", "--db", url
    )
    assert added.exit_code == 0, added.output
    return url


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def _stub_sign_in(api, username="brand"):
    # Mastodon 4.3's authorization server metadata (methods/oauth, RFC 8414), read before the
    # link is made and before the code is exchanged.
    api.get(
        f"{INSTANCE}/.well-known/oauth-authorization-server",
        json={
            "issuer": f"{INSTANCE}/",
            "authorization_endpoint": f"{INSTANCE}/oauth/authorize",
            "token_endpoint": f"{INSTANCE}/oauth/token",
            "scopes_supported": SCOPES.split(),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
        },
    )
    api.post(
        f"{API}/apps",
        json={
            "id": "563419",
            "name": "cmconsole",
            "website": None,
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
            "client_id": "client-id-1",
            "client_secret": "client-secret-1",
        },
    )
    api.post(
        f"{INSTANCE}/oauth/token",
        json={"access_token": "token-1", "token_type": "Bearer", "scope": SCOPES, "created_at": 1},
    )
    _stub_account(api, username)


def _stub_account(api, username="brand"):
    api.get(f"{API}/accounts/verify_credentials", json=account("109302", username, username))


def _connected_events(db):
    exported = run("audit", "export", "--db", db).output
    events = [json.loads(line) for line in exported.splitlines()]
    return [e for e in events if e["kind"] == "channel.connected"], exported


def test_the_code_flow_connects_the_alias_and_keeps_its_token(db, api, memory_keyring):
    _stub_sign_in(api)
    api.get(f"{INSTANCE}/api/v2/instance/", json=instance_v2(1000))
    result = run(
        "alias", "connect-mastodon", "@brand", "--instance", "masto.example/", "--db", db,
        input=" code-1234 \n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [link] = [line.strip() for line in result.output.splitlines() if "/oauth/authorize" in line]
    asked = parse_qs(urlsplit(link).query)
    assert link.startswith(f"{INSTANCE}/oauth/authorize?")
    assert asked["client_id"] == ["client-id-1"] and asked["scope"] == [SCOPES]
    assert asked["redirect_uri"] == ["urn:ietf:wg:oauth:2.0:oob"]
    assert "connected to the Mastodon account @brand@masto.example (id 109302)" in result.output
    assert "allows 1000 characters" in result.output

    apps, _, _, token, me, _ = api.calls
    assert sent_form(apps.request)["scopes"] == SCOPES
    assert sent_form(token.request)["code"] == "code-1234"
    assert sent_form(token.request)["grant_type"] == "authorization_code"
    assert me.request.headers["Authorization"] == "Bearer token-1"
    assert all(call.request.req_kwargs["timeout"] == (5.0, 20.0) for call in api.calls)

    kept = {name: json.loads(value) for (_, name), value in memory_keyring.entries.items()}
    assert kept == {
        "mastodon:brand": {
            "instance": INSTANCE,
            "access_token": "token-1",
            "account_id": "109302",
            "username": "brand",
            "client_id": "client-id-1",
            "client_secret": "client-secret-1",
        }
    }
    [event], exported = _connected_events(db)
    assert event["details"]["channel"] == "mastodon"
    assert event["details"]["account_name"] == "@brand@masto.example"
    for secret in SECRETS:
        assert secret not in exported
        assert secret not in result.output


def test_a_given_token_skips_the_code_and_is_asked_hidden(db, api, memory_keyring):
    _stub_account(api)
    api.get(f"{INSTANCE}/api/v2/instance/", json=instance_v2())
    result = run(
        "alias", "connect-mastodon", "@brand", "--instance", INSTANCE, "--access-token",
        "--db", db, input="token-1\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "token-1" not in result.output
    assert json.loads(memory_keyring.entries[("cmconsole", "mastodon:brand")])["client_id"] == ""


def test_another_account_is_refused_and_nothing_is_kept(db, api, memory_keyring):
    _stub_sign_in(api, "someone")
    result = run(
        "alias", "connect-mastodon", "@brand", "--instance", INSTANCE, "--db", db, input="c\n"
    )
    assert result.exit_code == 1
    assert "acts as @someone, not @brand" in result.output
    assert memory_keyring.entries == {} and _connected_events(db)[0] == []


def test_a_refused_code_is_one_line(db, api, memory_keyring):
    _stub_sign_in(api)
    api.replace(
        responses.POST,
        f"{INSTANCE}/oauth/token",
        status=400,
        json={"error": "invalid_grant", "error_description": "The provided authorization grant "
              "is invalid, expired, revoked"},
    )  # fmt: skip
    api.remove(responses.GET, f"{API}/accounts/verify_credentials")
    result = run(
        "alias", "connect-mastodon", "@brand", "--instance", INSTANCE, "--db", db, input="c\n"
    )
    assert result.exit_code == 1
    [line] = [text for text in result.output.splitlines() if text.startswith("cmconsole:")]
    assert "invalid_grant" in line and "run connect-mastodon again" in line
    assert "Traceback" not in result.output and memory_keyring.entries == {}


def test_an_instance_that_is_down_says_so(db, api, memory_keyring):
    from tests.mastodon_stubs import refused_connection

    refused = refused_connection()
    for _ in range(4):
        api.post(f"{API}/apps", body=refused)
    result = run("alias", "connect-mastodon", "@brand", "--instance", INSTANCE, "--db", db)
    assert result.exit_code == 1
    assert "could not be reached" in result.output and "Traceback" not in result.output


def test_the_instance_is_checked_before_anything_is_sent(db, api, memory_keyring):
    plain = run("alias", "connect-mastodon", "@brand", "--instance", "http://x.example", "--db", db)
    assert plain.exit_code == 1 and "https only" in plain.output
    assert len(api.calls) == 0


def test_without_a_keyring_the_command_says_what_to_do(db, api):
    _stub_account(api)
    api.get(f"{INSTANCE}/api/v2/instance/", json=instance_v2())
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        result = run(
            "alias", "connect-mastodon", "@brand", "--instance", INSTANCE, "--access-token",
            "--db", db, input="token-1\n",
        )  # fmt: skip
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 1 and "no OS keyring" in result.output
    assert _connected_events(db)[0] == []


def test_with_the_environment_fallback_the_given_token_is_checked(
    db, api, memory_keyring, monkeypatch
):
    monkeypatch.setenv("CMCONSOLE_CREDENTIALS", "environment")
    monkeypatch.setenv("CMCONSOLE_MASTODON_BRAND_INSTANCE", INSTANCE)
    monkeypatch.setenv("CMCONSOLE_MASTODON_BRAND_ACCESS_TOKEN", "token-1")
    _stub_account(api)
    # A Mastodon 3 instance has no v2 instance endpoint: v1 says the limits.
    api.get(f"{INSTANCE}/api/v2/instance/", status=404, json=error("Not found"))
    api.get(f"{INSTANCE}/api/v1/instance/", json=instance_v2(640))
    result = run("alias", "connect-mastodon", "@brand", "--db", db)
    assert result.exit_code == 0, result.output
    assert "its token is in environment variables" in result.output
    assert "allows 640 characters" in result.output
    assert memory_keyring.entries == {}
