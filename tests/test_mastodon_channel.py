"""The Mastodon channel: Mastodon.py's real client on stubbed HTTP, each failure mapped to what it
means. The answers' shapes come from docs.joinmastodon.org (see tests/mastodon_stubs.py)."""

import io
import logging
import random
import uuid
from datetime import UTC, datetime, timedelta

import keyring
import pytest
import requests
import responses
from responses import matchers

from cmconsole import logs
from cmconsole.channels.mastodon import InstanceLimits, MastodonChannel
from cmconsole.credentials import CredentialStore, MastodonCredentials
from cmconsole.domain.model import Alias, SignatureKind
from cmconsole.services.ports import (
    ChannelError,
    ChannelOutcomeUnknown,
    ChannelRateLimited,
    ChannelUnreachable,
)
from tests.mastodon_stubs import (
    ACCOUNT_ID,
    API,
    BRAND,
    FAN,
    INSTANCE,
    error,
    fan_mention,
    instance_v2,
    notification,
    refused_connection,
    sent_form,
    status,
)

ALIAS = Alias(1, "@brand", "The Brand", "fr", "mastodon", SignatureKind.NONE, "")
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TOKEN = "token-1"
REFUSED = refused_connection()  # taken before any stub is active


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Highest(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def store(memory_keyring):
    kept = CredentialStore(environ={})
    kept.save_mastodon_account(
        "@brand", MastodonCredentials(INSTANCE, TOKEN, ACCOUNT_ID, "brand", "cid", "csecret")
    )
    return kept


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def channel(store, sleeps) -> MastodonChannel:
    return MastodonChannel(store, lambda: NOW, sleep=sleeps, rng=Highest())


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def _parent(api, visibility="public", status_id="3001"):
    api.get(
        f"{API}/statuses/{status_id}",
        json=fan_mention(status_id, "question", "2026-12-07T08:00:00.000Z", visibility),
    )


def _created(api, status_id="4001", **stub):
    api.post(
        f"{API}/statuses",
        json=status(status_id, "<p>ok</p>", BRAND, "2026-12-07T09:00:01.000Z", **stub),
    )


def test_a_reply_goes_out_with_its_key_token_timeout_and_the_parent_visibility(channel, api):
    _parent(api)
    _created(api, in_reply_to="3001")
    published = channel.publish(ALIAS, "@anna@other.example merci !", "3001", "key-17")

    assert published.channel_post_id == "4001"
    assert published.published_at == datetime(2026, 12, 7, 9, 0, 1, tzinfo=UTC)
    post = api.calls[1].request
    assert post.headers["Idempotency-Key"] == "key-17"
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert post.req_kwargs["timeout"] == (5.0, 20.0)
    sent = sent_form(post)
    assert sent["status"] == "@anna@other.example merci !"
    assert str(sent["in_reply_to_id"]) == "3001" and sent["visibility"] == "public"


def test_an_original_post_is_public_and_reads_no_parent(channel, api):
    _created(api)
    channel.publish(ALIAS, "Nouvelle collection", None, "key-1")
    [call] = api.calls
    assert sent_form(call.request)["visibility"] == "public"
    assert "in_reply_to_id" not in sent_form(call.request)


def test_a_private_message_is_answered_in_private(channel, api):
    _parent(api, "direct")
    _created(api, in_reply_to="3001", visibility="direct")
    channel.publish(ALIAS, "@anna@other.example je regarde votre commande", "3001", "k")
    assert sent_form(api.calls[1].request)["visibility"] == "direct"


def test_a_private_reply_that_mentions_nobody_is_refused_and_never_posted(channel, api):
    _parent(api, "direct")
    with pytest.raises(ChannelError, match=r"start the reply with @anna@other\.example") as raised:
        channel.publish(ALIAS, "je regarde votre commande", "3001", "k")
    assert "never in public" in str(raised.value)
    assert [call.request.method for call in api.calls] == ["GET"]


def test_a_reply_to_a_followers_only_message_stays_followers_only(channel, api):
    _parent(api, "private")
    _created(api, in_reply_to="3001", visibility="private")
    channel.publish(ALIAS, "@anna@other.example merci", "3001", "k")
    assert sent_form(api.calls[1].request)["visibility"] == "private"


def test_a_deleted_parent_is_refused_with_the_reason_and_nothing_posted(channel, api):
    api.get(
        f"{API}/statuses/3001", status=404, json=error("Record not found")
    )  # what Mastodon answers for a status deleted or not visible
    with pytest.raises(ChannelError, match="gone from Mastodon") as raised:
        channel.publish(ALIAS, "@anna@other.example merci", "3001", "k")
    assert not isinstance(raised.value, ChannelOutcomeUnknown)
    assert [call.request.method for call in api.calls] == ["GET"]


def test_a_parent_deleted_between_the_check_and_the_post_is_refused_too(channel, api):
    _parent(api)
    api.post(
        f"{API}/statuses",
        status=404,
        json=error("The post you are trying to reply to does not appear to exist."),
    )
    with pytest.raises(ChannelError, match="does not appear to exist") as raised:
        channel.publish(ALIAS, "@anna@other.example merci", "3001", "k")
    assert not isinstance(raised.value, ChannelOutcomeUnknown)


def test_mentions_since_the_cursor_follow_every_page_and_come_oldest_first(channel, api):
    newest = fan_mention("5003", "où est ma commande ?", "2026-12-07T08:30:00.000Z")
    private = fan_mention("5002", "mon adresse: 3 rue X", "2026-12-07T08:20:00.000Z", "direct")
    oldest = fan_mention("5001", "bonjour &amp; merci", "2026-12-07T08:10:00.000Z")
    first = {"types[]": "mention", "limit": "40", "since_id": "700"}
    api.get(
        f"{API}/notifications",
        match=[matchers.query_param_matcher(first)],
        json=[notification("703", newest), notification("702", private)],
    )
    api.get(
        f"{API}/notifications",
        match=[matchers.query_param_matcher({**first, "max_id": "702"})],
        json=[notification("701", oldest)],
    )
    api.get(
        f"{API}/notifications",
        match=[matchers.query_param_matcher({**first, "max_id": "701"})],
        json=[],
    )
    found = channel.fetch_mentions(ALIAS, "n:700")

    assert [post.channel_post_id for post in found] == ["5001", "5002", "5003"]
    assert [post.cursor for post in found] == ["n:701", "n:702", "n:703"]
    assert [post.private for post in found] == [False, True, False]
    assert found[0].text == "@brand@masto.example bonjour & merci"
    assert found[0].author_handle == "@anna@other.example"
    assert found[0].author_name == "Anna"


def test_the_first_sync_takes_only_the_newest_page(channel, api):
    api.get(
        f"{API}/notifications",
        match=[matchers.query_param_matcher({"types[]": "mention", "limit": "40"})],
        json=[notification("9", fan_mention("5001", "salut", "2026-12-07T08:10:00.000Z"))],
    )
    assert [post.channel_post_id for post in channel.fetch_mentions(ALIAS, None)] == ["5001"]


def _own(status_id, text, created, in_reply_to=None):
    return status(status_id, f"<p>{text}</p>", BRAND, created, in_reply_to=in_reply_to)


def test_published_since_pages_back_to_the_time_and_reads_html_back_as_text(channel, api):
    url = f"{API}/accounts/{ACCOUNT_ID}/statuses"
    link = (
        '<span class="h-card"><a href="https://other.example/@anna" class="u-url mention">'
        "@<span>anna</span></a></span>"
    )
    reply = status(
        "6003",
        f"<p>{link} merci<br />à bientôt</p><p>L&#39;équipe</p>",
        BRAND,
        "2026-12-07T08:50:00.000Z",
        in_reply_to="5001",
        mentions=[{"id": "2001", "username": "anna", "url": FAN["url"], "acct": FAN["acct"]}],
    )
    api.get(url, json=[reply, _own("6002", "deux", "2026-12-07T08:40:00.000Z")])
    api.get(url, json=[_own("6001", "un", "2026-12-07T07:00:00.000Z")])
    # A status that mentions someone is read back as written (methods/statuses#source):
    # its HTML says only "@anna", however the mention was typed.
    written = "@Anna@Other.Example merci\nà bientôt\n\nL'équipe"
    api.get(f"{API}/statuses/6003/source", json={"id": "6003", "text": written, "spoiler_text": ""})
    found = list(channel.published_since(ALIAS, datetime(2026, 12, 7, 8, 0, tzinfo=UTC)))

    assert [post.channel_post_id for post in found] == ["6003", "6002"]
    assert found[0].text == written
    assert found[0].in_reply_to == "5001"
    assert len(api.calls) == 3  # no source asked of a status that mentions nobody
    assert "max_id=6002" in api.calls[2].request.url
    assert "exclude_reblogs=1" in api.calls[0].request.url or "exclude_reblogs=true" in (
        api.calls[0].request.url.lower()
    )


def test_without_a_source_a_status_reads_as_its_html(channel, api):
    url = f"{API}/accounts/{ACCOUNT_ID}/statuses"
    link = f'<a href="{FAN["url"]}" class="u-url mention">@<span>anna</span></a>'
    reply = status(
        "6003",
        f"<p><span class='h-card'>{link}</span> merci<br />à bientôt</p><p>L&#39;équipe</p>",
        BRAND,
        "2026-12-07T08:50:00.000Z",
        in_reply_to="5001",
        mentions=[{"id": "2001", "username": "anna", "url": FAN["url"], "acct": FAN["acct"]}],
    )
    api.get(url, json=[reply])
    api.get(url, json=[])
    api.get(f"{API}/statuses/6003/source", status=404, json=error("Record not found"))
    [found] = channel.published_since(ALIAS, datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    assert found.text == "@anna@other.example merci\nà bientôt\n\nL'équipe"


def test_an_account_with_no_older_posts_is_read_in_full(channel, api):
    api.get(f"{API}/accounts/{ACCOUNT_ID}/statuses", json=[])
    assert list(channel.published_since(ALIAS, NOW - timedelta(days=400))) == []


def test_published_since_that_cannot_reach_back_far_enough_is_an_error_not_a_miss(
    channel, api, monkeypatch
):
    monkeypatch.setattr("cmconsole.channels.mastodon.channel.TIMELINE_PAGES", 2)
    for number in (2, 1):
        api.get(
            f"{API}/accounts/{ACCOUNT_ID}/statuses",
            json=[_own(f"600{number}", "x", f"2026-12-0{number}T08:00:00.000Z")],
        )
    with pytest.raises(ChannelError, match="could not show all"):
        list(channel.published_since(ALIAS, NOW - timedelta(days=400)))


def test_recent_posts_are_the_newest_first(channel, api):
    api.get(
        f"{API}/accounts/{ACCOUNT_ID}/statuses",
        json=[
            _own("6002", "deux", "2026-12-07T08:40:00.000Z"),
            _own("6001", "un", "2026-12-07T08:00:00.000Z"),
        ],
    )
    assert [post.text for post in channel.recent_posts(ALIAS, 2)] == ["deux", "un"]


def test_the_instance_limits_come_from_its_instance_endpoint_once(channel, api):
    api.get(f"{INSTANCE}/api/v2/instance/", json=instance_v2(1000, 23))
    assert channel.limits(ALIAS) == InstanceLimits(1000, 23)
    assert channel.limits(ALIAS) == InstanceLimits(1000, 23)
    assert len(api.calls) == 1


@pytest.mark.parametrize("code", [401, 403])
def test_a_revoked_token_says_to_reconnect(channel, api, code):
    said = "The access token was revoked" if code == 401 else "This action is not allowed"
    api.get(f"{API}/notifications", status=code, json=error(said))
    with pytest.raises(ChannelError, match="connect-mastodon @brand") as raised:
        channel.fetch_mentions(ALIAS, "n:1")
    assert said in str(raised.value)
    assert type(raised.value) is ChannelError and len(api.calls) == 1


def test_a_validation_error_is_a_refusal_with_mastodon_reason(channel, api):
    api.post(
        f"{API}/statuses",
        status=422,
        json=error("Validation failed: Text character limit of 500 exceeded"),
    )
    with pytest.raises(ChannelError, match="character limit of 500 exceeded") as raised:
        channel.publish(ALIAS, "x" * 501, None, "k")
    assert type(raised.value) is ChannelError and len(api.calls) == 1


def test_a_429_gives_the_reset_time_and_is_never_slept_on(channel, api, sleeps):
    api.post(
        f"{API}/statuses",
        status=429,
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2026-12-07T09:04:59.000Z",
        },
        json=error("Too many requests"),
    )
    with pytest.raises(ChannelRateLimited) as raised:
        channel.publish(ALIAS, "Hi", None, "k")
    assert raised.value.retry_at == datetime(2026, 12, 7, 9, 4, 59, tzinfo=UTC)
    assert "09:04:59" in str(raised.value)
    assert len(api.calls) == 1 and sleeps.delays == []


def test_a_429_without_a_reset_header_waits_five_minutes(channel, api):
    api.get(f"{API}/notifications", status=429, json=error("Too many requests"))
    with pytest.raises(ChannelRateLimited) as raised:
        channel.fetch_mentions(ALIAS, "n:1")
    assert raised.value.retry_at == NOW + timedelta(minutes=5)


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_a_5xx_on_publish_is_an_unknown_outcome_sent_once(channel, api, sleeps, code):
    api.post(f"{API}/statuses", status=code, json=error("We're sorry, but something went wrong"))
    with pytest.raises(ChannelOutcomeUnknown, match="@brand may or may not have been published"):
        channel.publish(ALIAS, "Hi", None, "k")
    assert len(api.calls) == 1 and sleeps.delays == []


def test_a_read_timeout_on_publish_is_an_unknown_outcome_sent_once(channel, api, sleeps):
    api.post(f"{API}/statuses", body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(ChannelOutcomeUnknown, match="no answer in time"):
        channel.publish(ALIAS, "Hi", None, "k")
    assert len(api.calls) == 1 and sleeps.delays == []


def test_an_instance_that_is_down_is_retried_with_backoff_then_unreachable(channel, api, sleeps):
    for _ in range(4):
        api.post(f"{API}/statuses", body=REFUSED)
    with pytest.raises(ChannelUnreachable, match="no connection could be made; 4 attempts"):
        channel.publish(ALIAS, "Hi", None, "k")
    assert sleeps.delays == [1.0, 2.0, 4.0]


def test_reads_retry_a_5xx_and_a_timeout_then_succeed(channel, api, sleeps):
    api.get(f"{API}/notifications", status=503, json=error("unavailable"))
    api.get(f"{API}/notifications", body=requests.exceptions.ReadTimeout("slow"))
    api.get(f"{API}/notifications", json=[])
    assert channel.fetch_mentions(ALIAS, "n:1") == []
    assert len(sleeps.delays) == 2


def test_an_alias_without_a_token_is_told_to_connect(memory_keyring, api):
    channel = MastodonChannel(CredentialStore(environ={}), lambda: NOW)
    with pytest.raises(ChannelError, match="connect-mastodon @brand --instance"):
        channel.fetch_mentions(ALIAS, None)


def test_the_token_reaches_no_log_and_no_error(memory_keyring, api, caplog, monkeypatch):
    canary = f"canary-{uuid.uuid4().hex}"
    store = CredentialStore(environ={})
    store.save_mastodon_account(
        "@brand", MastodonCredentials(INSTANCE, canary, ACCOUNT_ID, "brand", "c", f"{canary}-cs")
    )
    for name, each in logging.root.manager.loggerDict.items():
        if isinstance(each, logging.Logger) and name.split(".")[0] in logs.NOISY_LOGGERS:
            monkeypatch.setattr(each, "disabled", False)
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    errors: list[Exception] = []
    try:
        logs.install()
        for name in logs.NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
        # A careless debug line that prints the request's headers: the filter is the last guard.
        api.add_callback(
            responses.POST,
            f"{API}/statuses",
            callback=lambda request: (
                logging.getLogger("cmconsole.debug").debug("headers %s", dict(request.headers))
                or (503, {}, '{"error": "unavailable"}')
            ),
        )
        api.get(f"{API}/notifications", status=401, json=error("The access token is invalid"))
        channel = MastodonChannel(store, lambda: NOW, sleep=lambda _: None)
        for call in (
            lambda: channel.publish(ALIAS, "b", None, "k"),
            lambda: channel.fetch_mentions(ALIAS, "n:1"),
        ):
            try:
                call()
            except ChannelError as failure:
                errors.append(failure)
                logging.getLogger("cmconsole.dispatch").warning("failed", exc_info=True)
    finally:
        root.removeHandler(handler)
        for name in logs.NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)

    assert [type(each) for each in errors] == [ChannelOutcomeUnknown, ChannelError]
    assert api.calls[0].request.headers["Authorization"] == f"Bearer {canary}"  # it was sent
    assert "***" in stream.getvalue()  # the filter was at work
    for shown in (stream.getvalue(), caplog.text, *(m.getMessage() for m in caplog.records)):
        assert canary not in shown
    for each in errors:
        assert canary not in f"{each} {each!r} {each.args}"


def test_a_server_that_pages_no_further_back_is_not_read_in_a_loop(channel, api):
    same = [notification("702", fan_mention("5002", "salut", "2026-12-07T08:10:00.000Z"))]
    api.get(f"{API}/notifications", json=same)  # whatever max_id says, the same page again
    assert [post.channel_post_id for post in channel.fetch_mentions(ALIAS, "n:700")] == ["5002"]
    assert len(api.calls) == 2


def test_with_the_environment_fallback_the_channel_uses_the_given_token(api):
    environ = {
        "CMCONSOLE_CREDENTIALS": "environment",
        "CMCONSOLE_MASTODON_BRAND_INSTANCE": INSTANCE,
        "CMCONSOLE_MASTODON_BRAND_ACCESS_TOKEN": "env-token-1",
    }
    channel = MastodonChannel(CredentialStore(environ=environ), lambda: NOW)
    api.get(f"{API}/notifications", json=[])
    assert channel.fetch_mentions(ALIAS, "n:1") == []
    assert api.calls[0].request.headers["Authorization"] == "Bearer env-token-1"
    missing = MastodonChannel(CredentialStore(environ={"CMCONSOLE_CREDENTIALS": "environment"}))
    with pytest.raises(ChannelError, match="CMCONSOLE_MASTODON_BRAND_INSTANCE"):
        missing.fetch_mentions(ALIAS, None)


def test_a_damaged_keyring_entry_says_to_connect_again(memory_keyring, api):
    keyring.get_keyring().set_password("cmconsole", "mastodon:brand", '{"instance": "x"}')
    channel = MastodonChannel(CredentialStore(environ={}), lambda: NOW)
    with pytest.raises(
        ChannelError, match="damaged: connect again with `cmconsole alias connect-m"
    ):
        channel.fetch_mentions(ALIAS, None)


def test_reach_reads_followers_from_each_profile_and_leaves_out_an_unknown_account(channel, api):
    # GET /api/v1/accounts/lookup answers the Account entity, or 404 with an Error entity.
    fan = dict(FAN, followers_count=3120)
    api.get(
        f"{API}/accounts/lookup",
        json=fan,
        match=[matchers.query_param_matcher({"acct": "anna@other.example"})],
    )
    api.get(
        f"{API}/accounts/lookup",
        status=404,
        json=error("Record not found"),
        match=[matchers.query_param_matcher({"acct": "ghost@other.example"})],
    )
    counts = channel.reach(ALIAS, ["@anna@other.example", "@ghost@other.example"])
    assert counts == {"@anna@other.example": 3120}
