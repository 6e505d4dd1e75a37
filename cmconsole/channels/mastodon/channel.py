"""The Mastodon channel: Mastodon.py with each alias's user token, failures mapped to the ports'.

The only importer of Mastodon.py (`mastodon`). Like the X channel, what a failure means decides
what happens next:
- nothing left this machine (refused, name lookup, connect timeout: an instance that is down):
  retried here with exponential backoff and full jitter, then ChannelUnreachable;
- a 429: ChannelRateLimited at X-RateLimit-Reset, never slept on here (Mastodon.py is told to
  throw, not wait);
- a post whose request left but whose answer did not come (read timeout, dropped connection,
  5xx): ChannelOutcomeUnknown at once, never resent here; reads are retried instead.
Publishing sends the post's idempotency key as `Idempotency-Key`: Mastodon answers a repeat of
the key with the status made the first time, but keeps a key about an hour only. A resend later
than that must be preceded by a reconciliation, which the dispatcher does before any resend of
an unknown outcome (services/dispatch.py): the key is a second guard, never the only one.
A reply takes the visibility of the status it answers: a `direct` (private) message is answered
in private, and must mention whom it answers, or nobody would receive it.
Messages name the alias and never a token."""

import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from cmconsole.channels.mastodon.calls import (
    ATTEMPTS,
    Calls,
    Gone,
    InstanceLimits,
    client_for,
    read_limits,
    utc_now,
)
from cmconsole.channels.mastodon.text import full_acct, host, newest_first, public, when
from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Alias, PublicPost
from cmconsole.logs import register_secret
from cmconsole.services.ports import ChannelError, ChannelOutcomeUnknown, Clock, Published

KEY_KEPT = timedelta(hours=1)  # how long Mastodon answers a repeated Idempotency-Key
PAGE_SIZE = 40  # the most Mastodon gives per page of notifications or statuses by default
MAX_PAGES = 20
TIMELINE_PAGES = 50
CURSOR_PREFIX = "n:"  # a mention cursor is a notification id, told apart from a status id


class MastodonKeys(Protocol):
    """What the channel needs to act as one Mastodon account."""

    @property
    def instance(self) -> str: ...
    @property
    def access_token(self) -> str: ...
    @property
    def account_id(self) -> str | None: ...


class MastodonCredentialSource(Protocol):
    """Where the channel finds each alias's token (cmconsole.credentials.CredentialStore)."""

    def mastodon_credentials(self, handle: str) -> MastodonKeys | None: ...


class MastodonChannel:
    """Publishes, reads mentions and reads back recent statuses for every alias on "mastodon"."""

    name = "mastodon"

    def __init__(
        self,
        credentials: MastodonCredentialSource,
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
        self._clients: dict[str, tuple[tuple[str, str], Any]] = {}
        self._accounts: dict[str, str] = {}
        self._limits: dict[str, InstanceLimits] = {}

    def publish(
        self, alias: Alias, text: str, in_reply_to: str | None, idempotency_key: str | None = None
    ) -> Published:
        client, keys = self._connected(alias)
        visibility = "public"
        if in_reply_to is not None:
            visibility = self._reply_visibility(alias, client, keys, text, in_reply_to)
        status = self._calls.run(
            alias.handle,
            "posting",
            lambda: client.status_post(
                text,
                in_reply_to_id=in_reply_to,
                visibility=visibility,
                idempotency_key=idempotency_key,
            ),
            safe_to_repeat=False,
        )
        post_id = str(status.get("id") or "")
        if not post_id:
            raise ChannelOutcomeUnknown(
                f"Mastodon accepted the post on {alias.handle} but gave no id"
            )
        return Published(post_id, when(status.get("created_at")) or self._clock())

    def _reply_visibility(
        self, alias: Alias, client: Any, keys: MastodonKeys, text: str, in_reply_to: str
    ) -> str:
        """The visibility of the status answered (a reply is never wider than its message); a
        private reply must mention its recipient. A deleted message is a refusal, saying so."""
        try:
            parent = self._calls.run(
                alias.handle,
                "reading the message answered",
                lambda: client.status(in_reply_to),
                safe_to_repeat=True,
            )
        except Gone:
            raise ChannelError(
                f"the message {alias.handle} answers is gone from Mastodon (deleted, or no longer "
                "visible to the alias): the reply was not posted"
            ) from None
        visibility = str(parent.get("visibility") or "public")
        if visibility == "direct":
            server = host(keys.instance)
            author = full_acct(str(parent["account"]["acct"]), server).lower()
            said = text.lower()
            local = author.removesuffix("@" + server)
            if f"@{author}" not in said and (local == author or f"@{local} " not in f"{said} "):
                raise ChannelError(
                    f"a private message on Mastodon reaches only those it mentions: start the "
                    f"reply with @{author} (nothing was posted, and never in public)"
                )
        return visibility if visibility in ("direct", "private", "unlisted") else "public"

    def fetch_mentions(self, alias: Alias, since: str | None) -> list[PublicPost]:
        """Mentions from the notifications newer than the cursor (a notification id), every
        page of them, oldest first. Without a cursor (the first sync), only the newest page."""
        client, keys = self._connected(alias)
        server = host(keys.instance)
        after = since[len(CURSOR_PREFIX) :] if since and since.startswith(CURSOR_PREFIX) else None
        found: dict[str, tuple[int, PublicPost]] = {}
        below: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"types": ["mention"], "limit": PAGE_SIZE}
            if after is not None:
                params["since_id"] = after
            if below is not None:
                params["max_id"] = below
            page = self._calls.run(
                alias.handle,
                "reading mentions",
                partial(client.notifications, **params),
                safe_to_repeat=True,
            )
            for note in page:
                status = note.get("status")
                if note.get("type") != "mention" or not status:
                    continue
                number = int(note["id"])
                post = public(status, server, cursor=f"{CURSOR_PREFIX}{note['id']}")
                if post.channel_post_id not in found or found[post.channel_post_id][0] < number:
                    found[post.channel_post_id] = (number, post)
            lowest = min((int(note["id"]) for note in page), default=None)
            if lowest is None or after is None or (below is not None and lowest >= int(below)):
                break  # no more; or a page that did not go further back (never loop on it)
            below = str(lowest)
        return [post for _, post in sorted(found.values(), key=lambda each: each[0])]

    def recent_posts(self, alias: Alias, limit: int) -> list[PublicPost]:
        newest_first = []
        for post in self._statuses(alias, None, max(1, limit // PAGE_SIZE + 1)):
            newest_first.append(post)
            if len(newest_first) >= limit:
                break
        return newest_first

    def published_since(self, alias: Alias, since: datetime) -> Iterator[PublicPost]:
        """The account's statuses from now back to `since`, a page at a time (an empty page
        means there are no older ones). Reaching the page limit before `since` is an error (the
        post stays unknown), never "not found"."""
        for post in self._statuses(alias, since, TIMELINE_PAGES, complete=True, exact=True):
            if post.published_at < since:
                return
            yield post

    def reach(self, alias: Alias, handles: Sequence[str]) -> dict[str, int]:
        """Followers of each account, from its profile (GET /api/v1/accounts/lookup): the
        instance's count for a remote one. An account the instance cannot find is left out."""
        client, _ = self._connected(alias)
        counts: dict[str, int] = {}
        for handle in handles:
            acct = handle.strip().lstrip("@")
            try:
                found = self._calls.run(
                    alias.handle,
                    f"reading the profile of @{acct}",
                    partial(client.account_lookup, acct),
                    safe_to_repeat=True,
                )
            except Gone:
                continue
            if isinstance(found.get("followers_count"), int):
                counts[handle] = found["followers_count"]
        return counts

    def limits(self, alias: Alias) -> InstanceLimits:
        """The instance's length rules, read once per instance (the defaults if it says none)."""
        client, keys = self._connected(alias)
        with self._lock:
            known = self._limits.get(keys.instance)
        if known is None:
            known = read_limits(self._calls, alias.handle, client)
            with self._lock:
                self._limits[keys.instance] = known
        return known

    def _statuses(
        self,
        alias: Alias,
        since: datetime | None,
        pages: int,
        *,
        complete: bool = False,
        exact: bool = False,
    ) -> Iterator[PublicPost]:
        """The alias's own statuses, newest first, boosts left out, until a page is empty, one
        older than `since` came, or `pages` pages were read (then, with `complete`, an error).
        With `exact`, a status that mentions someone is read back as written (its source): its
        HTML shows a mention only as `@user`, however it was typed, and a reconciliation that
        compared the two would miss the post and send it again."""
        client, keys = self._connected(alias)
        account_id = self._account_id(alias, client, keys)
        server = host(keys.instance)
        below: str | None = None
        for _ in range(pages):
            page = self._calls.run(
                alias.handle,
                "reading its own posts",
                partial(
                    client.account_statuses,
                    account_id,
                    exclude_reblogs=True,
                    limit=PAGE_SIZE,
                    max_id=below,
                ),
                safe_to_repeat=True,
            )
            if not page:
                return
            posts = sorted(
                (
                    self._as_written(alias, client, each, public(each, server))
                    if exact and each.get("mentions") and not _older(each, since)
                    else public(each, server)
                    for each in page
                ),
                key=newest_first,
            )
            yield from posts
            below = str(min(int(post.channel_post_id) for post in posts))
            if since is not None and posts[-1].published_at < since:
                return
        if complete:
            raise ChannelError(
                f"Mastodon could not show all of {alias.handle}'s posts back to the time asked for"
            )

    def _as_written(self, alias: Alias, client: Any, status: Any, post: PublicPost) -> PublicPost:
        """The post with the text as it was sent (GET /api/v1/statuses/:id/source, Mastodon
        3.5+); as its HTML reads if the instance does not give the source."""
        try:
            source = self._calls.run(
                alias.handle,
                "reading its own posts",
                partial(client.status_source, status["id"]),
                safe_to_repeat=True,
            )
        except Gone:
            return post
        text = str(source.get("text") or "")
        warning = str(source.get("spoiler_text") or "").strip()
        return replace(post, text=f"{warning}\n\n{text}" if warning else text)

    def _account_id(self, alias: Alias, client: Any, keys: MastodonKeys) -> str:
        if keys.account_id:
            return keys.account_id
        tag = alias.handle.lower()
        with self._lock:
            known = self._accounts.get(tag)
        if known is None:
            me = self._calls.run(
                alias.handle,
                "looking up its account",
                client.account_verify_credentials,
                safe_to_repeat=True,
            )
            known = str(me["id"])
            with self._lock:
                self._accounts[tag] = known
        return known

    def _connected(self, alias: Alias) -> tuple[Any, MastodonKeys]:
        """The alias's Mastodon.py client, rebuilt when its token or instance changes."""
        try:
            keys = self._credentials.mastodon_credentials(alias.handle)
        except CmconsoleError as error:  # no keyring, a missing variable: the store says what
            raise ChannelError(str(error)) from None
        if keys is None:
            raise ChannelError(
                f"{alias.handle} has no Mastodon token on this machine: run "
                f"`cmconsole alias connect-mastodon {alias.handle} --instance URL`"
            )
        register_secret(keys.access_token)
        signature = (keys.instance, keys.access_token)
        tag = alias.handle.lower()
        with self._lock:
            cached = self._clients.get(tag)
            if cached is None or cached[0] != signature:
                cached = (signature, client_for(keys.instance, keys.access_token, self._calls))
                self._clients[tag] = cached
                self._accounts.pop(tag, None)
        return cached[1], keys


def _older(status: Any, since: datetime | None) -> bool:
    created = when(status.get("created_at"))
    return since is not None and created is not None and created < since
