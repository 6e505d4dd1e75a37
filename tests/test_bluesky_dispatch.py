"""The outbox over the real Bluesky channel (atproto, httpx stubbed by respx): an unknown outcome
is settled by the author feed, never resent blind, and no credential is written anywhere."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from cmconsole.credentials import BlueskyCredentials, CredentialStore
from cmconsole.domain.bluesky_keys import post_id, post_uri
from cmconsole.domain.model import PostStatus, Role
from cmconsole.services.dispatch import LEASE
from cmconsole.wiring import open_services
from tests.bluesky_stubs import (
    BRAND_DID,
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
from tests.conftest import PASSPHRASE, FakeClock
from tests.test_x_dispatch import debug_log  # noqa: F401  (the same DEBUG logging fixture)

OWN = author(BRAND_DID, "brand.bsky.social", "The Brand")


def fan_post(key: str) -> str:
    return f"at://did:plc:fanfanfanfanfanfanfan01/app.bsky.feed.post/{key}"


@pytest.fixture
def canary():
    """An app password and tokens made to be found: none may reach a log, an error or the
    workspace."""
    tag = uuid.uuid4().hex
    password = "-".join(tag[i : i + 4] for i in range(0, 16, 4))
    return password, jwt(BRAND_DID, f"{tag}a"), jwt(BRAND_DID, f"{tag}r"), tag


@pytest.fixture
def bsky(database_url, memory_keyring, canary):
    password, *_ = canary
    CredentialStore(environ={}).save_bluesky_account(
        "@brand", BlueskyCredentials("brand.bsky.social", password, PDS, BRAND_DID)
    )
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    services = open_services(database_url, clock=clock)
    alias = services.accounts.add_alias("@brand", "The Brand", channel="bluesky")
    services.accounts.add_operator("otto", "Otto Operator", PASSPHRASE)
    services.accounts.grant("otto", "@brand", Role.OPERATOR)
    otto = services.accounts.sign_in("otto", PASSPHRASE)
    services.shifts.start(otto, alias.id)
    yield services, alias, otto, clock
    services.close()


@pytest.fixture
def api(canary):
    _, access, refresh, _ = canary
    with respx.mock(base_url=XRPC, assert_all_called=False) as mock:
        mock.post("/com.atproto.server.createSession", name="sign_in").respond(
            json=session_body(access, refresh)
        )
        mock.get("/app.bsky.feed.getPosts", name="parent").mock(side_effect=_parent)
        mock.get("/com.atproto.repo.listRecords", name="repository").respond(json={"records": []})
        yield mock


def _parent(request: httpx.Request) -> httpx.Response:
    uri = request.url.params["uris"]
    return httpx.Response(200, json={"posts": [post_view(uri, "question", "2026-11-02T08:00Z")]})


def _reply(services, alias, otto, api, key, text):
    uri = fan_post(key)
    api.get("/app.bsky.notification.listNotifications").respond(
        json={"notifications": [notification(uri, "mention", f"@brand {key}", stamp(_at(-60)))]}
    )
    services.inbox.sync(alias.id)
    conversation = services.inbox.conversation(otto, alias.id, "@fan.bsky.social")
    assert conversation.latest.channel_message_id == post_id(uri)
    post = services.posting.reply(otto, conversation.latest.id, text)
    services.claims.release(otto, alias.id, "@fan.bsky.social")
    return post, uri


def _at(minutes: float) -> datetime:
    return datetime(2026, 11, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def _feed(*posts):
    return {"feed": [{"post": post} for post in posts]}


def _creates(api) -> list[dict]:
    return [
        json.loads(call.request.content)
        for call in api.calls
        if call.request.url.path.endswith("createRecord")
    ]


def test_every_bluesky_failure_is_handled_once_and_no_credential_is_written_anywhere(
    bsky,
    api,
    canary,
    debug_log,  # noqa: F811
    database_url,
    tmp_path,
):
    services, alias, otto, clock = bsky
    create = api.post("/com.atproto.repo.createRecord")
    feed = api.get("/app.bsky.feed.getAuthorFeed")

    # A 500 after the post left (what the PDS answers for a key it holds): outcome unknown. The
    # author feed is read before anything else is sent, the post is there: published once.
    first, parent = _reply(services, alias, otto, api, "3kfirst222222", "C'est parti 🚀")
    mine = post_uri(BRAND_DID, "3kmine0000001")
    create.mock(return_value=xrpc_error(500, "InternalServerError", "Internal Server Error"))
    feed.respond(
        json=_feed(post_view(mine, "C'est parti 🚀", stamp(clock.now), OWN, parent=parent))
    )
    services.dispatcher.run_once()
    assert len(_creates(api)) == 1 and feed.call_count == 1
    settled = services.posting.post(otto, first.id)
    assert (settled.status, settled.channel_post_id) == (PostStatus.PUBLISHED, post_id(mine))

    # A timeout: unknown; the feed does not show it, so it is queued again and sent once more,
    # after the check, never blind.
    second, parent = _reply(services, alias, otto, api, "3ksecond22222", "On regarde")
    create.mock(side_effect=httpx.ReadTimeout("no answer"))
    feed.respond(json=_feed())
    services.dispatcher.run_once()
    assert services.posting.post(otto, second.id).status is PostStatus.QUEUED
    create.mock(return_value=httpx.Response(200, json=created_body(post_uri(BRAND_DID, "3kb"))))
    services.dispatcher.run_once()
    assert services.posting.post(otto, second.id).status is PostStatus.PUBLISHED

    # A 429: the post waits for Bluesky's reset time.
    third, _ = _reply(services, alias, otto, api, "3kthird222222", "Un instant")
    reset = int(clock.now.timestamp()) + 90
    create.mock(return_value=xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded",
                                        **{"ratelimit-reset": str(reset)}))  # fmt: skip
    [delayed] = services.dispatcher.run_once().delayed
    assert delayed.id == third.id and delayed.retry_at == datetime.fromtimestamp(reset, UTC)

    # The parent was deleted meanwhile: refused with the reason, the text kept.
    clock.advance(seconds=91)
    api.routes["parent"].mock(
        side_effect=None, return_value=httpx.Response(200, json={"posts": []})
    )
    services.dispatcher.run_once()
    failed = services.posting.post(otto, third.id)
    assert failed.status is PostStatus.FAILED and "deleted" in (failed.failure_reason or "")
    assert failed.text == "Un instant"
    assert api.routes["sign_in"].call_count == 1

    password, access, refresh, tag = canary
    logged = debug_log.getvalue()
    assert "pds.example.test" in logged  # DEBUG logging was on and saw the traffic
    for secret in (password, access, refresh, tag):
        assert secret not in logged
    events = list(services.audit.export())
    assert {"post.outcome_unknown", "post.reconciled", "post.delayed"} <= {
        entry.event.kind for entry in events
    }
    for entry in events:
        assert tag not in f"{entry.event.subject} {entry.event.details}"
        assert password not in f"{entry.event.subject} {entry.event.details}"
    for post in services.posting.posts(otto, alias.id):
        assert tag not in f"{post.failure_reason} {post.text}"
    if database_url.startswith("sqlite"):
        written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
        assert b"On regarde" in written
        for secret in (password, tag):
            assert secret.encode() not in written


def test_a_post_whose_feed_cannot_be_read_stays_unknown_and_is_never_resent(bsky, api):
    services, alias, otto, clock = bsky
    post, _ = _reply(services, alias, otto, api, "3kfirst222222", "C'est parti")
    create = api.post("/com.atproto.repo.createRecord").mock(
        return_value=xrpc_error(502, "UpstreamFailure", "Upstream Failure")
    )
    api.get("/app.bsky.feed.getAuthorFeed").mock(
        return_value=xrpc_error(400, "InvalidRequest", "Profile not found")
    )
    [unknown] = services.dispatcher.run_once().unknown
    clock.advance(seconds=LEASE.total_seconds() + 1)
    [still] = services.dispatcher.run_once().unknown
    assert create.call_count == 1
    assert unknown.id == still.id == post.id
    assert services.posting.post(otto, post.id).status is PostStatus.UNKNOWN


def test_a_post_not_yet_in_the_feed_is_found_in_the_repository_and_not_sent_again(bsky, api):
    services, alias, otto, clock = bsky
    post, parent = _reply(services, alias, otto, api, "3kfirst222222", "C'est parti")
    create = api.post("/com.atproto.repo.createRecord").mock(side_effect=httpx.ReadTimeout("x"))
    api.get("/app.bsky.feed.getAuthorFeed").respond(json=_feed())
    made = {}

    def repository(request: httpx.Request) -> httpx.Response:
        # The record under the key the create was sent with: the PDS took it, the AppView
        # has not indexed it yet.
        key = json.loads(create.calls.last.request.content)["rkey"]
        made["uri"] = post_uri(BRAND_DID, key)
        return httpx.Response(
            200, json=records((made["uri"], "C'est parti", stamp(clock.now), parent))
        )

    api.routes["repository"].mock(side_effect=repository)
    services.dispatcher.run_once()
    settled = services.posting.post(otto, post.id)
    assert (settled.status, settled.channel_post_id) == (
        PostStatus.PUBLISHED,
        post_id(made["uri"]),
    )
    assert create.call_count == 1
