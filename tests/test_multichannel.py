"""One alias, several channels: an alias on the sandbox connected to Mastodon and Bluesky too
(the real clients, their HTTP stubbed) hears its public on each, answers each fan where they
wrote, counts each reply as that channel counts, and records the channel in the ledger."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import responses
import respx

from cmconsole.credentials import BlueskyCredentials, CredentialStore, MastodonCredentials
from cmconsole.domain.bluesky_keys import post_id
from cmconsole.domain.channel_limits import PostLimits
from cmconsole.domain.contacts import Facet
from cmconsole.domain.errors import InvalidInput
from cmconsole.domain.model import PostStatus, Role
from cmconsole.services.desk_model import DeskFilters
from cmconsole.services.inbox import InboxFilter
from cmconsole.services.ports import ChannelError
from cmconsole.wiring import open_services
from tests import bluesky_stubs as bs
from tests import mastodon_stubs as ms
from tests.conftest import PASSPHRASE, FakeClock

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
FAN_POST = f"at://{bs.FAN_DID}/app.bsky.feed.post/3kmention0001"
BRAND_REPLY = f"at://{bs.BRAND_DID}/app.bsky.feed.post/3kreply00001"


@pytest.fixture
def brand(database_url, memory_keyring):
    """@brand speaks on the sandbox, and was connected to Mastodon and to Bluesky after."""
    store = CredentialStore(environ={})
    store.save_mastodon_account(
        "@brand", MastodonCredentials(ms.INSTANCE, "token", ms.ACCOUNT_ID, "brand", "cid", "s")
    )
    store.save_bluesky_account(
        "@brand", BlueskyCredentials("brand.bsky.social", bs.APP_PASSWORD, bs.PDS, bs.BRAND_DID)
    )
    clock = FakeClock(NOW)
    services = open_services(database_url, clock=clock)
    alias = services.accounts.add_alias("@brand", "The Brand")
    clock.advance(days=1)
    services.accounts.record_channel_connected("@brand", "mastodon", ms.ACCOUNT_ID, "@brand@m")
    clock.advance(days=1)
    services.accounts.record_channel_connected("@brand", "bluesky", bs.BRAND_DID, "@brand.bsky")
    services.accounts.add_operator("otto", "Otto Operator", PASSPHRASE)
    services.accounts.grant("otto", "@brand", Role.OPERATOR)
    otto = services.accounts.sign_in("otto", PASSPHRASE)
    services.shifts.start(otto, alias.id)
    yield services, alias, otto, clock
    services.close()


@pytest.fixture
def mastodon():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        yield api


@pytest.fixture
def bluesky():
    with respx.mock(base_url=bs.XRPC, assert_all_called=False) as api:
        api.post("/com.atproto.server.createSession").respond(
            json=bs.session_body(bs.jwt(bs.BRAND_DID, "a"), bs.jwt(bs.BRAND_DID, "r"))
        )
        api.get("/app.bsky.feed.getPosts").mock(side_effect=_parent)
        api.get("/com.atproto.repo.listRecords").respond(json={"records": []})
        # A reply's mention of the fan is a facet: the handle is resolved to its DID.
        api.get("/com.atproto.identity.resolveHandle").respond(json={"did": bs.FAN_DID})
        yield api


def _parent(request: httpx.Request) -> httpx.Response:
    uri = request.url.params["uris"]
    view = bs.post_view(uri, "question", "2026-12-07T08:50:00Z")
    return httpx.Response(200, json={"posts": [view]})


def _hear_everywhere(services, mastodon, bluesky):
    """A fan writes on each channel."""
    services.public.mention("@lucie", "@brand où est ma commande ?")
    mention = ms.fan_mention("3001", "bonjour d'ici", "2026-12-07T08:55:00.000Z")
    mastodon.get(f"{ms.API}/notifications", json=[ms.notification("3002", mention)])
    mastodon.get(f"{ms.API}/statuses/3001", json=mention)
    bluesky.get("/app.bsky.notification.listNotifications").respond(
        json={
            "notifications": [
                bs.notification(FAN_POST, "mention", "@brand et ici ?", "2026-12-07T08:56:00Z")
            ]
        }
    )


def _latest(services, otto, alias, contact):
    return services.inbox.conversation(otto, alias.id, contact).latest


def test_the_alias_hears_each_channel_and_each_message_knows_where_it_came_from(
    brand, mastodon, bluesky
):
    services, alias, otto, _ = brand
    assert services.accounts.channels(alias.id) == ["sandbox", "mastodon", "bluesky"]
    _hear_everywhere(services, mastodon, bluesky)
    assert services.inbox.sync(alias.id) == 3
    heard = {
        contact: _latest(services, otto, alias, contact).channel
        for contact in ("@lucie", "@anna@other.example", "@fan.bsky.social")
    }
    assert heard == {
        "@lucie": "sandbox",
        "@anna@other.example": "mastodon",
        "@fan.bsky.social": "bluesky",
    }
    # Each channel keeps its own cursor: nothing is heard twice.
    assert services.inbox.sync(alias.id) == 0
    reads = [c.request.url for c in mastodon.calls if "/notifications" in c.request.url]
    assert "since_id" not in reads[0] and "since_id=3002" in reads[1]


def test_each_reply_goes_out_where_its_message_came_from_and_the_ledger_says_where(
    brand, mastodon, bluesky
):
    services, alias, otto, _ = brand
    _hear_everywhere(services, mastodon, bluesky)
    services.inbox.sync(alias.id)
    replies = {}
    for contact, text in (
        ("@lucie", "@lucie nous regardons"),
        ("@anna@other.example", "@anna@other.example nous regardons"),
        ("@fan.bsky.social", "@fan.bsky.social nous regardons"),
    ):
        message = _latest(services, otto, alias, contact)
        replies[message.channel] = services.posting.reply(otto, message.id, text)
        services.claims.release(otto, alias.id, contact)
    mastodon.post(
        f"{ms.API}/statuses",
        json=ms.status("4001", "<p>nous regardons</p>", ms.BRAND, "2026-12-07T09:00:01Z"),
    )
    created = bluesky.post("/com.atproto.repo.createRecord").respond(
        json=bs.created_body(BRAND_REPLY)
    )

    services.dispatcher.run_once()

    published = {channel: services.posting.post(otto, post.id) for channel, post in replies.items()}
    assert {c: p.status for c, p in published.items()} == dict.fromkeys(
        ("sandbox", "mastodon", "bluesky"), PostStatus.PUBLISHED
    )
    assert {c: p.channel for c, p in published.items()} == {c: c for c in published}
    [to_mastodon] = [c.request for c in mastodon.calls if c.request.method == "POST"]
    assert ms.sent_form(to_mastodon)["in_reply_to_id"] == "3001"
    [to_bluesky] = [json.loads(call.request.content) for call in created.calls]
    assert to_bluesky["record"]["reply"]["parent"]["uri"] == FAN_POST
    assert published["bluesky"].channel_post_id == post_id(BRAND_REPLY)
    [on_sandbox] = services.timeline.public_posts(otto, alias.id)
    assert on_sandbox.text.startswith("@lucie nous regardons")

    events = [entry.event for entry in services.audit.for_alias(otto, alias.id)]
    for kind in ("post.queued", "post.published"):
        said = {e.subject: e.details.get("channel") for e in events if e.kind == kind}
        assert said == {f"post {p.id}": c for c, p in replies.items()}, kind


def test_a_reply_is_counted_as_its_own_channel_counts(brand, mastodon, bluesky):
    """400 characters: too long for Bluesky (300), within Mastodon's 500."""
    services, alias, otto, _ = brand
    _hear_everywhere(services, mastodon, bluesky)
    services.inbox.sync(alias.id)
    long = "Merci de votre patience, " * 16
    assert 300 < len(long) < 480
    on_mastodon = _latest(services, otto, alias, "@anna@other.example")
    assert services.posting.reply(otto, on_mastodon.id, long).channel == "mastodon"
    on_bluesky = _latest(services, otto, alias, "@fan.bsky.social")
    with pytest.raises(InvalidInput, match="300"):
        services.posting.reply(otto, on_bluesky.id, long)


def test_an_announcement_goes_out_on_the_channels_chosen_or_on_none(brand):
    services, alias, otto, _ = brand
    posts = services.announcements.announce_on(
        otto, alias.id, "Nouvelle boutique ouverte !", ["mastodon", "bluesky"]
    )
    assert [p.channel for p in posts] == ["mastodon", "bluesky"]
    assert services.announcements.announce(otto, alias.id, "Bonjour à tous").channel == "sandbox"
    long = "Nos éclairs reviennent ce week-end, " * 10
    with pytest.raises(InvalidInput):
        services.announcements.announce_on(otto, alias.id, long, ["mastodon", "bluesky"])
    with pytest.raises(InvalidInput, match="does not speak on x"):
        services.announcements.announce_on(otto, alias.id, "Bonjour", ["x"])
    outbox = services.posting.outbox(otto, alias.id)
    assert sorted(p.channel for p in outbox) == ["bluesky", "mastodon", "sandbox"]


def test_a_channel_that_is_down_holds_back_none_of_the_others(brand, mastodon, bluesky):
    services, alias, otto, _ = brand
    services.public.mention("@lucie", "@brand bonjour")
    mastodon.get(f"{ms.API}/notifications", body=ms.refused_connection())
    bluesky.get("/app.bsky.notification.listNotifications").respond(
        json={
            "notifications": [
                bs.notification(FAN_POST, "mention", "@brand et ici ?", "2026-12-07T08:56:00Z")
            ]
        }
    )
    with pytest.raises(ChannelError, match=r"^mastodon: ") as raised:
        services.inbox.sync(alias.id)
    assert "bluesky" not in str(raised.value) and "sandbox" not in str(raised.value)
    shown = {t.thread.contact_handle for t in services.inbox.threads(otto, alias.id)}
    assert shown == {"@lucie", "@fan.bsky.social"}


def test_a_rate_limit_on_one_channel_holds_back_only_that_channels_posts(brand, mastodon, bluesky):
    """Mastodon says 429: the alias's other Mastodon reply waits for the same reset, and its
    sandbox reply, later in the same batch, still goes out."""
    services, alias, otto, clock = brand
    reset = clock.now.replace(microsecond=0) + timedelta(minutes=30)
    services.public.mention("@lucie", "@brand où est ma commande ?")
    first = ms.fan_mention("3001", "bonjour", "2026-12-07T08:55:00.000Z")
    second = ms.status(
        "3003", "<p>@brand et moi ?</p>", ms.account("2002", "camille", "camille@p.example"),
        "2026-12-07T08:56:00.000Z", mentions=[ms.mention_of_brand()],
    )  # fmt: skip
    mastodon.get(
        f"{ms.API}/notifications",
        json=[ms.notification("3004", second), ms.notification("3002", first)],
    )
    mastodon.get(f"{ms.API}/statuses/3001", json=first)
    mastodon.get(f"{ms.API}/statuses/3003", json=second)
    bluesky.get("/app.bsky.notification.listNotifications").respond(json={"notifications": []})
    services.inbox.sync(alias.id)
    posts = []
    for contact in ("@anna@other.example", "@camille@p.example", "@lucie"):
        message = _latest(services, otto, alias, contact)
        posts.append(services.posting.reply(otto, message.id, f"{contact} nous regardons"))
        services.claims.release(otto, alias.id, contact)
    mastodon.post(
        f"{ms.API}/statuses",
        status=429,
        json=ms.error("Too many requests"),
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()},
    )

    services.dispatcher.run_once()

    tried = [c.request for c in mastodon.calls if c.request.method == "POST"]
    assert len(tried) == 1, "the second Mastodon reply waits for the reset, untried"
    after = [services.posting.post(otto, post.id) for post in posts]
    assert [p.status for p in after] == [
        PostStatus.QUEUED,
        PostStatus.QUEUED,
        PostStatus.PUBLISHED,
    ]
    assert after[0].retry_at == after[1].retry_at == reset


def test_the_inbox_says_where_each_thread_is_and_narrows_to_one_channel(brand, mastodon, bluesky):
    services, alias, otto, _ = brand
    _hear_everywhere(services, mastodon, bluesky)
    assert services.inbox.sync(alias.id) == 3
    threads = services.inbox.threads(otto, alias.id)
    listed = {t.thread.contact_handle: t.thread.last_channel for t in threads}
    assert listed == {
        "@lucie": "sandbox",
        "@anna@other.example": "mastodon",
        "@fan.bsky.social": "bluesky",
    }
    on_bluesky = services.inbox.threads(otto, alias.id, channel="bluesky")
    assert [t.thread.contact_handle for t in on_bluesky] == ["@fan.bsky.social"]
    # The desk reads the inbox with the same filter, and says which channels the alias has.
    desk = services.desk.read(otto, alias.id, DeskFilters(timeline=False, channel="mastodon"))
    assert [t.key for t in desk.threads] == ["@anna@other.example"]
    assert desk.channels == ["sandbox", "mastodon", "bluesky"]
    # With another filter and a sort, the channel still narrows.
    ranked = services.desk.read(
        otto,
        alias.id,
        DeskFilters(
            inbox=InboxFilter.UNANSWERED, timeline=False, sort=Facet.REACH, channel="sandbox"
        ),
    )
    assert [t.key for t in ranked.threads] == ["@lucie"]
    assert services.inbox.threads(otto, alias.id, channel="x") == []


def test_an_instance_limit_outlives_the_connection_of_another_channel(brand, mastodon, bluesky):
    """Mastodon said 1000 when connected: adding Bluesky after must not bring it back to 500."""
    services, alias, otto, _ = brand
    services.accounts.record_channel_connected(
        "@brand", "mastodon", ms.ACCOUNT_ID, "@brand@m", limits=PostLimits(1000)
    )
    services.accounts.record_channel_connected("@brand", "bluesky", bs.BRAND_DID, "@brand.bsky")
    limits = services.guides.limits_for_checking(otto, alias.id, "mastodon")
    assert limits is not None and limits.longest == 1000
    _hear_everywhere(services, mastodon, bluesky)
    services.inbox.sync(alias.id)
    on_mastodon = _latest(services, otto, alias, "@anna@other.example")
    long = "Merci de votre patience, " * 30
    assert 500 < len(long) < 1000
    assert services.posting.reply(otto, on_mastodon.id, long).channel == "mastodon"
