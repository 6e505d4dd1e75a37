"""The Bluesky channel: the atproto SDK's Client signed in with an app password, its failures
mapped to the ports'.

With calls.py (the failures) and connection.py (the sign-in), the only importer of atproto.
A post is created with com.atproto.repo.createRecord under a
record key this channel chooses (a TID made from the attempt and the post), so a create repeated
within one attempt, after the session was renewed, cannot post twice: the PDS refuses a key it
holds already (today with a 500, bluesky-social/atproto issue #3718). What a failure means:
- nothing left this machine (connection refused, name lookup, connect timeout): reads and posts
  are retried here, with exponential backoff and full jitter, then ChannelUnreachable;
- a 429: ChannelRateLimited at the `ratelimit-reset` time, never slept on here;
- a post whose request left but whose answer did not come (read timeout, dropped connection,
  5xx): ChannelOutcomeUnknown at once, never resent; the dispatcher reads back what was
  published (published_since: the author feed, then the account's repository);
- an expired or revoked session (ExpiredToken, InvalidToken): signed in again with the app
  password, once, then the call is made again (it had been refused, so nothing was done);
- the app password withdrawn (AuthenticationRequired on sign-in): a ChannelError saying to
  reconnect. Messages name the alias and never a credential, a token or a header."""

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar

from atproto_client import Client, models
from atproto_client.client.session import SessionEvent
from atproto_client.exceptions import AtProtocolError
from atproto_client.utils.facet_detection import detect_facets, detect_mentions

from cmconsole.channels.bluesky.calls import ATTEMPTS, Calls, new_client
from cmconsole.domain.bluesky_keys import POST_COLLECTION, post_id, record_key, tid_time, uri_of
from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Alias, PublicPost
from cmconsole.logs import register_secret
from cmconsole.services.ports import ChannelError, ChannelUnreachable, Clock, Published

PAGE_SIZE = 50  # listNotifications and getAuthorFeed serve at most 100 a page
MAX_PAGES = 20
FEED_PAGES = 200  # published_since: 10,000 posts back, then an error rather than "not found"
CURSOR_MARGIN = timedelta(hours=1)  # a mention is indexed a little after its key was made
MAX_HANDLE = 63  # a longer (custom domain) handle is kept as the account's DID
PROFILES_PER_REQUEST = 25  # app.bsky.actor.getProfiles takes at most 25 actors

T = TypeVar("T")


class BlueskyKeys(Protocol):
    """What the channel needs to act as one Bluesky account."""

    @property
    def account(self) -> str: ...  # the account's handle (brand.bsky.social) or DID
    @property
    def app_password(self) -> str: ...
    @property
    def service(self) -> str: ...  # the PDS that signs in (https://bsky.social by default)
    @property
    def session(self) -> str: ...  # the SDK's session string (tokens); "" before the first


class BlueskyCredentialSource(Protocol):
    """Where the channel finds each alias's keys, and keeps a renewed session."""

    def bluesky_credentials(self, handle: str) -> BlueskyKeys | None: ...
    def save_bluesky_session(self, handle: str, session: str) -> None: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


class BlueskyChannel:
    """Publishes, reads mentions and reads back its own posts for every alias on "bluesky"."""

    name = "bluesky"

    def __init__(
        self,
        credentials: BlueskyCredentialSource,
        clock: Clock = utc_now,
        *,
        attempts: int = ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._credentials = credentials
        self._clock = clock
        self._calls = Calls(clock, attempts, sleep, rng)
        self._lock = threading.Lock()
        self._clients: dict[str, tuple[tuple[str, str, str], Client]] = {}

    def publish(
        self, alias: Alias, text: str, in_reply_to: str | None, idempotency_key: str | None = None
    ) -> Published:
        """Bluesky has no idempotency key: the post's own record key stands in for it within
        this attempt; an unknown outcome is settled by reading the author feed back."""
        client = self._connected(alias)
        key = record_key(self._clock(), idempotency_key or text)
        reply = self._reply_ref(alias, in_reply_to) if in_reply_to else None
        record = models.AppBskyFeedPost.Record(
            text=text,
            created_at=self._clock().astimezone(UTC).isoformat(timespec="milliseconds"),
            langs=[alias.language] if alias.language else None,
            facets=self._facets(alias, text) or None,
            reply=reply,
        )
        did = _did(client)
        created = self._run(
            alias,
            "posting",
            lambda: client.app.bsky.feed.post.create(did, record, rkey=key),
            safe_to_repeat=False,
        )
        return Published(post_id(str(created.uri)), self._clock())

    def fetch_mentions(self, alias: Alias, since: str | None) -> list[PublicPost]:
        """Mentions and replies newer than the mention `since` (an AT URI), oldest first. Bluesky
        pages notifications newest first with an opaque cursor: pages are read back until
        `since` appears, or notifications older than its key. Without `since`, the newest page."""
        client = self._connected(alias)
        own = _did(client)
        stop_at = _before(since, self._clock())
        found: dict[str, PublicPost] = {}
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            params = {"limit": PAGE_SIZE, **({"cursor": cursor} if cursor else {})}
            page = self._run(
                alias,
                "reading mentions",
                partial(client.app.bsky.notification.list_notifications, params=params),
                safe_to_repeat=True,
            )
            reached = False
            for note in page.notifications:
                if post_id(note.uri) == since or (stop_at and _when(note.indexed_at) < stop_at):
                    reached = True
                    continue
                if note.reason in ("mention", "reply") and note.author.did != own:
                    # When Bluesky indexed it, not the createdAt its author's app chose.
                    found[note.uri] = _public(
                        note.uri, note.author, note.record, note.indexed_at, indexed=True
                    )
            cursor = page.cursor
            if since is None or reached or not cursor:
                break
        return sorted(found.values(), key=lambda post: (post.published_at, post.channel_post_id))

    def recent_posts(self, alias: Alias, limit: int) -> list[PublicPost]:
        found: list[PublicPost] = []
        for post in self._own_posts(alias, pages=MAX_PAGES):
            found.append(post)
            if len(found) >= limit:
                break
        return found

    def published_since(self, alias: Alias, since: datetime) -> Iterator[PublicPost]:
        """The author feed from now back to `since`, page by page, then the posts the account's
        repository on its PDS holds since then (com.atproto.repo.listRecords): the feed is the
        AppView's, which indexes a post a moment after the PDS took it, so a post made just
        before the check may be only in the repository. What cannot be read back that far is an
        error (the post stays unknown), never "not found"."""
        seen: set[str] = set()
        for post in self._own_posts(alias, pages=FEED_PAGES, until=since):
            if post.published_at >= since:
                seen.add(post.channel_post_id)
                yield post
        for post in self._repository(alias, since):
            if post.channel_post_id not in seen:
                yield post

    def reach(self, alias: Alias, handles: Sequence[str]) -> dict[str, int]:
        """Followers of each account, from app.bsky.actor.getProfiles (25 actors a request); an
        account Bluesky does not know is left out."""
        client = self._connected(alias)
        counts: dict[str, int] = {}
        for start in range(0, len(handles), PROFILES_PER_REQUEST):
            asked = {
                h.strip().lstrip("@").lower(): h
                for h in handles[start : start + PROFILES_PER_REQUEST]
            }
            page = self._run(
                alias,
                "reading profiles",
                partial(client.app.bsky.actor.get_profiles, params={"actors": list(asked)}),
                safe_to_repeat=True,
            )
            for profile in page.profiles:
                handle = asked.get(str(profile.handle).lower())
                if handle is not None and isinstance(profile.followers_count, int):
                    counts[handle] = profile.followers_count
        return counts

    def _repository(self, alias: Alias, since: datetime) -> Iterator[PublicPost]:
        """The account's own post records made at or after `since`, newest first by key."""
        client = self._connected(alias)
        own = _did(client)
        me = {"did": own, "handle": client._session.handle if client._session else own}
        cursor: str | None = None
        for _ in range(FEED_PAGES):
            params: dict[str, Any] = {"repo": own, "collection": POST_COLLECTION, "limit": 100}
            if cursor:
                params["cursor"] = cursor
            page = self._run(
                alias,
                "reading its repository",
                partial(client.com.atproto.repo.list_records, params=params),
                safe_to_repeat=True,
            )
            older = False
            for record in page.records:
                post = _public(record.uri, me, record.value, "")
                made = tid_time(post.channel_post_id.rsplit("/", 1)[-1]) or post.published_at
                if made < since and post.published_at < since:
                    older = True
                    continue
                yield post
            cursor = page.cursor
            if older or not cursor or not page.records:
                return
        raise ChannelError(
            f"Bluesky could not show all of {alias.handle}'s posts back to the time asked for"
        )

    def _own_posts(
        self, alias: Alias, pages: int, until: datetime | None = None
    ) -> Iterator[PublicPost]:
        """The alias's own posts and replies (app.bsky.feed.getAuthorFeed), newest first,
        leaving out reposts and the pinned post."""
        client = self._connected(alias)
        own = _did(client)
        cursor: str | None = None
        for _ in range(pages):
            params: dict[str, Any] = {"actor": own, "limit": PAGE_SIZE}
            params["filter"] = "posts_with_replies"
            if cursor:
                params["cursor"] = cursor
            page = self._run(
                alias,
                "reading its own posts",
                partial(client.app.bsky.feed.get_author_feed, params=params),
                safe_to_repeat=True,
            )
            oldest: datetime | None = None
            for item in page.feed:
                if item.reason is not None or item.post.author.did != own:
                    continue
                post = item.post
                public = _public(post.uri, post.author, post.record, post.indexed_at)
                oldest = public.published_at
                yield public
            cursor = page.cursor
            if not cursor or (until is not None and oldest is not None and oldest < until):
                return
        if until is not None:
            raise ChannelError(
                f"Bluesky could not show all of {alias.handle}'s posts back to the time asked for"
            )

    def _reply_ref(self, alias: Alias, parent_uri: str) -> models.AppBskyFeedPost.ReplyRef:
        """The strong references (uri and cid) of the post answered and of its thread's root."""
        client = self._connected(alias)
        found = self._run(
            alias,
            "reading the post it answers",
            lambda: client.app.bsky.feed.get_posts(params={"uris": [uri_of(parent_uri)]}),
            safe_to_repeat=True,
        )
        if not found.posts:
            raise ChannelError(
                f"the Bluesky post that {alias.handle} answers was deleted or is hidden: "
                "the reply was not sent (its text is kept)"
            )
        parent = found.posts[0]
        parent_ref = models.ComAtprotoRepoStrongRef.Main(uri=parent.uri, cid=parent.cid)
        thread = _get(parent.record, "reply")
        root = _get(thread, "root") if thread is not None else None
        root_ref = (
            models.ComAtprotoRepoStrongRef.Main(uri=_get(root, "uri"), cid=_get(root, "cid"))
            if root is not None
            else parent_ref
        )
        return models.AppBskyFeedPost.ReplyRef(root=root_ref, parent=parent_ref)

    def _facets(self, alias: Alias, text: str) -> list[models.AppBskyRichtextFacet.Main]:
        """Links and tags as found in the text, and each mention whose handle resolves to a DID,
        with their UTF-8 byte offsets (app.bsky.richtext.facet)."""
        client = self._connected(alias)
        facets = list(detect_facets(text))
        dids: dict[str, str | None] = {}
        for mention in detect_mentions(text):
            handle = mention.handle.lower()
            if handle not in dids:
                dids[handle] = self._resolved(alias, client, handle)
            did = dids[handle]
            if did is not None:
                facets.append(
                    models.AppBskyRichtextFacet.Main(
                        features=[models.AppBskyRichtextFacet.Mention(did=did)],
                        index=models.AppBskyRichtextFacet.ByteSlice(
                            byte_start=mention.byte_start, byte_end=mention.byte_end
                        ),
                    )
                )
        return sorted(facets, key=lambda facet: facet.index.byte_start)

    def _resolved(self, alias: Alias, client: Client, handle: str) -> str | None:
        try:
            answer = self._run(
                alias,
                "looking up a handle it mentions",
                lambda: client.com.atproto.identity.resolve_handle(params={"handle": handle}),
                safe_to_repeat=True,
            )
        except ChannelUnreachable:
            raise
        except ChannelError:
            return None  # a handle that does not resolve stays plain text, as Bluesky's app does
        return str(answer.did)

    def _connected(self, alias: Alias) -> Client:
        """The alias's client, signed in (from its kept session, else with the app password)."""
        try:
            keys = self._credentials.bluesky_credentials(alias.handle)
        except CmconsoleError as error:
            raise ChannelError(str(error)) from None
        if keys is None:
            raise ChannelError(
                f"{alias.handle} has no Bluesky credentials on this machine: "
                f"run `cmconsole alias connect-bluesky {alias.handle}`"
            )
        signature = (keys.account, keys.app_password, keys.service)
        tag = alias.handle.lower()
        with self._lock:
            cached = self._clients.get(tag)
            if cached is not None and cached[0] == signature:
                return cached[1]
        client = new_client(keys.service)
        client.on_session_change(self._keeper(alias.handle))
        if keys.session:
            try:
                client.login(session_string=keys.session, fetch_bsky_profile=False)
            except (AtProtocolError, ValueError):
                self._sign_in(alias, client, keys)
        else:
            self._sign_in(alias, client, keys)
        with self._lock:
            self._clients[tag] = (signature, client)
        return client

    def _sign_in(self, alias: Alias, client: Client, keys: BlueskyKeys) -> None:
        register_secret(keys.app_password)
        self._calls.run(
            alias.handle,
            "signing in",
            lambda: client.login(keys.account, keys.app_password, fetch_bsky_profile=False),
            safe_to_repeat=True,
        )

    def _keeper(self, handle: str) -> Callable[[SessionEvent, Any], None]:
        def keep(event: SessionEvent, session: Any) -> None:
            for secret in (session.access_jwt, session.refresh_jwt):
                register_secret(secret)
            if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
                exported = session.export()
                register_secret(exported)
                # Kept in memory for this process if the store cannot keep it: signed in again
                # with the app password next time.
                with contextlib.suppress(CmconsoleError):
                    self._credentials.save_bluesky_session(handle, exported)

        return keep

    def _run(self, alias: Alias, what: str, request: Callable[[], T], safe_to_repeat: bool) -> T:
        return self._calls.run(
            alias.handle, what, request, safe_to_repeat, renew=partial(self._renew, alias)
        )

    def _renew(self, alias: Alias) -> None:
        """Sign the alias's client in again with the app password after its session was
        refused: the same client, so the request made again goes through it."""
        keys = self._credentials.bluesky_credentials(alias.handle)
        with self._lock:
            cached = self._clients.get(alias.handle.lower())
        if keys is None or cached is None:
            raise ChannelError(f"{alias.handle} has no Bluesky credentials on this machine")
        self._sign_in(alias, cached[1], keys)


def _did(client: Client) -> str:
    session = client._session
    if session is None:
        raise ChannelError("Bluesky did not keep the account signed in")
    return str(session.did)


def _get(value: Any, name: str) -> Any:
    """A field of a record, whether the SDK gave it as a model or as a plain dict."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def _when(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _before(since: str | None, now: datetime) -> datetime | None:
    """How far back to read notifications when `since` is not met: a little before its key was
    made, and never later than now (a key is chosen by its author's app, and may lie)."""
    made = tid_time(since.rstrip("/").rsplit("/", 1)[-1]) if since else None
    return min(made, now) - CURSOR_MARGIN if made else None


def _public(
    uri: str, author: Any, record: Any, indexed_at: str, *, indexed: bool = False
) -> PublicPost:
    created = None if indexed else _get(record, "created_at") or _get(record, "createdAt")
    reply = _get(record, "reply")
    parent = _get(reply, "parent") if reply is not None else None
    handle = str(_get(author, "handle") or "")
    if not handle or len(handle) > MAX_HANDLE:  # the workspace keeps a contact's handle in 64
        handle = str(_get(author, "did") or handle)
    return PublicPost(
        channel_post_id=post_id(str(uri)),
        author_handle=f"@{handle}",
        author_name=str(_get(author, "display_name") or handle),
        text=str(_get(record, "text") or ""),
        published_at=_when(str(created or indexed_at)),
        in_reply_to=post_id(str(_get(parent, "uri"))) if parent is not None else None,
    )
