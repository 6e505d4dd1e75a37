"""The X channel: tweepy's v2 Client with OAuth 1.0a user context, failures mapped to the ports'.

The only importer of tweepy. Every call passes `user_auth=True` (tweepy's default differs per
method) and never waits on a rate limit. What a failure means decides what happens next:
- nothing left this machine (refused, name lookup, connect timeout): retried here, with
  exponential backoff and full jitter, then ChannelUnreachable;
- a 429: ChannelRateLimited with X's reset time, never slept on here;
- a post whose request left but whose answer did not come (read timeout, dropped connection, 5xx):
  ChannelOutcomeUnknown at once, never retried, so the dispatcher can look at the recent posts;
  reads are safe to repeat, so they are retried like the first case.
Messages name the alias and never a credential or a header."""

import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar

import requests
import tweepy
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Alias, PublicPost
from cmconsole.logs import register_secret
from cmconsole.services.ports import (
    ChannelError,
    ChannelNotAllowed,
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
RATE_LIMIT_FALLBACK = timedelta(minutes=15)  # X's window, when a 429 has no reset header
PAGE_SIZE = 100
LOOKUP_SIZE = 100  # usernames per user lookup (GET /2/users/by), X's maximum
MAX_PAGES = 20  # X serves at most 800 mentions; this only stops a token that never ends
TIMELINE_PAGES = 32  # X serves the newest 3,200 posts of a user's timeline
TWEET_FIELDS = ["created_at", "author_id", "referenced_tweets", "in_reply_to_user_id", "note_tweet"]
USER_FIELDS = ["username", "name"]
_TWITTER_EPOCH_MS = 1288834974657  # a post id carries its creation time (X's "snowflake")

_X_ESCAPES = re.compile(r"&(amp|lt|gt);")
_X_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}

T = TypeVar("T")
Body = dict[str, Any]


class XKeys(Protocol):
    """What the channel needs to act as one X account."""

    @property
    def consumer_key(self) -> str: ...
    @property
    def consumer_secret(self) -> str: ...
    @property
    def access_token(self) -> str: ...
    @property
    def access_secret(self) -> str: ...
    @property
    def user_id(self) -> str | None: ...


class XCredentialSource(Protocol):
    """Where the channel finds each alias's keys (cmconsole.credentials.CredentialStore)."""

    def x_credentials(self, handle: str) -> XKeys | None: ...


@dataclass(frozen=True)
class XAccount:
    """The X account a set of tokens acts as."""

    user_id: str
    username: str  # without '@'


def utc_now() -> datetime:
    return datetime.now(UTC)


class XChannel:
    """Publishes, reads mentions and reads back recent posts for every alias on channel "x"."""

    name = "x"

    def __init__(
        self,
        credentials: XCredentialSource,
        clock: Clock = utc_now,
        *,
        timeout: tuple[float, float] = TIMEOUT,
        attempts: int = ATTEMPTS,
        backoff_base: float = BACKOFF_BASE,
        backoff_cap: float = BACKOFF_CAP,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._credentials = credentials
        self._clock = clock
        self._timeout = timeout
        self._calls = _Calls(clock, attempts, backoff_base, backoff_cap, sleep, rng)
        self._lock = threading.Lock()
        self._clients: dict[str, tuple[tuple[str, ...], Any]] = {}
        self._user_ids: dict[str, str] = {}

    def publish(
        self, alias: Alias, text: str, in_reply_to: str | None, idempotency_key: str | None = None
    ) -> Published:
        """X has no idempotency key: `idempotency_key` is not sent, and an unknown outcome is
        settled by reading the alias's timeline back (published_since)."""
        client, _ = self._connected(alias, need_user_id=False)
        send = partial(
            client.create_tweet, text=text, in_reply_to_tweet_id=in_reply_to, user_auth=True
        )
        body = self._calls.run(alias.handle, "posting", send, safe_to_repeat=False)
        post_id = str((body.get("data") or {}).get("id") or "")
        if not post_id:
            raise ChannelOutcomeUnknown(f"X accepted the post on {alias.handle} but gave no id")
        return Published(post_id, _created_at(post_id) or self._clock())

    def fetch_mentions(self, alias: Alias, since: str | None) -> list[PublicPost]:
        """Every page of mentions newer than `since`. Without a cursor (the first sync), only the
        newest page: connecting an old account does not pour its history into the inbox."""
        client, user_id = self._connected(alias)
        params: dict[str, Any] = {"max_results": PAGE_SIZE}
        if since is not None:
            params["since_id"] = since
        found: dict[str, PublicPost] = {}
        for page in self._pages(
            alias, "reading mentions", client.get_users_mentions, user_id, params
        ):
            for post in self._posts(page):
                if post.author_id != user_id:  # the alias mentioning itself is not inbound
                    found[post.post.channel_post_id] = post.post
            if since is None:
                break
        return sorted(found.values(), key=lambda post: int(post.channel_post_id))

    def recent_posts(self, alias: Alias, limit: int) -> list[PublicPost]:
        client, user_id = self._connected(alias)
        found: dict[str, PublicPost] = {}
        for page in self._pages(
            alias,
            "reading its own posts",
            client.get_users_tweets,
            user_id,
            {"max_results": max(5, min(PAGE_SIZE, limit))},  # X's minimum here is 5
        ):
            found.update((each.post.channel_post_id, each.post) for each in self._posts(page))
            if len(found) >= limit:
                break
        newest_first = sorted(found.values(), key=lambda post: -int(post.channel_post_id))
        return newest_first[:limit]

    def published_since(self, alias: Alias, since: datetime) -> Iterator[PublicPost]:
        """The alias's timeline from now back to `since` (X's start_time), page by page. X keeps
        the newest 3,200 posts of a timeline: a window reaching further back cannot be read in
        full, which is an error (the post stays unknown), never "not found"."""
        client, user_id = self._connected(alias)
        params: dict[str, Any] = {
            "max_results": PAGE_SIZE,
            "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        pages = self._pages(
            alias, "reading its own posts", client.get_users_tweets, user_id, params,
            TIMELINE_PAGES, complete=True,
        )  # fmt: skip
        for page in pages:
            yield from sorted(
                (each.post for each in self._posts(page)),
                key=lambda post: -int(post.channel_post_id),
            )

    def reach(self, alias: Alias, handles: Sequence[str]) -> dict[str, int]:
        """Follower counts from X's user lookup (GET /2/users/by, user.fields=public_metrics),
        a hundred usernames a request, keyed by the handle asked for (X answers with the
        account's own capitals); a username X does not know is left out."""
        client, _ = self._connected(alias, need_user_id=False)
        wanted = {handle.strip().lstrip("@").lower(): handle for handle in handles}
        names = [name for name in wanted if name]
        found: dict[str, int] = {}
        for start in range(0, len(names), LOOKUP_SIZE):
            request = partial(
                client.get_users,
                usernames=names[start : start + LOOKUP_SIZE],
                user_fields=["public_metrics"],
                user_auth=True,
            )
            body = self._calls.run(
                alias.handle, "reading its contacts' followers", request, safe_to_repeat=True
            )
            for user in body.get("data") or []:
                handle = wanted.get(str(user.get("username") or "").lower())
                followers = (user.get("public_metrics") or {}).get("followers_count")
                if handle is not None and isinstance(followers, int):
                    found[handle] = followers
        return found

    def _pages(
        self,
        alias: Alias,
        what: str,
        endpoint: Callable[..., Body],
        user_id: str,
        params: dict[str, Any],
        max_pages: int = MAX_PAGES,
        *,
        complete: bool = False,
    ) -> Iterator[Body]:
        """Pages of `endpoint`, following X's next_token; each page one guarded call. With
        `complete`, running out of pages before X says it is done is a ChannelError."""
        token: str | None = None
        for _ in range(max_pages):
            page_params = {**params, "pagination_token": token} if token else params
            request = partial(
                endpoint,
                user_id,
                expansions=["author_id"],
                tweet_fields=TWEET_FIELDS,
                user_fields=USER_FIELDS,
                user_auth=True,
                **page_params,
            )
            page = self._calls.run(alias.handle, what, request, safe_to_repeat=True)
            yield page
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                return
        if complete:
            raise ChannelError(
                f"X could not show all of {alias.handle}'s posts back to the time asked for"
            )

    def _connected(self, alias: Alias, need_user_id: bool = True) -> tuple[Any, str]:
        """The alias's tweepy client (rebuilt when its keys change) and its X user id."""
        try:
            keys = self._credentials.x_credentials(alias.handle)
        except CmconsoleError as error:  # no keyring, a missing variable: the store says what
            raise ChannelError(str(error)) from None
        if keys is None:
            raise ChannelError(
                f"{alias.handle} has no X credentials on this machine: "
                f"run `cmconsole alias connect-x {alias.handle}`"
            )
        signature = (keys.consumer_key, keys.consumer_secret, keys.access_token, keys.access_secret)
        tag = alias.handle.lower()
        with self._lock:
            cached = self._clients.get(tag)
            if cached is None or cached[0] != signature:
                cached = (signature, _client(keys, self._timeout))
                self._clients[tag] = cached
                self._user_ids.pop(tag, None)
        client = cached[1]
        user_id = keys.user_id or self._user_ids.get(tag)
        if user_id is None and need_user_id:
            me = self._calls.run(
                alias.handle,
                "looking up its account",
                partial(client.get_me, user_auth=True),
                safe_to_repeat=True,
            )
            user_id = str(me["data"]["id"])
            with self._lock:
                self._user_ids[tag] = user_id
        return client, user_id or ""

    def _posts(self, body: Body) -> "list[_Found]":
        users = {str(u["id"]): u for u in (body.get("includes") or {}).get("users", [])}
        found = []
        for tweet in body.get("data") or []:
            author_id = str(tweet.get("author_id") or "")
            author = users.get(author_id, {})
            username = author.get("username")
            replied_to = next(
                (
                    str(ref["id"])
                    for ref in tweet.get("referenced_tweets") or []
                    if ref.get("type") == "replied_to"
                ),
                None,
            )
            created = tweet.get("created_at")
            post = PublicPost(
                channel_post_id=str(tweet["id"]),
                author_handle=f"@{username}" if username else f"id:{author_id}",
                author_name=str(author.get("name") or username or ""),
                # A long post's full text is in note_tweet; `text` is then cut at 280.
                text=_unescaped(str((tweet.get("note_tweet") or {}).get("text") or tweet["text"])),
                published_at=datetime.fromisoformat(created) if created else self._clock(),
                in_reply_to=replied_to,
            )
            found.append(_Found(post, author_id))
        return found


class XConnection:
    """Connects an alias to an X account with the app's keys: the PIN flow (OAuth 1.0a with
    callback "oob"), and a check of which account a pair of tokens acts as."""

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        register_secret(consumer_key)
        register_secret(consumer_secret)
        self._consumer = (consumer_key, consumer_secret)
        self._handler = _TimedHandler(consumer_key, consumer_secret, callback="oob")
        self._calls = _Calls(utc_now, ATTEMPTS, BACKOFF_BASE, BACKOFF_CAP, sleep, rng)

    def authorization_url(self) -> str:
        """Where the account's owner signs in to X and gets a PIN."""
        try:
            return str(self._handler.get_authorization_url())
        except tweepy.TweepyException as error:
            raise _sign_in_failure(
                error,
                "asking for a sign-in link",
                "X refused the app's consumer key and secret: check them in the X developer portal",
            ) from None

    def exchange_pin(self, pin: str) -> tuple[str, str]:
        """The access token and secret that the PIN from `authorization_url` stands for."""
        if not self._handler.request_token:
            raise ChannelError("ask X for the sign-in link before giving a PIN")
        try:
            token, secret = self._handler.get_access_token(pin.strip())
        except tweepy.TweepyException as error:
            raise _sign_in_failure(
                error,
                "exchanging the PIN",
                "X refused the PIN (it works once, for a few minutes): run connect-x again",
            ) from None
        register_secret(token)
        register_secret(secret)
        return str(token), str(secret)

    def verify(self, handle: str, access_token: str, access_secret: str) -> XAccount:
        """The X account the tokens act as (get_me); ChannelError if X refuses them."""
        register_secret(access_token)
        register_secret(access_secret)
        keys = _Keys(*self._consumer, access_token, access_secret)
        client = _client(keys, TIMEOUT)
        me = self._calls.run(
            handle,
            "checking the account",
            partial(client.get_me, user_auth=True),
            safe_to_repeat=True,
        )
        return XAccount(str(me["data"]["id"]), str(me["data"]["username"]))


@dataclass(frozen=True)
class _Keys:
    consumer_key: str
    consumer_secret: str
    access_token: str
    access_secret: str
    user_id: str | None = None

    def __repr__(self) -> str:
        return "_Keys(***)"


class _TimedHandler(tweepy.OAuth1UserHandler):  # type: ignore[misc]
    """tweepy's OAuth 1.0a handler, with the timeout on each OAuth session it makes."""

    @property
    def oauth(self) -> Any:
        return self._oauth

    @oauth.setter
    def oauth(self, session: requests.Session) -> None:
        _with_timeout(session, TIMEOUT)
        self._oauth = session


def _sign_in_failure(error: Exception, what: str, refused: str) -> ChannelError:
    """What went wrong in the PIN flow, from the exception tweepy wrapped (once or twice)."""
    cause: object = error
    while isinstance(cause, tweepy.TweepyException) and cause.args:
        cause = cause.args[0]
    if isinstance(cause, requests.RequestException):
        if _never_left(cause):
            return ChannelUnreachable(f"X could not be reached while {what}: try again later")
        return ChannelError(f"no answer from X while {what} ({_lost(cause)}): try again")
    status = getattr(cause, "status_code", None)
    if status in (401, 403):
        return ChannelError(refused)
    return ChannelError(f"X refused {what}" + (f" ({status})" if status else ""))


@dataclass(frozen=True)
class _Found:
    post: PublicPost
    author_id: str


class _Calls:
    """Runs one request to X: maps tweepy's and requests' failures to the ports' errors and
    retries, with backoff and full jitter, those that are safe to repeat."""

    def __init__(
        self,
        clock: Clock,
        attempts: int,
        base: float,
        cap: float,
        sleep: Callable[[float], None],
        rng: random.Random | None,
    ) -> None:
        self._clock = clock
        self._attempts = max(1, attempts)
        self._base = base
        self._cap = cap
        self._sleep = sleep
        self._rng = rng or random.Random()

    def run(self, handle: str, what: str, request: Callable[[], T], safe_to_repeat: bool) -> T:
        """`request()`; `safe_to_repeat` says whether a request that left may be sent again."""
        failure = ""
        for attempt in range(self._attempts):
            try:
                return request()
            except tweepy.TooManyRequests as error:
                retry_at = self._reset_time(error.response)
                raise ChannelRateLimited(
                    f"X's rate limit for {what} on {handle} is used up: "
                    f"waiting until {retry_at:%H:%M:%S} UTC",
                    retry_at,
                ) from None
            except tweepy.TwitterServerError as error:
                failure = f"X answered {error.response.status_code}"
                if not safe_to_repeat:
                    raise _unknown(handle, failure) from None
            except tweepy.HTTPException as error:
                raise _refusal(handle, what, error) from None
            except requests.RequestException as error:
                if _never_left(error):
                    failure = "no connection could be made"
                elif not safe_to_repeat:
                    raise _unknown(handle, _lost(error)) from None
                else:
                    failure = _lost(error)
            if attempt + 1 < self._attempts:
                self._sleep(self._rng.uniform(0, min(self._cap, self._base * 2**attempt)))
        raise ChannelUnreachable(
            f"X could not be reached for {what} on {handle} "
            f"({failure}; {self._attempts} attempts): try again later"
        )

    def _reset_time(self, response: Any) -> datetime:
        reset = response.headers.get("x-rate-limit-reset")
        try:
            return datetime.fromtimestamp(int(reset), UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            return self._clock() + RATE_LIMIT_FALLBACK


def _never_left(error: requests.RequestException) -> bool:
    """True when the request surely never reached X: the connection itself failed."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(error, requests.exceptions.ConnectionError):
        return False
    cause = error.args[0] if error.args else None
    reason = cause.reason if isinstance(cause, MaxRetryError) else cause
    # NewConnectionError (refused) and NameResolutionError are ConnectTimeoutErrors in urllib3.
    return isinstance(reason, ConnectTimeoutError)


def _lost(error: requests.RequestException) -> str:
    if isinstance(error, requests.exceptions.Timeout):
        return "no answer in time"
    return "the connection was lost"


def _unknown(handle: str, why: str) -> ChannelOutcomeUnknown:
    return ChannelOutcomeUnknown(
        f"the post on {handle} may or may not have been published ({why}): "
        "its recent posts are checked before any retry"
    )


def _refusal(handle: str, what: str, error: Any) -> ChannelError:
    status = error.response.status_code
    messages = [str(message) for message in error.api_messages]
    detail = (messages[0] if messages else str(error.response.reason or "")).strip()[:160]
    if status == 401:
        return ChannelError(
            f"X did not accept the credentials of {handle} ({detail or 'unauthorized'}): "
            f"reconnect with `cmconsole alias connect-x {handle}`"
        )
    if status == 403:
        said = " ".join([*messages, str(error.response.text or "")]).lower()
        if 453 in error.api_codes or any(
            marker in said for marker in ("subset of", "access level", "client-not-enrolled")
        ):
            return ChannelNotAllowed(
                f"the X account's API plan does not include {what} for {handle}: upgrade the "
                "access level of the app in the X developer portal, then try again"
            )
        if "duplicate" in said:
            return ChannelError(
                f"X refused the post on {handle} as duplicate text: it was posted already"
            )
    return ChannelError(f"X refused {what} on {handle} ({status}: {detail or 'no reason given'})")


def _unescaped(text: str) -> str:
    """The text as it was written: X escapes &, < and > (only those) in what it returns, and a
    reconciliation compares it with what was sent."""
    return _X_ESCAPES.sub(lambda found: _X_UNESCAPED[found[1]], text)


def _created_at(post_id: str) -> datetime | None:
    """When X created the post, read from its id; None if the id is not a snowflake."""
    try:
        stamp = (int(post_id) >> 22) + _TWITTER_EPOCH_MS
    except ValueError:
        return None
    return datetime.fromtimestamp(stamp / 1000, UTC) if int(post_id) >> 22 else None


class _TimeoutAdapter(HTTPAdapter):
    """Gives every request a timeout: tweepy's Client sends none, and would wait forever."""

    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        self._timeout = timeout

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        chosen = self._timeout if timeout is None else timeout
        return super().send(request, stream, chosen, verify, cert, proxies)


def _with_timeout(session: requests.Session, timeout: tuple[float, float]) -> None:
    for prefix in ("https://", "http://"):
        session.mount(prefix, _TimeoutAdapter(timeout))


def _client(keys: XKeys, timeout: tuple[float, float]) -> Any:
    client = tweepy.Client(
        consumer_key=keys.consumer_key,
        consumer_secret=keys.consumer_secret,
        access_token=keys.access_token,
        access_token_secret=keys.access_secret,
        return_type=dict,
        wait_on_rate_limit=False,
    )
    _with_timeout(client.session, timeout)
    return client
