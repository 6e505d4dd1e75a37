"""Calls to a Mastodon instance through Mastodon.py: timeouts, retries, and its failures as the
ports' errors (the only place, with the channel and the connection beside it, that imports it)."""

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

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

from cmconsole.channels.mastodon.text import lost, never_left, unknown, when
from cmconsole.services.ports import (
    ChannelError,
    ChannelRateLimited,
    ChannelUnreachable,
    Clock,
)

TIMEOUT = (5.0, 20.0)  # seconds to connect, seconds to wait for each read
ATTEMPTS = 4
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
RATE_LIMIT_FALLBACK = timedelta(minutes=5)  # Mastodon's windows are 5 minutes long
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_URL_LENGTH = 23
# Read the alias's account and notifications, read and write statuses: nothing more.
SCOPES = ["read:accounts", "read:notifications", "read:statuses", "write:statuses"]
OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"

T = TypeVar("T")


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


class Gone(ChannelError):
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
    except Gone:
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
        return Gone(f"Mastodon found nothing for {what} on {handle} ({said or 'not found'})")
    return ChannelError(
        f"Mastodon refused {what} on {handle} ({status}: {said or 'no reason given'})"
    )
