"""Bluesky credentials in the keyring (or the environment): an app password and a session,
never shown, every secret registered with the log redaction."""

import pytest

from cmconsole import logs
from cmconsole.credentials import BlueskyCredentials, CredentialStore, CredentialsUnavailable
from cmconsole.domain.bluesky_keys import is_app_password, post_id, record_key, tid_time, uri_of

PASSWORD = "wxyz-2345-abcd-6789"
SESSION = "brand.bsky.social:::did:plc:x:::access-token-a:::refresh-token-r:::https://pds"


def test_the_account_password_and_session_round_trip_and_a_new_session_replaces_the_old(
    memory_keyring,
):
    store = CredentialStore(environ={})
    store.save_bluesky_account(
        "@Brand", BlueskyCredentials("brand.bsky.social", PASSWORD, "https://pds", "did:plc:x")
    )
    store.save_bluesky_session("@brand", SESSION)
    kept = store.bluesky_credentials("@BRAND")
    assert (kept.account, kept.app_password, kept.service, kept.did, kept.session) == (
        "brand.bsky.social", PASSWORD, "https://pds", "did:plc:x", SESSION,
    )  # fmt: skip
    assert list(memory_keyring.entries) == [("cmconsole", "bluesky:brand")]
    assert PASSWORD not in repr(kept) and SESSION not in repr(kept)
    assert store.bluesky_credentials("@other") is None


def test_what_is_loaded_is_masked_in_every_log_line(memory_keyring):
    store = CredentialStore(environ={})
    store.save_bluesky_account(
        "@brand", BlueskyCredentials("b.bsky.social", PASSWORD, session=SESSION)
    )
    store.bluesky_credentials("@brand")
    assert logs.redact(f"password={PASSWORD} session={SESSION}") == "password=*** session=***"


def test_a_damaged_entry_says_to_connect_again_with_connect_bluesky(memory_keyring):
    memory_keyring.set_password("cmconsole", "bluesky:brand", "not json " + PASSWORD)
    with pytest.raises(CredentialsUnavailable, match="connect-bluesky") as damaged:
        CredentialStore(environ={}).bluesky_credentials("@brand")
    assert PASSWORD not in str(damaged.value)


def test_the_environment_gives_them_when_asked_and_names_what_is_missing():
    environ = {
        "CMCONSOLE_CREDENTIALS": "environment",
        "CMCONSOLE_BLUESKY_BRAND_ACCOUNT": "brand.bsky.social",
        "CMCONSOLE_BLUESKY_BRAND_APP_PASSWORD": PASSWORD,
    }
    kept = CredentialStore(environ=environ).bluesky_credentials("@brand")
    assert (kept.account, kept.app_password, kept.service) == (
        "brand.bsky.social", PASSWORD, "https://bsky.social",
    )  # fmt: skip
    CredentialStore(environ=environ).save_bluesky_session("@brand", SESSION)  # nothing to keep
    del environ["CMCONSOLE_BLUESKY_BRAND_APP_PASSWORD"]
    with pytest.raises(CredentialsUnavailable, match="CMCONSOLE_BLUESKY_BRAND_APP_PASSWORD"):
        CredentialStore(environ=environ).bluesky_credentials("@brand")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("abcd-efgh-ijkl-mnop", True),
        (" ABCD-2345-ijkl-mnop ", True),
        ("correct horse battery staple", False),
        ("abcd-efgh-ijkl", False),
        ("abcd-efgh-ijkl-mnop-qrst", False),
        ("abc!-efgh-ijkl-mnop", False),
    ],
)
def test_what_has_the_form_of_an_app_password(given, expected):
    assert is_app_password(given) is expected


def test_a_record_key_is_a_valid_tid_of_the_attempt_and_a_post_id_maps_back_to_its_uri():
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=UTC)
    key = record_key(moment, "post-1")
    assert len(key) == 13 and key[0] in "234567abcdefghij"
    assert tid_time(key) == moment
    assert record_key(moment, "post-1") == key != record_key(moment, "post-2")
    uri = f"at://did:plc:abc/app.bsky.feed.post/{key}"
    assert post_id(uri) == f"did:plc:abc/{key}" and uri_of(post_id(uri)) == uri
    assert (
        post_id("at://did:plc:abc/app.bsky.feed.like/x") == "at://did:plc:abc/app.bsky.feed.like/x"
    )
    assert tid_time("not-a-tid") is None
