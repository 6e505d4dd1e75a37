"""The Bluesky channel: the atproto SDK's real Client on HTTP stubbed at the httpx layer (respx),
each failure mapped to what it means. Bodies follow the lexicons (see tests/bluesky_stubs.py)."""

import json
import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from cmconsole.channels.bluesky import ATTEMPTS, BlueskyChannel
from cmconsole.credentials import BlueskyCredentials, CredentialStore
from cmconsole.domain.bluesky_keys import post_id, post_uri, record_key, tid_time
from cmconsole.domain.model import Alias, SignatureKind
from cmconsole.services.ports import (
    ChannelError,
    ChannelOutcomeUnknown,
    ChannelRateLimited,
    ChannelUnreachable,
)
from tests.bluesky_stubs import (
    APP_PASSWORD,
    BRAND_DID,
    CID,
    FAN_DID,
    PDS,
    XRPC,
    author,
    created_body,
    jwt,
    notification,
    post_view,
    records,
    session_body,
    stamp,
    xrpc_error,
)
from tests.conftest import FakeClock

ALIAS = Alias(1, "@brand", "The Brand", "fr", "bluesky", SignatureKind.NONE, "")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ACCESS, REFRESH = jwt(BRAND_DID, "access1"), jwt(BRAND_DID, "refresh1")


def fan_post(key: str) -> str:
    return f"at://{FAN_DID}/app.bsky.feed.post/{key}"


@pytest.fixture
def store(memory_keyring):
    kept = CredentialStore(environ={})
    kept.save_bluesky_account(
        "@brand", BlueskyCredentials("brand.bsky.social", APP_PASSWORD, PDS, BRAND_DID)
    )
    return kept


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def clock():
    return FakeClock(NOW)


@pytest.fixture
def channel(store, sleeps, clock):
    return BlueskyChannel(store, clock, sleep=sleeps.append, rng=random.Random(7))


@pytest.fixture
def api():
    with respx.mock(base_url=XRPC, assert_all_called=False) as mock:
        mock.post("/com.atproto.server.createSession", name="sign_in").respond(
            json=session_body(ACCESS, REFRESH)
        )
        yield mock


def sent_key(moment: datetime, key: str = "post-key-1") -> str:
    return record_key(moment, key)


def _body(call) -> dict:
    return json.loads(call.request.content)


def _refs(reply: dict) -> dict:
    """The strong references (uri, cid) of a reply, without the $type the SDK adds."""
    ends = ("root", "parent")
    return {end: {"uri": reply[end]["uri"], "cid": reply[end]["cid"]} for end in ends}


def test_a_reply_names_its_thread_root_and_parent_and_is_created_under_a_tid_of_the_attempt(
    channel, api, store
):
    parent = fan_post("3kparentpost2")
    root = fan_post("3krootpost222")
    api.get("/app.bsky.feed.getPosts", params={"uris": parent}).respond(
        json={"posts": [post_view(parent, "Et alors ?", stamp(NOW), parent=root, root=root)]}
    )
    made = post_uri(BRAND_DID, record_key(NOW, "post-key-1"))
    create = api.post("/com.atproto.repo.createRecord").respond(json=created_body(made))

    published = channel.publish(ALIAS, "Nous regardons.", parent, "post-key-1")

    assert published.channel_post_id == post_id(made) == f"{BRAND_DID}/{sent_key(NOW)}"
    sent = _body(create.calls.last)
    assert sent["repo"] == BRAND_DID and sent["collection"] == "app.bsky.feed.post"
    assert sent["rkey"] == record_key(NOW, "post-key-1") and tid_time(sent["rkey"]) == NOW
    assert _refs(sent["record"]["reply"]) == {
        "root": {"uri": root, "cid": CID},
        "parent": {"uri": parent, "cid": CID},
    }
    assert sent["record"]["text"] == "Nous regardons." and sent["record"]["langs"] == ["fr"]
    assert create.calls.last.request.headers["Authorization"] == f"Bearer {ACCESS}"
    # The session the sign-in opened is kept in the keyring for the next process.
    assert store.bluesky_credentials("@brand").session


def test_a_reply_to_a_post_that_starts_a_thread_has_it_as_root_and_parent(channel, api):
    parent = fan_post("3kparentpost2")
    api.get("/app.bsky.feed.getPosts").respond(
        json={"posts": [post_view(parent, "Bonjour", stamp(NOW))]}
    )
    create = api.post("/com.atproto.repo.createRecord").respond(
        json=created_body(post_uri(BRAND_DID, "3kmine2222222"))
    )
    channel.publish(ALIAS, "Bonjour à vous", parent, "k")
    reply = _refs(_body(create.calls.last)["record"]["reply"])
    assert reply["root"] == reply["parent"] == {"uri": parent, "cid": CID}


def test_mentions_and_links_are_facets_counted_in_utf8_bytes_after_accents_and_emoji(channel, api):
    text = "Été réussi 🎉👍🏽 merci @fan.bsky.social, voyez https://exemple.fr/événements !"
    api.get("/com.atproto.identity.resolveHandle", params={"handle": "fan.bsky.social"}).respond(
        json={"did": FAN_DID}
    )
    create = api.post("/com.atproto.repo.createRecord").respond(
        json=created_body(post_uri(BRAND_DID, "3kmine2222222"))
    )
    channel.publish(ALIAS, text, None, "k")

    record = _body(create.calls.last)["record"]
    assert "reply" not in record
    encoded = text.encode("utf-8")
    spans = {
        feature["$type"]: encoded[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
        for facet in record["facets"]
        for feature in facet["features"]
    }
    assert spans == {
        "app.bsky.richtext.facet#mention": "@fan.bsky.social",
        "app.bsky.richtext.facet#link": "https://exemple.fr/événements",
    }
    mention = next(f for f in record["facets"] if "mention" in f["features"][0]["$type"])
    assert mention["features"][0]["did"] == FAN_DID
    assert mention["index"]["byteStart"] > text.index("@")  # bytes, not characters


def test_a_handle_that_does_not_resolve_stays_plain_text(channel, api):
    api.get("/com.atproto.identity.resolveHandle").mock(
        return_value=xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
    )
    create = api.post("/com.atproto.repo.createRecord").respond(
        json=created_body(post_uri(BRAND_DID, "3kmine2222222"))
    )
    channel.publish(ALIAS, "merci @nobody.example.com", None, "k")
    assert "facets" not in _body(create.calls.last)["record"]


def test_mentions_since_the_cursor_follow_the_pages_back_to_it_and_come_oldest_first(channel, api):
    t = [NOW - timedelta(minutes=m) for m in range(6)]
    since = fan_post(record_key(t[5], "old"))
    own = author(BRAND_DID, "brand.bsky.social", "The Brand")
    first = [
        notification(fan_post("3kmention0003"), "reply", "@brand et ça ?", stamp(t[0]),
                     parent=post_uri(BRAND_DID, "3kmine2222222")),
        notification(fan_post("3klike0000002"), "like", "", stamp(t[1])),
        notification(post_uri(BRAND_DID, "3kself0000002"), "mention", "moi", stamp(t[1]), own),
    ]  # fmt: skip
    second = [
        notification(fan_post("3kmention0001"), "mention", "@brand bonjour", stamp(t[3])),
        notification(since, "mention", "@brand vu", stamp(t[5])),
    ]
    api.get("/app.bsky.notification.listNotifications").mock(
        side_effect=[
            httpx.Response(200, json={"cursor": "page2", "notifications": first}),
            httpx.Response(200, json={"cursor": "page3", "notifications": second}),
        ]
    )
    found = channel.fetch_mentions(ALIAS, post_id(since))

    assert [post.channel_post_id for post in found] == [
        f"{FAN_DID}/3kmention0001",
        f"{FAN_DID}/3kmention0003",
    ]
    assert found[0].author_handle == "@fan.bsky.social" and found[0].author_name == "A Fan"
    assert found[1].in_reply_to == f"{BRAND_DID}/3kmine2222222"
    calls = api.routes["sign_in"].calls
    assert len(calls) == 1  # signed in once, then the session is used


def test_the_first_sync_takes_only_the_newest_page(channel, api):
    route = api.get("/app.bsky.notification.listNotifications").respond(
        json={
            "cursor": "more",
            "notifications": [notification(fan_post("3kmention0001"), "mention", "hi", stamp(NOW))],
        }
    )
    assert len(channel.fetch_mentions(ALIAS, None)) == 1
    assert route.call_count == 1


def _feed(*items, cursor=None):
    # app.bsky.feed.getAuthorFeed#output: feed of app.bsky.feed.defs#feedViewPost
    return {"feed": list(items), **({"cursor": cursor} if cursor else {})}


def test_the_author_feed_gives_the_alias_own_posts_newest_first_without_reposts_or_pin(
    channel, api
):
    own = author(BRAND_DID, "brand.bsky.social", "The Brand")
    reply_to = fan_post("3kparentpost2")
    api.get("/app.bsky.feed.getAuthorFeed").respond(
        json=_feed(
            {
                "post": post_view(post_uri(BRAND_DID, "3kpinned22222"), "épinglé", stamp(NOW), own),
                "reason": {"$type": "app.bsky.feed.defs#reasonPin"},
            },
            {
                "post": post_view(fan_post("3kreposted222"), "repris", stamp(NOW)),
                "reason": {
                    "$type": "app.bsky.feed.defs#reasonRepost",
                    "by": own,
                    "indexedAt": stamp(NOW),
                },
            },
            {
                "post": post_view(
                    post_uri(BRAND_DID, "3knewest22222"),
                    "Merci !",
                    stamp(NOW),
                    own,
                    parent=reply_to,
                )
            },
            {
                "post": post_view(
                    post_uri(BRAND_DID, "3kolder222222"),
                    "Avant",
                    stamp(NOW - timedelta(hours=1)),
                    own,
                )
            },
        )
    )
    posts = channel.recent_posts(ALIAS, 10)
    assert [p.text for p in posts] == ["Merci !", "Avant"]
    assert posts[0].in_reply_to == post_id(reply_to)


def test_published_since_pages_back_until_older_than_the_attempt(channel, api):
    own = author(BRAND_DID, "brand.bsky.social", "The Brand")
    pages = [
        _feed(*[{"post": post_view(post_uri(BRAND_DID, f"3kp{i:010d}"), f"n{i}",
                                   stamp(NOW - timedelta(minutes=i)), own)} for i in range(3)],
              cursor="c1"),
        _feed({"post": post_view(post_uri(BRAND_DID, "3kp0000000009"), "old",
                                 stamp(NOW - timedelta(hours=2)), own)}, cursor="c2"),
    ]  # fmt: skip
    route = api.get("/app.bsky.feed.getAuthorFeed").mock(
        side_effect=[httpx.Response(200, json=page) for page in pages]
    )
    api.get("/com.atproto.repo.listRecords").respond(json=records())
    found = list(channel.published_since(ALIAS, NOW - timedelta(minutes=30)))
    assert [p.text for p in found] == ["n0", "n1", "n2"]
    assert route.call_count == 2  # stopped at the first post older than the attempt
    assert route.calls[1].request.url.params["cursor"] == "c1"


def test_a_deleted_parent_refuses_the_reply_with_the_reason_and_sends_nothing(channel, api):
    # app.bsky.feed.getPosts leaves out what it cannot find (a deleted post).
    api.get("/app.bsky.feed.getPosts").respond(json={"posts": []})
    create = api.post("/com.atproto.repo.createRecord")
    with pytest.raises(ChannelError, match="answers was deleted or is hidden") as refused:
        channel.publish(ALIAS, "Trop tard", fan_post("3kgone22222222"), "k")
    assert not isinstance(refused.value, ChannelOutcomeUnknown | ChannelUnreachable)
    assert not create.called


def test_an_expired_session_is_renewed_with_the_app_password_and_the_same_key_sent_again(
    channel, api
):
    create = api.post("/com.atproto.repo.createRecord").mock(
        side_effect=[
            xrpc_error(400, "ExpiredToken", "Token has expired"),
            httpx.Response(200, json=created_body(post_uri(BRAND_DID, "3kmine2222222"))),
        ]
    )
    channel.publish(ALIAS, "Bonjour", None, "post-key-9")
    assert api.routes["sign_in"].call_count == 2  # first sign-in, then the renewal
    first, second = (_body(call) for call in create.calls)
    assert first["rkey"] == second["rkey"] == record_key(NOW, "post-key-9")


def test_a_withdrawn_app_password_says_to_reconnect(channel, api):
    api.routes["sign_in"].mock(
        return_value=xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
    )
    with pytest.raises(ChannelError, match="connect-bluesky @brand") as refused:
        channel.publish(ALIAS, "Bonjour", None, "k")
    assert "app password" in str(refused.value)
    assert type(refused.value) is ChannelError


def test_a_record_the_pds_finds_invalid_is_a_refusal_with_its_reason(channel, api):
    api.post("/com.atproto.repo.createRecord").mock(
        return_value=xrpc_error(
            400,
            "InvalidRequest",
            "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
        )
    )
    with pytest.raises(ChannelError, match="300 graphemes") as refused:
        channel.publish(ALIAS, "x" * 301, None, "k")
    assert type(refused.value) is ChannelError


def test_a_429_gives_the_reset_time_and_is_never_slept_on(channel, api, sleeps):
    reset = int((NOW + timedelta(minutes=7)).timestamp())
    api.post("/com.atproto.repo.createRecord").mock(
        return_value=xrpc_error(
            429,
            "RateLimitExceeded",
            "Rate Limit Exceeded",
            **{
                "ratelimit-limit": "5000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(reset),
                "ratelimit-policy": "5000;w=3600",
            },
        )
    )
    with pytest.raises(ChannelRateLimited) as limited:
        channel.publish(ALIAS, "Bonjour", None, "k")
    assert limited.value.retry_at == NOW + timedelta(minutes=7)
    assert sleeps == []


def test_a_500_on_create_is_an_unknown_outcome_sent_once(channel, api, sleeps):
    # What the PDS answers today for a record key it holds already (atproto issue #3718).
    create = api.post("/com.atproto.repo.createRecord").mock(
        return_value=xrpc_error(500, "InternalServerError", "Internal Server Error")
    )
    with pytest.raises(ChannelOutcomeUnknown, match="author feed is read"):
        channel.publish(ALIAS, "Bonjour", None, "k")
    assert create.call_count == 1 and sleeps == []


@pytest.mark.parametrize("lost", [httpx.ReadTimeout("read"), httpx.RemoteProtocolError("gone")])
def test_a_post_whose_answer_never_came_is_an_unknown_outcome_sent_once(channel, api, lost):
    create = api.post("/com.atproto.repo.createRecord").mock(side_effect=lost)
    with pytest.raises(ChannelOutcomeUnknown):
        channel.publish(ALIAS, "Bonjour", None, "k")
    assert create.call_count == 1


def test_a_pds_that_is_down_is_retried_with_backoff_then_unreachable(channel, api, sleeps):
    api.routes["sign_in"].mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(ChannelUnreachable, match="no connection could be made"):
        channel.fetch_mentions(ALIAS, None)
    assert api.routes["sign_in"].call_count == ATTEMPTS
    assert len(sleeps) == ATTEMPTS - 1 and all(wait >= 0 for wait in sleeps)


def test_reads_retry_a_5xx_and_a_timeout_then_succeed(channel, api, sleeps):
    api.get("/app.bsky.notification.listNotifications").mock(
        side_effect=[
            xrpc_error(502, "UpstreamFailure", "Upstream Failure"),
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json={"notifications": []}),
        ]
    )
    assert channel.fetch_mentions(ALIAS, None) == []
    assert len(sleeps) == 2


def test_an_alias_without_credentials_is_told_to_connect(memory_keyring):
    channel = BlueskyChannel(CredentialStore(environ={}))
    with pytest.raises(ChannelError, match="alias connect-bluesky @brand"):
        channel.fetch_mentions(ALIAS, None)


def test_no_app_password_or_token_reaches_an_error_message(channel, api, store):
    session = None
    failures = [
        xrpc_error(400, "InvalidRequest", "Invalid record"),
        xrpc_error(500, "InternalServerError", "Internal Server Error"),
        httpx.ReadTimeout("read"),
        xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded"),
    ]
    create = api.post("/com.atproto.repo.createRecord")
    for failure in failures:
        create.mock(side_effect=[failure])
        with pytest.raises(ChannelError) as raised:
            channel.publish(ALIAS, "Bonjour", None, "k")
        error = raised.value
        session = store.bluesky_credentials("@brand").session
        for secret in (APP_PASSWORD, ACCESS, REFRESH, session):
            assert secret not in f"{error} {error!r} {error.args}"
        assert error.__cause__ is None and error.__suppress_context__
    api.routes["sign_in"].mock(
        return_value=xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
    )
    fresh = BlueskyChannel(store)
    store.save_bluesky_session("@brand", "")
    with pytest.raises(ChannelError) as raised:
        fresh.fetch_mentions(ALIAS, None)
    assert APP_PASSWORD not in f"{raised.value} {raised.value!r}" and session


def test_a_post_the_feed_does_not_show_yet_is_found_in_the_account_repository(channel, api):
    # The AppView indexes a post a moment after the PDS took it: right after an unknown outcome
    # the author feed may not show it, the repository (listRecords) does.
    api.get("/app.bsky.feed.getAuthorFeed").respond(json={"feed": []})
    mine = post_uri(BRAND_DID, record_key(NOW, "post-key-1"))
    older = post_uri(BRAND_DID, record_key(NOW - timedelta(hours=3), "older"))
    listed = api.get("/com.atproto.repo.listRecords").respond(
        json=records(
            (mine, "Bonjour", stamp(NOW)),
            (older, "Avant", stamp(NOW - timedelta(hours=3))),
            cursor="more",
        )
    )
    found = list(channel.published_since(ALIAS, NOW - timedelta(minutes=5)))
    assert [(p.channel_post_id, p.text) for p in found] == [(post_id(mine), "Bonjour")]
    params = listed.calls.last.request.url.params
    assert (params["repo"], params["collection"]) == (BRAND_DID, "app.bsky.feed.post")
    assert listed.call_count == 1  # stopped at the first record older than the attempt


def test_a_key_or_a_date_a_fan_app_made_up_neither_stops_the_inbox_nor_reorders_it(channel, api):
    # Record keys and createdAt are chosen by the author's app: a key "from" 2036 as the cursor
    # (its post since deleted) must not hide what comes next, nor a createdAt of 2099 reorder it.
    liar = fan_post(record_key(NOW + timedelta(days=3650), "liar"))
    mention = notification(fan_post("3knew22222222"), "mention", "@brand ?", stamp(NOW))
    mention["record"]["createdAt"] = "2099-01-01T00:00:00.000Z"
    old = notification(fan_post("3kold22222222"), "mention", "old", stamp(NOW - timedelta(hours=2)))
    route = api.get("/app.bsky.notification.listNotifications").respond(
        json={"cursor": "more", "notifications": [mention, old]}
    )
    [found] = channel.fetch_mentions(ALIAS, post_id(liar))
    assert found.text == "@brand ?" and found.published_at == NOW
    assert route.call_count == 1


def test_an_app_password_withdrawn_while_the_session_ran_out_is_said_once_and_plainly(channel, api):
    api.routes["sign_in"].mock(
        side_effect=[
            httpx.Response(200, json=session_body(ACCESS, REFRESH)),
            xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password"),
        ]
    )
    create = api.post("/com.atproto.repo.createRecord").mock(
        return_value=xrpc_error(400, "ExpiredToken", "Token has expired")
    )
    with pytest.raises(ChannelError, match="refused the app password of @brand") as refused:
        channel.publish(ALIAS, "Bonjour", None, "k")
    assert create.call_count == 1 and api.routes["sign_in"].call_count == 2
    # Raised outside the handler of the expired session: only the sign-in's refusal is behind it.
    assert refused.value.__suppress_context__ and refused.value.__cause__ is None
    chain, error = [], refused.value.__context__
    while error is not None:
        chain.append(repr(error))
        error = error.__context__
    assert chain and not any("ExpiredToken" in each for each in chain)


def _profile(did: str, handle: str, followers: int) -> dict:
    # app.bsky.actor.defs#profileViewDetailed (lexicons/app/bsky/actor/defs.json)
    return {
        "did": did,
        "handle": handle,
        "displayName": handle.split(".")[0],
        "followersCount": followers,
        "followsCount": 12,
        "postsCount": 40,
    }


def test_reach_reads_followers_from_the_profiles_and_leaves_out_who_bluesky_does_not_know(
    channel, api
):
    # app.bsky.actor.getProfiles#output: an unknown actor is simply absent from `profiles`.
    route = api.get("/app.bsky.actor.getProfiles").respond(
        json={"profiles": [_profile(FAN_DID, "anna.bsky.social", 1840)]}
    )
    counts = channel.reach(ALIAS, ["@Anna.bsky.social", "@ghost.bsky.social"])
    assert counts == {"@Anna.bsky.social": 1840}
    asked = route.calls.last.request.url.params.get_list("actors")
    assert asked == ["anna.bsky.social", "ghost.bsky.social"]
