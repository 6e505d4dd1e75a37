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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from cmconsole.channels.mastodon_text import (
    full_acct,
    host,
    lost,
    never_left,
    newest_first,
    public,
    unknown,
    when,
)
from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Alias, PublicPost
from cmconsole.logs import register_secret
from cmconsole.services.ports import (
    ChannelError,
    ChannelOutcomeUnknown,
    ChannelRateLimited,
    ChannelUnreachable,
    Clock,
    Published,
)

TIMEOUT = (5.0, 20.0)  # seconds to connect, seconds to wait for each read
ATTEMPTS = 4
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
RATE_LIMIT_FALLBACK = timedelta(minutes=5)  # Mastodon's windows are 5 minutes long
KEY_KEPT = timedelta(hours=1)  # how long Mastodon answers a repeated Idempotency-Key
PAGE_SIZE = 40  # the most Mastodon gives per page of notifications or statuses by default
MAX_PAGES = 20
TIMELINE_PAGES = 50
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_URL_LENGTH = 23
# Read the alias's account and notifications, read and write statuses: nothing more.
SCOPES = ["read:accounts", "read:notifications", "read:statuses", "write:statuses"]
OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"
CURSOR_PREFIX = "n:"  # a mention cursor is a notification id, told apart from a status id

T = TypeVar("T")


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


@dataclass(frozen=True)
class MastodonAccount:
    """The account a token acts as."""

    account_id: str
    username: str
    acct: str  # user@domain


@dataclass(frozen=True)
class InstanceLimits:
    """What the instance's own endpoint says of a status's length."""

    max_characters: int = DEFAULT_MAX_CHARACTERS
    characters_reserved_per_url: int = DEFAULT_URL_LENGTH


def utc_now() -> datetime:
    return datetime.now(UTC)


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
        except _Gone:
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
        except _Gone:
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


class _Gone(ChannelError):
    """A 404: what was asked for does not exist (or is not visible to the account)."""


class Calls:
    """Runs one request: maps Mastodon.py's and requests' failures to the ports' errors, and
    retries, with backoff and full jitter, those that are safe to repeat."""

    def __init__(
        self,
        clock: Clock,
        attempts: int = ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._clock = clock
        self._attempts = max(1, attempts)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._last = threading.local()  # the last HTTP answer on this thread (for its headers)

    def remember(self, response: requests.Response, *_: Any, **__: Any) -> requests.Response:
        self._last.response = response
        return response

    def run(self, handle: str, what: str, request: Callable[[], T], safe_to_repeat: bool) -> T:
        failure = ""
        for attempt in range(self._attempts):
            self._last.response = None
            try:
                return request()
            except MastodonRatelimitError:
                retry_at = self._reset_time()
                raise ChannelRateLimited(
                    f"Mastodon's rate limit for {what} on {handle} is used up: "
                    f"waiting until {retry_at:%H:%M:%S} UTC",
                    retry_at,
                ) from None
            except MastodonServerError as error:
                failure = f"Mastodon answered {_status(error)}"
                if not safe_to_repeat:
                    raise unknown(handle, failure) from None
            except MastodonNetworkError as error:
                cause = error.__context__
                if never_left(cause):
                    failure = "no connection could be made"
                elif not safe_to_repeat:
                    raise unknown(handle, lost(cause)) from None
                else:
                    failure = lost(cause)
            except MastodonAPIError as error:
                raise _refusal(handle, what, error, self._said()) from None
            except MastodonError as error:  # wrapped by Mastodon.py, or a malformed answer
                said = self._said()
                raise ChannelError(
                    f"Mastodon refused {what} on {handle} ({said})"
                    if said
                    else f"Mastodon's answer to {what} on {handle} was not understood "
                    f"({type(error).__name__})"
                ) from None
            if attempt + 1 < self._attempts:
                self._sleep(self._rng.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))
        raise ChannelUnreachable(
            f"Mastodon could not be reached for {what} on {handle} "
            f"({failure}; {self._attempts} attempts): try again later"
        )

    def _said(self) -> str:
        """The `error` of the last answer's body (Mastodon's Error entity), if any."""
        response = getattr(self._last, "response", None)
        try:
            body = response.json() if response is not None else None
        except ValueError:
            return ""
        return str(body.get("error") or "") if isinstance(body, dict) else ""

    def _reset_time(self) -> datetime:
        response = getattr(self._last, "response", None)
        reset = response.headers.get("X-RateLimit-Reset") if response is not None else None
        found = when(reset)
        return found if found is not None else self._clock() + RATE_LIMIT_FALLBACK


def _older(status: Any, since: datetime | None) -> bool:
    created = when(status.get("created_at"))
    return since is not None and created is not None and created < since


def client_for(
    instance: str,
    token: str | None,
    calls: Calls,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> Any:
    """A Mastodon.py client on `instance` with a timeout on every request, that throws on a
    429 rather than sleeping, checks no version, and shows `calls` every answer."""
    session = requests.Session()
    session.hooks["response"].append(calls.remember)
    return Mastodon(
        access_token=token,
        api_base_url=instance,
        ratelimit_method="throw",
        request_timeout=TIMEOUT,  # type: ignore[arg-type]  # requests takes (connect, read)
        version_check_mode="none",
        # Said, so that Mastodon.py never probes the version: after log_in, Mastodon.py 2.3.3
        # probes it and recurses without end when the instance endpoint cannot be read.
        mastodon_version="4.0.0",
        session=session,
        client_id=client_id,
        client_secret=client_secret,
    )


def register_app(calls: Calls, instance: str, name: str) -> tuple[str, str]:
    """Register an app on the instance for the out-of-band code flow: its id and secret.
    (Registering twice only makes a second app, so it is retried like a read.)"""
    session = requests.Session()
    session.hooks["response"].append(calls.remember)
    register = partial(
        Mastodon.create_app,
        name,
        scopes=SCOPES,
        redirect_uris=OUT_OF_BAND,
        api_base_url=instance,
        request_timeout=TIMEOUT,  # type: ignore[arg-type]  # requests takes (connect, read)
        session=session,
    )
    try:
        client_id, secret = calls.run("the new connection", "registering the app", register, True)
    except KeyError:  # an answer without the app: Mastodon.py indexes it blindly
        raise ChannelError(
            f"{instance} refused to register the app: is it a Mastodon instance?"
        ) from None
    return str(client_id), str(secret)


def read_limits(calls: Calls, handle: str, client: Any) -> InstanceLimits:
    """`configuration.statuses` of the instance endpoint: v2 as Mastodon 4 serves it, else v1
    (Mastodon 3); the defaults if neither says."""
    try:
        instance = calls.run(
            handle, "reading the instance's limits", client.instance_v2, safe_to_repeat=True
        )
    except _Gone:
        instance = calls.run(
            handle, "reading the instance's limits", client.instance_v1, safe_to_repeat=True
        )
    statuses = ((instance.get("configuration") or {}).get("statuses")) or {}
    return InstanceLimits(
        int(statuses.get("max_characters") or DEFAULT_MAX_CHARACTERS),
        int(statuses.get("characters_reserved_per_url") or DEFAULT_URL_LENGTH),
    )


def _status(error: MastodonAPIError) -> int | None:
    status = error.args[1] if len(error.args) > 1 else None
    return status if isinstance(status, int) else None


def _refusal(handle: str, what: str, error: MastodonAPIError, body: str) -> ChannelError:
    status = _status(error)
    said = str(error.args[3] if len(error.args) > 3 and error.args[3] else body).strip()[:160]
    if isinstance(error, MastodonUnauthorizedError) or status in (401, 403):
        return ChannelError(
            f"Mastodon did not accept the token of {handle} ({status}: "
            f"{said or 'unauthorized'}): it was revoked or lacks a permission; reconnect with "
            f"`cmconsole alias connect-mastodon {handle} --instance URL`"
        )
    if isinstance(error, MastodonNotFoundError) or status == 404:
        return _Gone(f"Mastodon found nothing for {what} on {handle} ({said or 'not found'})")
    return ChannelError(
        f"Mastodon refused {what} on {handle} ({status}: {said or 'no reason given'})"
    )
