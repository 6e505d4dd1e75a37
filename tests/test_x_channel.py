"""The X channel: tweepy's real Client on stubbed HTTP, each failure mapped to what it means."""

import io
import json
import logging
import random
import uuid
from datetime import UTC, datetime, timedelta

import keyring
import pytest
import requests
import responses
from keyring.backends import fail
from responses import matchers
from urllib3.exceptions import ProtocolError

from cmconsole import logs
from cmconsole.channels.x import TIMELINE_PAGES, XChannel
from cmconsole.credentials import CredentialStore, XApp
from cmconsole.domain.model import Alias, SignatureKind
from cmconsole.services.ports import (
    ChannelError,
    ChannelNotAllowed,
    ChannelOutcomeUnknown,
    ChannelRateLimited,
    ChannelUnreachable,
)
from cmconsole.wiring import open_services

API = "https://api.twitter.com/2"
ALIAS = Alias(1, "@brand", "The Brand", "en", "x", SignatureKind.NONE, "")
USER_ID = "42"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_EPOCH_MS = 1288834974657


def snowflake(moment: datetime, sequence: int = 0) -> str:
    """A post id as X makes them: milliseconds since X's epoch, shifted, plus a sequence."""
    return str(((int(moment.timestamp() * 1000) - _EPOCH_MS) << 22) | sequence)


def tweet(post_id: str, text: str, author: str, created: str, replied_to: str | None = None):
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


USERS = [
    {"id": "7", "username": "fan", "name": "A Fan"},
    {"id": "8", "username": "critic", "name": "A Critic"},
    {"id": USER_ID, "username": "brand", "name": "The Brand"},
]


class Sleeps:
    """Records the backoff delays instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Highest(random.Random):
    """A random source that always draws the top of the range: the backoff's upper bounds."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def store(memory_keyring):
    kept = CredentialStore(environ={})
    kept.save_x_app(XApp("consumer-key-1", "consumer-secret-1"))
    kept.save_x_account("@brand", "access-token-1", "access-secret-1", USER_ID, "brand")
    return kept


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def channel(store, sleeps) -> XChannel:
    return XChannel(store, lambda: NOW, sleep=sleeps, rng=Highest())


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def refused_connection() -> requests.ConnectionError:
    """The very exception requests raises when nothing listens on the port."""
    try:
        requests.get("http://127.0.0.1:1/", timeout=2)
    except requests.ConnectionError as error:
        return error
    raise AssertionError("something listens on port 1")


REFUSED = refused_connection()  # taken before any stub is active


def _signed_as(request, token: str) -> bool:
    header = request.headers["Authorization"]
    header = header.decode() if isinstance(header, bytes) else header
    return header.startswith("OAuth ") and f'oauth_token="{token}"' in header


def test_a_reply_is_published_with_user_context_and_a_timeout(channel, api):
    posted_at = datetime(2026, 11, 2, 9, 30, 15, 250000, tzinfo=UTC)
    new_id = snowflake(posted_at, 5)
    api.post(
        f"{API}/tweets",
        status=201,
        json={"data": {"id": new_id, "text": "Thanks!", "edit_history_tweet_ids": [new_id]}},
    )
    published = channel.publish(ALIAS, "Thanks!", "1850000000000000001")

    assert published.channel_post_id == new_id
    assert published.published_at == posted_at
    [call] = api.calls
    assert json.loads(call.request.body) == {
        "text": "Thanks!",
        "reply": {"in_reply_to_tweet_id": "1850000000000000001"},
    }
    assert _signed_as(call.request, "access-token-1")
    assert call.request.req_kwargs["timeout"] == (5.0, 20.0)


def test_a_post_that_replies_to_nothing_has_no_reply_field(channel, api):
    api.post(f"{API}/tweets", status=201, json={"data": {"id": snowflake(NOW), "text": "Hi"}})
    channel.publish(ALIAS, "Hi", None)
    assert json.loads(api.calls[0].request.body) == {"text": "Hi"}


def _mentions_page(tweets, next_token=None):
    body = {"data": tweets, "includes": {"users": USERS}, "meta": {"result_count": len(tweets)}}
    if next_token:
        body["meta"]["next_token"] = next_token
    return body


def test_mentions_since_the_cursor_follow_every_page_and_come_oldest_first(channel, api):
    common = {
        "since_id": "1000",
        "max_results": "100",
        "expansions": "author_id",
        "user.fields": "username,name",
    }
    api.get(
        f"{API}/users/{USER_ID}/mentions",
        match=[matchers.query_param_matcher(common, strict_match=False)],
        json=_mentions_page(
            [
                tweet("1004", "@brand where is my order?", "8", "2026-11-02T08:04:00.000Z", "1003"),
                tweet("1003", "@brand our own echo", USER_ID, "2026-11-02T08:03:00.000Z"),
            ],
            next_token="page-2",
        ),
    )
    api.get(
        f"{API}/users/{USER_ID}/mentions",
        match=[
            matchers.query_param_matcher(
                {**common, "pagination_token": "page-2"}, strict_match=False
            )
        ],
        json=_mentions_page(
            [
                tweet("1002", "@brand love it", "7", "2026-11-02T08:02:00.000Z"),
                tweet("1001", "@brand hello", "7", "2026-11-02T08:01:00.000Z"),
            ]
        ),
    )
    mentions = channel.fetch_mentions(ALIAS, "1000")

    assert [m.channel_post_id for m in mentions] == ["1001", "1002", "1004"]
    first, _, last = mentions
    assert (first.author_handle, first.author_name, first.text) == ("@fan", "A Fan", "@brand hello")
    assert first.published_at == datetime(2026, 11, 2, 8, 1, tzinfo=UTC)
    assert (last.author_handle, last.in_reply_to) == ("@critic", "1003")
    assert len(api.calls) == 2
    assert all(_signed_as(call.request, "access-token-1") for call in api.calls)
    assert "pagination_token" not in api.calls[0].request.params


def test_the_first_sync_takes_only_the_newest_page(channel, api):
    api.get(
        f"{API}/users/{USER_ID}/mentions",
        json=_mentions_page(
            [tweet("1001", "@brand hi", "7", "2026-11-02T08:01:00.000Z")], next_token="older"
        ),
    )
    assert [m.channel_post_id for m in channel.fetch_mentions(ALIAS, None)] == ["1001"]
    assert len(api.calls) == 1
    assert "since_id" not in api.calls[0].request.params


def test_without_a_kept_user_id_the_account_is_looked_up_once(memory_keyring, api):
    environ = {
        "CMCONSOLE_CREDENTIALS": "environment",
        "CMCONSOLE_X_CONSUMER_KEY": "env-ck-1",
        "CMCONSOLE_X_CONSUMER_SECRET": "env-cs-1",
        "CMCONSOLE_X_BRAND_ACCESS_TOKEN": "env-at-1",
        "CMCONSOLE_X_BRAND_ACCESS_SECRET": "env-as-1",
    }
    channel = XChannel(CredentialStore(environ=environ), lambda: NOW)
    api.get(f"{API}/users/me", json={"data": {"id": "99", "username": "brand", "name": "B"}})
    api.get(f"{API}/users/99/mentions", json=_mentions_page([]))
    assert channel.fetch_mentions(ALIAS, "5") == []
    assert channel.fetch_mentions(ALIAS, "5") == []
    assert [call.request.url.split("?")[0] for call in api.calls] == [
        f"{API}/users/me",
        f"{API}/users/99/mentions",
        f"{API}/users/99/mentions",
    ]
    assert all(_signed_as(call.request, "env-at-1") for call in api.calls)


def test_recent_posts_are_the_alias_own_newest_first_with_what_they_answer(channel, api):
    api.get(
        f"{API}/users/{USER_ID}/tweets",
        match=[matchers.query_param_matcher({"max_results": "5"}, strict_match=False)],
        json={
            "data": [
                {
                    **tweet("2002", "A long reply, cut…", USER_ID, "2026-11-02T08:10:00.000Z"),
                    "note_tweet": {"text": "A long reply, cut by X at 280 but whole here."},
                },
                tweet("2001", "@fan Thanks!", USER_ID, "2026-11-02T08:05:00.000Z", "1001"),
                tweet("2003", "Fish &amp; chips &lt;3 &amp;lt;", USER_ID, "2026-11-02T08:20Z"),
            ],
            "includes": {"users": USERS},
            "meta": {"result_count": 3},
        },
    )
    posts = channel.recent_posts(ALIAS, 3)
    assert [p.channel_post_id for p in posts] == ["2003", "2002", "2001"]
    assert posts[1].text == "A long reply, cut by X at 280 but whole here."
    assert posts[0].text == "Fish & chips <3 &lt;"  # as written: X escapes &, < and >
    assert posts[2].in_reply_to == "1001" and posts[0].in_reply_to is None
    assert {p.author_handle for p in posts} == {"@brand"}
    assert _signed_as(api.calls[0].request, "access-token-1")


def test_a_429_gives_the_reset_time_and_is_never_slept_on(channel, api, sleeps):
    reset = int(datetime(2026, 11, 2, 9, 14, 59, tzinfo=UTC).timestamp())
    api.post(
        f"{API}/tweets",
        status=429,
        headers={"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"},
        json={"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
    )
    with pytest.raises(ChannelRateLimited) as raised:
        channel.publish(ALIAS, "Hi", None)
    assert raised.value.retry_at == datetime(2026, 11, 2, 9, 14, 59, tzinfo=UTC)
    assert "@brand" in str(raised.value) and "09:14:59" in str(raised.value)
    assert len(api.calls) == 1 and sleeps.delays == []


def test_a_429_without_a_reset_header_waits_fifteen_minutes(channel, api):
    api.get(f"{API}/users/{USER_ID}/mentions", status=429, json={"detail": "Too Many Requests"})
    with pytest.raises(ChannelRateLimited) as raised:
        channel.fetch_mentions(ALIAS, "1")
    assert raised.value.retry_at == NOW + timedelta(minutes=15)
    assert len(api.calls) == 1


def test_a_5xx_on_publish_is_an_unknown_outcome_sent_once(channel, api, sleeps):
    api.post(f"{API}/tweets", status=503, json={"title": "Service Unavailable"})
    with pytest.raises(ChannelOutcomeUnknown, match="@brand may or may not have been published"):
        channel.publish(ALIAS, "Hi", None)
    assert len(api.calls) == 1 and sleeps.delays == []


def test_a_read_timeout_on_publish_is_an_unknown_outcome_sent_once(channel, api, sleeps):
    api.post(f"{API}/tweets", body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(ChannelOutcomeUnknown, match="no answer in time"):
        channel.publish(ALIAS, "Hi", None)
    assert len(api.calls) == 1 and sleeps.delays == []


def test_a_connection_dropped_after_sending_is_an_unknown_outcome(channel, api, sleeps):
    reset = ProtocolError("Connection aborted.", ConnectionResetError(104, "reset by peer"))
    api.post(f"{API}/tweets", body=requests.ConnectionError(reset))
    with pytest.raises(ChannelOutcomeUnknown, match="connection was lost"):
        channel.publish(ALIAS, "Hi", None)
    assert len(api.calls) == 1 and sleeps.delays == []


def test_a_refused_connection_is_retried_with_jittered_backoff_then_unreachable(store, api, sleeps):
    for _ in range(4):
        api.post(f"{API}/tweets", body=REFUSED)
    channel = XChannel(store, lambda: NOW, sleep=sleeps, rng=Highest())
    with pytest.raises(ChannelUnreachable, match="@brand") as raised:
        channel.publish(ALIAS, "Hi", None)
    assert not isinstance(raised.value, ChannelOutcomeUnknown)
    assert len(api.calls) == 4
    assert sleeps.delays == [1.0, 2.0, 4.0]  # the bounds: base * 2**attempt, none after the last


def test_the_jitter_is_full_and_the_backoff_capped(store, api, sleeps):
    for _ in range(8):
        api.post(f"{API}/tweets", body=REFUSED)
    seeded = random.Random(7)
    channel = XChannel(store, lambda: NOW, attempts=8, sleep=sleeps, rng=seeded)
    with pytest.raises(ChannelUnreachable):
        channel.publish(ALIAS, "Hi", None)
    bounds = [min(30.0, 2.0**attempt) for attempt in range(7)]
    assert len(sleeps.delays) == 7
    assert all(0 <= delay <= bound for delay, bound in zip(sleeps.delays, bounds, strict=True))
    replay = random.Random(7)
    assert sleeps.delays == [replay.uniform(0, bound) for bound in bounds]  # drawn, not fixed
    assert bounds[-2:] == [30.0, 30.0]


def test_reads_retry_a_5xx_and_a_timeout_then_succeed(channel, api, sleeps):
    url = f"{API}/users/{USER_ID}/mentions"
    api.get(url, status=503, json={"title": "Service Unavailable"})
    api.get(url, body=requests.exceptions.ReadTimeout("read timed out"))
    api.get(url, json=_mentions_page([tweet("1001", "@brand hi", "7", "2026-11-02T08:01:00Z")]))
    assert [m.channel_post_id for m in channel.fetch_mentions(ALIAS, "1000")] == ["1001"]
    assert len(api.calls) == 3 and sleeps.delays == [1.0, 2.0]


def test_reads_that_keep_failing_end_unreachable(channel, api):
    for _ in range(4):
        api.get(f"{API}/users/{USER_ID}/tweets", status=502, json={"title": "Bad Gateway"})
    with pytest.raises(ChannelUnreachable, match="X answered 502; 4 attempts"):
        channel.recent_posts(ALIAS, 10)


def test_a_401_says_to_reconnect(channel, api):
    api.post(f"{API}/tweets", status=401, json={"title": "Unauthorized", "detail": "Unauthorized"})
    with pytest.raises(ChannelError) as raised:
        channel.publish(ALIAS, "Hi", None)
    assert type(raised.value) is ChannelError
    assert "reconnect with `cmconsole alias connect-x @brand`" in str(raised.value)


def test_a_plan_without_the_endpoint_is_not_allowed(channel, api):
    api.get(
        f"{API}/users/{USER_ID}/mentions",
        status=403,
        json={
            "errors": [
                {
                    "message": "You currently have access to a subset of X API V2 endpoints and "
                    "limited v1.1 endpoints only.",
                    "code": 453,
                }
            ]
        },
    )
    with pytest.raises(ChannelNotAllowed) as raised:
        channel.fetch_mentions(ALIAS, "1")
    assert "API plan does not include reading mentions for @brand" in str(raised.value)
    assert "upgrade" in str(raised.value)
    assert len(api.calls) == 1


def test_an_app_not_enrolled_is_not_allowed_either(channel, api):
    api.post(
        f"{API}/tweets",
        status=403,
        json={
            "title": "Client Forbidden",
            "detail": "This request must be made using an approved developer account that is "
            "enrolled in the requested endpoint.",
            "reason": "client-not-enrolled",
            "type": "https://api.twitter.com/2/problems/client-forbidden",
        },
    )
    with pytest.raises(ChannelNotAllowed, match="does not include posting for @brand"):
        channel.publish(ALIAS, "Hi", None)


def test_duplicate_text_is_a_plain_refusal(channel, api):
    api.post(
        f"{API}/tweets",
        status=403,
        json={
            "detail": "You are not allowed to create a Tweet with duplicate content.",
            "type": "about:blank",
            "title": "Forbidden",
            "status": 403,
        },
    )
    with pytest.raises(ChannelError) as raised:
        channel.publish(ALIAS, "Hi", None)
    assert type(raised.value) is ChannelError
    assert "duplicate" in str(raised.value) and "@brand" in str(raised.value)


def test_another_403_is_a_refusal_with_x_reason(channel, api):
    api.post(f"{API}/tweets", status=403, json={"detail": "You cannot reply to this post."})
    with pytest.raises(ChannelError) as raised:
        channel.publish(ALIAS, "Hi", None)
    assert type(raised.value) is ChannelError
    assert str(raised.value) == (
        "X refused posting on @brand (403: You cannot reply to this post.)"
    )


def test_an_alias_without_credentials_is_told_to_connect(memory_keyring, api):
    channel = XChannel(CredentialStore(environ={}), lambda: NOW)
    with pytest.raises(ChannelError, match="run `cmconsole alias connect-x @brand`"):
        channel.publish(ALIAS, "Hi", None)
    assert len(api.calls) == 0


def test_no_keyring_backend_is_a_channel_error_that_says_what_to_do(api):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(ChannelError, match="dbus-run-session"):
            XChannel(CredentialStore(environ={}), lambda: NOW).publish(ALIAS, "Hi", None)
    finally:
        keyring.set_keyring(previous)
    assert len(api.calls) == 0


def test_no_credential_reaches_a_log_an_error_or_the_workspace(
    memory_keyring, api, caplog, tmp_path, monkeypatch
):
    canary = f"canary-{uuid.uuid4().hex}"
    canary_secret = f"canary-secret-{uuid.uuid4().hex}"
    store = CredentialStore(environ={})
    store.save_x_app(XApp(f"{canary}-ck", f"{canary}-cs"))
    store.save_x_account("@brand", canary, canary_secret, USER_ID, "brand")

    # Another test's logging.config call may have disabled the libraries' loggers: this one
    # needs them live, or it would prove nothing.
    for name, each in logging.root.manager.loggerDict.items():
        if isinstance(each, logging.Logger) and name.split(".")[0] in logs.NOISY_LOGGERS:
            monkeypatch.setattr(each, "disabled", False)
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    # Proof that the canary is there to leak: a handler that nobody protects, on one library.
    raw = io.StringIO()
    unprotected = logging.StreamHandler(raw)
    oauth_logger = logging.getLogger("requests_oauthlib")
    oauth_logger.addHandler(unprotected)
    try:
        logs.install()
        errors: list[Exception] = []
        channel = XChannel(store, lambda: NOW, sleep=lambda _: None)
        api.post(f"{API}/tweets", status=201, json={"data": {"id": snowflake(NOW), "text": "a"}})
        api.post(f"{API}/tweets", status=429, headers={"x-rate-limit-reset": "1893456000"})
        api.post(f"{API}/tweets", status=503, json={"title": "Service Unavailable"})
        channel.publish(ALIAS, "a", None)
        assert raw.getvalue() == ""  # held at WARNING by install(): not even logged
        # Turn them up again, as a careless debug session would: the filter is the last guard.
        for name in logs.NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
        for _ in range(2):
            try:
                channel.publish(ALIAS, "b", None)
            except ChannelError as error:
                errors.append(error)
                logging.getLogger("cmconsole.dispatch").warning("failed", exc_info=True)
    finally:
        root.removeHandler(handler)
        oauth_logger.removeHandler(unprotected)
        for name in logs.NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)

    assert canary in raw.getvalue()  # the libraries did log it
    assert [type(e) for e in errors] == [ChannelRateLimited, ChannelOutcomeUnknown]
    assert "***" in stream.getvalue()  # the filter was at work
    for shown in (stream.getvalue(), caplog.text, *(m.getMessage() for m in caplog.records)):
        assert canary not in shown
    for error in errors:
        assert canary not in f"{error} {error!r} {error.args}"

    database = tmp_path / "workspace.db"
    services = open_services(f"sqlite:///{database}", clock=lambda: NOW)
    try:
        services.accounts.add_alias("@brand", "The Brand", channel="x")
        services.accounts.record_channel_connected("@brand", "x", USER_ID, "@brand")
        written = b"".join(
            path.read_bytes() for path in tmp_path.iterdir() if path.name.startswith("workspace.db")
        )
    finally:
        services.close()
    assert b"channel.connected" in written  # the audit event is in the bytes read
    assert canary.encode() not in written


def test_published_since_pages_back_to_the_attempts_start_however_many_posts_came_after(
    channel, api
):
    """The post sought is on the third page: 250 others went out after it."""
    since = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    pages = [
        [tweet(str(3000 - n), f"later {n}", USER_ID, "2026-11-02T08:30:00Z") for n in range(100)],
        [tweet(str(2900 - n), f"later {n}", USER_ID, "2026-11-02T08:20:00Z") for n in range(100)],
        [
            *[
                tweet(str(2800 - n), f"later {n}", USER_ID, "2026-11-02T08:10:00Z")
                for n in range(50)
            ],
            tweet("2001", "@fan Thanks!", USER_ID, "2026-11-02T08:01:00Z", "1001"),
        ],
    ]
    for number, page in enumerate(pages):
        query = {"max_results": "100", "start_time": "2026-11-02T08:00:00Z"}
        if number:
            query["pagination_token"] = f"page-{number}"
        meta = {"result_count": len(page)}
        if number < len(pages) - 1:
            meta["next_token"] = f"page-{number + 1}"
        api.get(
            f"{API}/users/{USER_ID}/tweets",
            match=[matchers.query_param_matcher(query, strict_match=False)],
            json={"data": page, "includes": {"users": USERS}, "meta": meta},
        )
    found = [p for p in channel.published_since(ALIAS, since) if p.in_reply_to == "1001"]
    assert [(p.channel_post_id, p.text) for p in found] == [("2001", "@fan Thanks!")]
    assert len(api.calls) == 3


def test_published_since_that_cannot_reach_back_far_enough_is_an_error_not_a_miss(channel, api):
    # X keeps offering another page, each older post still newer than the time asked for.
    for number in range(TIMELINE_PAGES):
        api.get(
            f"{API}/users/{USER_ID}/tweets",
            json={
                "data": [tweet(str(9000 - number), "x", USER_ID, "2026-11-02T08:30:00Z")],
                "meta": {"result_count": 1, "next_token": f"page-{number + 1}"},
            },
        )
    with pytest.raises(ChannelError, match="back to the time asked for"):
        list(channel.published_since(ALIAS, datetime(2026, 11, 2, 8, 0, tzinfo=UTC)))
