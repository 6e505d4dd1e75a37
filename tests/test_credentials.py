"""Channel credentials: the OS keyring, a clear error without one, the environment on request."""

import json
import logging

import keyring
import pytest
from keyring.backends import fail, null

from cmconsole import logs
from cmconsole.credentials import (
    CredentialStore,
    CredentialsUnavailable,
    XApp,
    XCredentials,
    handle_variable,
)
from cmconsole.domain.errors import CmconsoleError

APP = XApp("app-key-1111", "app-secret-2222")


def test_credentials_round_trip_through_the_keyring(memory_keyring):
    store = CredentialStore(environ={})
    assert store.x_credentials("@belle") is None
    store.save_x_app(APP)
    store.save_x_account("@Belle", "token-3333", "secret-4444", "42", "Belle")

    found = store.x_credentials("belle")  # handles match in any case, with or without '@'
    assert found == XCredentials(
        "app-key-1111", "app-secret-2222", "token-3333", "secret-4444", "42", "Belle"
    )
    assert store.x_app() == APP
    assert set(memory_keyring.entries) == {("cmconsole", "x-app"), ("cmconsole", "x:belle")}
    assert json.loads(memory_keyring.entries[("cmconsole", "x:belle")])["user_id"] == "42"
    assert "keyring" in store.describe()


def test_the_repr_of_credentials_shows_no_secret():
    shown = repr(XCredentials("ck-5555", "cs-6666", "at-7777", "as-8888", "42", "belle"))
    assert not {"ck-5555", "cs-6666", "at-7777", "as-8888"} & set(shown.replace("'", " ").split())
    for secret in ("ck-5555", "cs-6666", "at-7777", "as-8888"):
        assert secret not in shown
        assert secret not in repr(XApp(secret, secret))
    assert "42" in shown


def test_every_secret_loaded_is_masked_in_logs(memory_keyring):
    memory_keyring.set_password(
        "cmconsole",
        "x-app",
        json.dumps({"consumer_key": "loaded-ck-9191", "consumer_secret": "loaded-cs-9292"}),
    )
    memory_keyring.set_password(
        "cmconsole",
        "x:belle",
        json.dumps(
            {
                "access_token": "loaded-at-9393",
                "access_secret": "loaded-as-9494",
                "user_id": "9696",
                "username": "belle_9595",
            }
        ),
    )
    line = "loaded-ck-9191 loaded-cs-9292 loaded-at-9393 loaded-as-9494 belle_9595 9696"
    assert logs.redact(line) == line  # nothing registered before they are loaded
    assert CredentialStore(environ={}).x_credentials("@belle") is not None
    assert logs.redact(line) == "*** *** *** *** belle_9595 9696"  # the account is no secret


def test_without_a_keyring_backend_the_error_says_what_to_do():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        store = CredentialStore(environ={})
        with pytest.raises(CredentialsUnavailable) as reading:
            store.x_credentials("@belle")
        with pytest.raises(CredentialsUnavailable) as saving:
            store.save_x_app(APP)
    finally:
        keyring.set_keyring(previous)
    for error in (reading.value, saving.value):
        assert isinstance(error, CmconsoleError)
        message = str(error)
        assert "no OS keyring" in message
        assert "dbus-run-session" in message and "keyrings.cryptfile" in message
        assert "CMCONSOLE_CREDENTIALS=environment" in message
        assert "app-secret-2222" not in message


def test_a_keyring_that_keeps_nothing_is_refused_rather_than_trusted():
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    try:
        with pytest.raises(CredentialsUnavailable, match="null keyring keeps nothing"):
            CredentialStore(environ={}).save_x_app(APP)
    finally:
        keyring.set_keyring(previous)


def test_a_keyring_that_silently_drops_what_it_is_given_is_noticed(memory_keyring):
    memory_keyring.set_password = lambda service, username, password: None
    with pytest.raises(CredentialsUnavailable, match="did not keep the X credentials"):
        CredentialStore(environ={}).save_x_account("@belle", "t-1234", "s-1234", "42", "belle")


def test_damaged_entries_are_reported_without_their_content(memory_keyring):
    memory_keyring.set_password("cmconsole", "x-app", "not json, secret-ish-5678")
    with pytest.raises(CredentialsUnavailable, match="damaged") as raised:
        CredentialStore(environ={}).x_app()
    assert "secret-ish-5678" not in str(raised.value)


ENVIRONMENT = {
    "CMCONSOLE_X_CONSUMER_KEY": "env-ck-1010",
    "CMCONSOLE_X_CONSUMER_SECRET": "env-cs-2020",
    "CMCONSOLE_X_BELLE_H_ACCESS_TOKEN": "env-at-3030",
    "CMCONSOLE_X_BELLE_H_ACCESS_SECRET": "env-as-4040",
}


def test_environment_variables_are_ignored_unless_the_user_opts_in(memory_keyring):
    assert CredentialStore(environ=ENVIRONMENT).x_credentials("@belle_h") is None
    assert CredentialStore(environ=ENVIRONMENT).x_app() is None


def test_the_environment_fallback_when_opted_in(memory_keyring):
    store = CredentialStore(environ={**ENVIRONMENT, "CMCONSOLE_CREDENTIALS": "environment"})
    assert store.x_credentials("@belle_h") == XCredentials(
        "env-ck-1010", "env-cs-2020", "env-at-3030", "env-as-4040", None
    )
    assert store.describe() == "environment variables"
    with pytest.raises(CredentialsUnavailable, match="cannot be stored"):
        store.save_x_account("@belle_h", "t-5555", "s-5555", "42", "belle_h")
    assert memory_keyring.entries == {}
    with_id = CredentialStore(
        environ={
            **ENVIRONMENT,
            "CMCONSOLE_CREDENTIALS": "environment",
            "CMCONSOLE_X_BELLE_H_USER_ID": "777",
        }
    )
    assert with_id.x_credentials("@belle_h").user_id == "777"


def test_a_missing_environment_variable_is_named():
    partial = {k: v for k, v in ENVIRONMENT.items() if not k.endswith("ACCESS_SECRET")}
    store = CredentialStore(environ={**partial, "CMCONSOLE_CREDENTIALS": "environment"})
    with pytest.raises(CredentialsUnavailable) as raised:
        store.x_credentials("@belle_h")
    assert "CMCONSOLE_X_BELLE_H_ACCESS_SECRET is not set for @belle_h" in str(raised.value)
    assert "env-at-3030" not in str(raised.value)


def test_an_unknown_credential_source_is_refused():
    with pytest.raises(CredentialsUnavailable, match=r"'keyring' .* or 'environment'"):
        CredentialStore(environ={"CMCONSOLE_CREDENTIALS": "plaintext"}).x_app()


def test_the_variable_names_for_a_handle():
    assert handle_variable("@belle_h", "ACCESS_TOKEN") == "CMCONSOLE_X_BELLE_H_ACCESS_TOKEN"
    assert handle_variable("Acme", "ACCESS_SECRET") == "CMCONSOLE_X_ACME_ACCESS_SECRET"


def test_the_log_filter_masks_registered_secrets_and_oauth_values(caplog):
    logs.register_secret("filter-secret-6060")
    caplog.set_level(logging.DEBUG)
    logs.protect(caplog.handler)
    header = 'OAuth oauth_consumer_key="ck", oauth_token="tok-1", oauth_signature="s-9"'
    logging.getLogger("cmconsole.test").debug(
        "sent %s with headers %s", "filter-secret-6060", {"Authorization": header}
    )
    logging.getLogger("cmconsole.test").debug("body oauth_token=tok-2&oauth_token_secret=tok-3")
    text = caplog.text
    for leaked in ("filter-secret-6060", "tok-1", "tok-2", "tok-3", "s-9", '"ck"'):
        assert leaked not in text
    assert "sent *** with headers" in text
