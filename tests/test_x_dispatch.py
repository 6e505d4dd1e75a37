"""The outbox over the real X channel (tweepy, its HTTP stubbed): no blind retry, no leak."""

import io
import logging
import uuid
from datetime import UTC, datetime

import pytest
import responses

from cmconsole import logs
from cmconsole.credentials import CredentialStore, XApp
from cmconsole.domain.model import PostStatus, Role
from cmconsole.services.dispatch import LEASE
from cmconsole.storage.workspace import open_workspace
from cmconsole.wiring import open_services
from tests.conftest import PASSPHRASE, FakeClock

API = "https://api.twitter.com/2"
USER_ID = "42"


def _tweet(post_id, text, author, created, replied_to=None):
    data = {
        "id": post_id,
        "text": text,
        "author_id": author,
        "created_at": created,
        "edit_history_tweet_ids": [post_id],
    }
    if replied_to:
        data["referenced_tweets"] = [{"type": "replied_to", "id": replied_to}]
    return data


@pytest.fixture
def canary():
    return f"canary-{uuid.uuid4().hex}"


@pytest.fixture
def x_services(database_url, memory_keyring, canary):
    store = CredentialStore(environ={})
    store.save_x_app(XApp(f"{canary}-ck", f"{canary}-cs"))
    store.save_x_account("@brand", canary, f"{canary}-secret", USER_ID, "brand")
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    services = open_services(database_url, clock=clock)
    alias = services.accounts.add_alias("@brand", "The Brand", channel="x")
    services.accounts.add_operator("otto", "Otto Operator", PASSPHRASE)
    services.accounts.grant("otto", "@brand", Role.OPERATOR)
    otto = services.accounts.sign_in("otto", PASSPHRASE)
    services.shifts.start(otto, alias.id)
    yield services, alias, otto, clock
    services.close()


@pytest.fixture
def debug_log():
    """Everything logged at DEBUG, as a careless debugging session would configure it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logs.install()
    # Turned up again after install() held them at WARNING: the redaction filter is the last guard.
    for name in logs.NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    # Another test's logging.config (import-linter's, in tests/test_layers.py) may have disabled
    # the loggers that existed then: enable them all, as a fresh debugging process would have.
    disabled = [
        each
        for each in logging.Logger.manager.loggerDict.values()
        if isinstance(each, logging.Logger) and each.disabled
    ]
    for each in disabled:
        each.disabled = False
    yield stream
    for each in disabled:
        each.disabled = True
    for name in logs.NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    root.removeHandler(handler)
    root.setLevel(previous)


def _mention(api, post_id, text):
    api.get(
        f"{API}/users/{USER_ID}/mentions",
        json={
            "data": [_tweet(post_id, text, "7", "2026-11-02T08:00:00.000Z")],
            "includes": {"users": [{"id": "7", "username": "fan", "name": "A Fan"}]},
            "meta": {"result_count": 1},
        },
    )


def _reply(services, alias, otto, api, mention_id, text):
    _mention(api, mention_id, f"@brand question {mention_id}")
    services.inbox.sync(alias.id)
    conversation = services.inbox.conversation(otto, alias.id, "@fan")
    assert conversation.latest.channel_message_id == mention_id
    post = services.posting.reply(otto, conversation.latest.id, text)
    services.claims.release(otto, alias.id, "@fan")
    return post


def _calls(api):
    return [(call.request.method, call.request.url.split("?")[0]) for call in api.calls]


def test_every_x_failure_is_handled_and_no_credential_is_written_anywhere(
    x_services, debug_log, canary, database_url, tmp_path
):
    services, alias, otto, clock = x_services
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        # A 5xx after the post left: outcome unknown. The account's recent posts are read before
        # anything else is sent, and the post is found there: published once, never resent.
        first = _reply(services, alias, otto, api, "1001", "On its way")
        api.post(f"{API}/tweets", status=503, json={"title": "Service Unavailable"})
        api.get(
            f"{API}/users/{USER_ID}/tweets",
            json={
                "data": [_tweet("2001", "On its way", USER_ID, "2026-11-02T09:00:01.000Z", "1001")],
                "meta": {"result_count": 1},
            },
        )
        services.dispatcher.run_once()
        assert _calls(api)[-2:] == [
            ("POST", f"{API}/tweets"),
            ("GET", f"{API}/users/{USER_ID}/tweets"),
        ]
        assert sum(method == "POST" for method, _ in _calls(api)) == 1
        settled = services.posting.post(otto, first.id)
        assert (settled.status, settled.channel_post_id) == (PostStatus.PUBLISHED, "2001")

        # A 429: the post waits for X's reset time, then goes out.
        second = _reply(services, alias, otto, api, "1002", "Checking now")
        reset = int(clock.now.timestamp()) + 90
        api.post(f"{API}/tweets", status=429, headers={"x-rate-limit-reset": str(reset)})
        [delayed] = services.dispatcher.run_once().delayed
        assert delayed.retry_at == datetime.fromtimestamp(reset, UTC)
        assert services.dispatcher.run_once().settled == []
        clock.advance(seconds=91)
        api.post(f"{API}/tweets", status=201, json={"data": {"id": "2002", "text": "x"}})
        [sent] = services.dispatcher.run_once().published
        assert (sent.id, sent.channel_post_id) == (second.id, "2002")

        # A dispatcher dies after taking a post (its liveness signal is gone: it never had
        # one); the next one looks at X first, finds nothing, and only then sends.
        third = _reply(services, alias, otto, api, "1003", "Sorted")
        workspace = open_workspace(database_url)
        with workspace.transaction() as tx:
            assert tx.posts.take_due(clock.now, clock.now + LEASE, 1, "dead")[0].id == third.id
        workspace.close()
        clock.advance(seconds=LEASE.total_seconds() + 1)
        api.get(f"{API}/users/{USER_ID}/tweets", json={"meta": {"result_count": 0}})
        api.post(f"{API}/tweets", status=201, json={"data": {"id": "2003", "text": "x"}})
        before = len(api.calls)
        services.dispatcher.run_once()
        assert _calls(api)[before:] == [
            ("GET", f"{API}/users/{USER_ID}/tweets"),
            ("POST", f"{API}/tweets"),
        ]
        assert services.posting.post(otto, third.id).status is PostStatus.PUBLISHED

    logged = debug_log.getvalue()
    assert "api.twitter.com" in logged  # DEBUG logging was on and saw the traffic
    assert "***" in logged  # and credentials went by, masked
    assert canary not in logged
    events = list(services.audit.export())
    assert {"post.outcome_unknown", "post.reconciled", "post.delayed"} <= {
        entry.event.kind for entry in events
    }
    for entry in events:
        assert canary not in f"{entry.event.subject} {entry.event.details}"
    for post in services.posting.posts(otto, alias.id):
        assert canary not in f"{post.failure_reason} {post.text}"
    if database_url.startswith("sqlite"):
        # The database and its write-ahead log, byte for byte.
        written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
        assert b"Checking now" in written
        assert canary.encode() not in written


def test_a_post_whose_timeline_cannot_be_read_stays_unknown_and_is_never_resent(x_services):
    services, alias, otto, clock = x_services
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        post = _reply(services, alias, otto, api, "1001", "On its way")
        api.post(f"{API}/tweets", status=503, json={"title": "Service Unavailable"})
        for _ in range(2):
            api.get(
                f"{API}/users/{USER_ID}/tweets",
                status=403,
                json={"title": "Forbidden", "detail": "You are not permitted to read this."},
            )
        [unknown] = services.dispatcher.run_once().unknown
        clock.advance(seconds=LEASE.total_seconds() + 1)
        [still] = services.dispatcher.run_once().unknown
        assert sum(method == "POST" for method, _ in _calls(api)) == 1
    assert unknown.id == still.id == post.id
    assert services.posting.post(otto, post.id).status is PostStatus.UNKNOWN
