"""The outbox over the real Mastodon channel (Mastodon.py, its HTTP stubbed as
docs.joinmastodon.org shapes it): exactly once, private messages kept private, no leak."""

import uuid
from datetime import UTC, datetime

import pytest
import responses

from cmconsole.credentials import CredentialStore, MastodonCredentials
from cmconsole.domain.model import PostStatus, Role
from cmconsole.services.dispatch import LEASE
from cmconsole.storage.workspace import open_workspace
from cmconsole.wiring import open_services
from tests.conftest import PASSPHRASE, FakeClock
from tests.mastodon_stubs import (
    ACCOUNT_ID,
    API,
    BRAND,
    FAN,
    INSTANCE,
    error,
    fan_mention,
    notification,
    sent_form,
    status,
)
from tests.test_x_dispatch import debug_log  # noqa: F401  (the fixture)

STATUSES = f"{API}/accounts/{ACCOUNT_ID}/statuses"


@pytest.fixture
def canary():
    return f"canary-{uuid.uuid4().hex}"


@pytest.fixture
def m_services(database_url, memory_keyring, canary):
    CredentialStore(environ={}).save_mastodon_account(
        "@brand", MastodonCredentials(INSTANCE, canary, ACCOUNT_ID, "brand", "cid", f"{canary}-s")
    )
    clock = FakeClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    services = open_services(database_url, clock=clock)
    alias = services.accounts.add_alias("@brand", "The Brand", channel="mastodon")
    services.accounts.add_operator("otto", "Otto Operator", PASSPHRASE)
    services.accounts.grant("otto", "@brand", Role.OPERATOR)
    otto = services.accounts.sign_in("otto", PASSPHRASE)
    services.shifts.start(otto, alias.id)
    yield services, alias, otto, clock
    services.close()


def _reply(services, alias, otto, api, status_id, text, visibility="public"):
    """A fan's mention arrives (its notification id is the status's, plus one) and is answered;
    the dispatcher will read the message answered before replying."""
    mention = fan_mention(
        status_id, f"question {status_id}", "2026-12-07T08:00:00.000Z", visibility
    )
    api.get(f"{API}/notifications", json=[notification(str(int(status_id) + 1), mention)])
    services.inbox.sync(alias.id)
    conversation = services.inbox.conversation(otto, alias.id, "@anna@other.example")
    assert conversation.latest.channel_message_id == status_id
    post = services.posting.reply(otto, conversation.latest.id, text)
    services.claims.release(otto, alias.id, "@anna@other.example")
    api.get(f"{API}/statuses/{status_id}", json=mention)
    return post


SOURCES: dict[str, str] = {}  # what each of the alias's statuses was written as


def _own(status_id, text, created, in_reply_to, visibility="public"):
    SOURCES[status_id] = text
    mentions = [{"id": "2001", "username": "anna", "url": FAN["url"], "acct": FAN["acct"]}]
    link = f'<a href="{FAN["url"]}" class="u-url mention">@<span>anna</span></a>'
    content = f"<p><span class='h-card'>{link}</span> {text.split(' ', 1)[1]}</p>"
    return status(
        status_id,
        content,
        BRAND,
        created,
        in_reply_to=in_reply_to,
        visibility=visibility,
        mentions=mentions,
    )


def _account(api, *statuses):
    """The alias's statuses, then the empty page that says there are no older ones."""
    api.get(STATUSES, json=list(statuses))
    if statuses:
        api.get(STATUSES, json=[])
    for each in statuses:  # GET /api/v1/statuses/:id/source (methods/statuses#source)
        source = {"id": each["id"], "text": SOURCES[each["id"]], "spoiler_text": ""}
        api.get(f"{API}/statuses/{each['id']}/source", json=source)


def _posts_sent(api):
    return [call.request for call in api.calls if call.request.method == "POST"]


def test_an_unknown_outcome_is_found_on_the_account_and_never_resent(m_services):
    services, alias, otto, _clock = m_services
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        post = _reply(services, alias, otto, api, "3001", "@anna@other.example c'est parti")
        api.post(f"{API}/statuses", status=503, json=error("unavailable"))
        _account(
            api, _own("4001", "@anna@other.example c'est parti", "2026-12-07T09:00:01Z", "3001")
        )
        services.dispatcher.run_once()
        assert len(_posts_sent(api)) == 1
        assert api.calls[-1].request.url.startswith(STATUSES)
    settled = services.posting.post(otto, post.id)
    assert (settled.status, settled.channel_post_id) == (PostStatus.PUBLISHED, "4001")


def test_an_unknown_outcome_not_found_is_resent_with_the_same_key(m_services):
    services, alias, otto, _clock = m_services
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        post = _reply(services, alias, otto, api, "3001", "@anna@other.example c'est parti")
        api.post(f"{API}/statuses", body=__import__("requests").exceptions.ReadTimeout("slow"))
        api.get(STATUSES, json=[])  # nothing on the account: it was not published
        services.dispatcher.run_once()
        assert services.posting.post(otto, post.id).status is PostStatus.QUEUED
        api.get(f"{API}/statuses/3001", json=fan_mention("3001", "q", "2026-12-07T08:00:00Z"))
        api.post(
            f"{API}/statuses",
            json=_own("4001", "@anna@other.example c'est parti", "2026-12-07T09:00:02Z", "3001"),
        )
        services.dispatcher.run_once()
        sent = _posts_sent(api)
        trail = [
            "read" if call.request.url.startswith(STATUSES) else call.request.method
            for call in api.calls
        ]
    assert len(sent) >= 2
    assert {each.headers["Idempotency-Key"] for each in sent} == {
        sent[0].headers["Idempotency-Key"]
    }
    # Every resend came after a read of the account that did not find the post.
    between = "".join("P" if each == "POST" else "r" if each == "read" else "" for each in trail)
    assert "PP" not in between and between.startswith("P")
    assert services.posting.post(otto, post.id).status is PostStatus.PUBLISHED


def test_an_unknown_outcome_older_than_the_key_is_reconciled_before_any_resend(m_services):
    """Mastodon forgets an Idempotency-Key after about an hour: past it, only reading the
    account tells whether the post exists. The dispatcher reads it first, whatever the age."""
    services, alias, otto, clock = m_services
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        post = _reply(services, alias, otto, api, "3001", "@anna@other.example c'est parti")
        api.post(f"{API}/statuses", status=502, json=error("Bad gateway"))
        api.get(STATUSES, status=503, json=error("unavailable"))  # cannot settle yet
        for _ in range(3):
            api.get(STATUSES, status=503, json=error("unavailable"))
        assert [each.id for each in services.dispatcher.run_once().unknown] == [post.id]
        clock.advance(hours=2)
        _account(
            api, _own("4001", "@anna@other.example c'est parti", "2026-12-07T09:00:01Z", "3001")
        )
        services.dispatcher.run_once()
        assert len(_posts_sent(api)) == 1
    assert services.posting.post(otto, post.id).status is PostStatus.PUBLISHED


def test_a_private_message_is_never_answered_in_public(m_services):
    services, alias, otto, _clock = m_services
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        private = _reply(
            services, alias, otto, api, "3001", "@anna@other.example je regarde", "direct"
        )
        api.post(
            f"{API}/statuses",
            json=_own("4001", "@anna@other.example je regarde", "2026-12-07T09:00:01Z", "3001"),
        )
        services.dispatcher.run_once()
        [sent] = _posts_sent(api)
        assert sent_form(sent)["visibility"] == "direct"
        assert services.posting.post(otto, private.id).status is PostStatus.PUBLISHED

        # A reply that mentions nobody would reach nobody in private, and must not go public.
        silent = _reply(services, alias, otto, api, "3003", "je regarde", "direct")
        services.dispatcher.run_once()
        assert len(_posts_sent(api)) == 1
    failed = services.posting.post(otto, silent.id)
    assert failed.status is PostStatus.FAILED
    assert "never in public" in (failed.failure_reason or "")


def test_a_direct_mention_is_kept_private_in_the_inbox_and_its_thread(m_services):
    services, alias, otto, _clock = m_services
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        public = fan_mention("3001", "bonjour", "2026-12-07T08:00:00.000Z")
        private = fan_mention("3002", "mon adresse", "2026-12-07T08:05:00.000Z", "direct")
        api.get(
            f"{API}/notifications",
            json=[notification("3003", private), notification("3002", public)],
        )
        assert services.inbox.sync(alias.id) == 2
    conversation = services.inbox.conversation(otto, alias.id, "@anna@other.example")
    assert [(m.channel_message_id, m.private) for m in conversation.messages] == [
        ("3001", False),
        ("3002", True),
    ]
    assert services.inbox.thread(otto, conversation.messages[1].id).message.private
    [listed] = services.inbox.threads(otto, alias.id)
    assert listed.thread.last_private


def test_a_reply_to_a_deleted_message_fails_with_the_reason(m_services):
    services, alias, otto, _clock = m_services
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        post = _reply(services, alias, otto, api, "3001", "@anna@other.example merci")
        api.replace(responses.GET, f"{API}/statuses/3001", status=404, json=error("Not found"))
        services.dispatcher.run_once()
        assert _posts_sent(api) == []
    failed = services.posting.post(otto, post.id)
    assert failed.status is PostStatus.FAILED
    assert "gone from Mastodon" in (failed.failure_reason or "")


def test_a_dead_dispatcher_post_is_looked_for_first_and_no_token_is_written_anywhere(
    m_services,
    debug_log,  # noqa: F811
    canary,
    database_url,
    tmp_path,
):
    services, alias, otto, clock = m_services
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        post = _reply(services, alias, otto, api, "3001", "@anna@other.example réglé")
        workspace = open_workspace(database_url)
        with workspace.transaction() as tx:
            assert tx.posts.take_due(clock.now, clock.now + LEASE, 1, "dead")[0].id == post.id
        workspace.close()
        clock.advance(seconds=LEASE.total_seconds() + 1)
        api.get(STATUSES, json=[])
        api.post(
            f"{API}/statuses",
            json=_own("4001", "@anna@other.example réglé", "2026-12-07T09:03:00Z", "3001"),
        )
        services.dispatcher.run_once()
        methods = [call.request.method for call in api.calls]
        assert methods[-3:] == ["GET", "GET", "POST"]  # the account, the parent, then the post
        assert api.calls[-3].request.url.startswith(STATUSES)
    assert services.posting.post(otto, post.id).status is PostStatus.PUBLISHED

    logged = debug_log.getvalue()
    # Mastodon.py logs nothing itself; whatever the dispatcher and the libraries said at DEBUG:
    assert canary not in logged
    for entry in services.audit.export():
        assert canary not in f"{entry.event.subject} {entry.event.details}"
    if database_url.startswith("sqlite"):
        written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
        assert "réglé".encode() in written
        assert canary.encode() not in written
