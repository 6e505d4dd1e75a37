"""Runs one request to Bluesky: maps the atproto SDK's and httpx's failures to the ports'
errors, and retries, with backoff and full jitter, those that are safe to repeat."""

import random
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import httpx
from atproto_client import Client
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    LoginRequiredError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.request import Request

from cmconsole.services.ports import (
    ChannelError,
    ChannelOutcomeUnknown,
    ChannelRateLimited,
    ChannelUnreachable,
    Clock,
)

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
ATTEMPTS = 4
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
RATE_LIMIT_FALLBACK = timedelta(minutes=5)  # Bluesky's shortest window, without a reset header
_SESSION_ERRORS = {"ExpiredToken", "InvalidToken", "AuthRequired", "AuthMissing"}

T = TypeVar("T")


class Calls:
    """One alias's (or one sign-in's) requests, with their failures mapped."""

    def __init__(
        self,
        clock: Clock,
        attempts: int,
        sleep: Callable[[float], None],
        rng: random.Random | None,
    ) -> None:
        self._clock = clock
        self._attempts = max(1, attempts)
        self._sleep = sleep
        self._rng = rng or random.Random()

    def run(
        self,
        handle: str,
        what: str,
        request: Callable[[], T],
        safe_to_repeat: bool,
        renew: Callable[[], None] | None = None,
    ) -> T:
        """`request()`, with the failures mapped; `safe_to_repeat` says whether a request that
        left may be sent again. A refused session is renewed once, then the request made again
        (`renew` signs the same client in again, so `request` goes through it)."""
        failure = ""
        renewed = renew is None
        attempt = 0
        while attempt < self._attempts:
            refused = False
            try:
                return request()
            except RateLimitExceededError as error:
                retry_at = error.reset_at or self._clock() + RATE_LIMIT_FALLBACK
                raise ChannelRateLimited(
                    f"Bluesky's rate limit for {what} on {handle} is used up: "
                    f"waiting until {retry_at:%H:%M:%S} UTC",
                    retry_at,
                ) from None
            except (BadRequestError, UnauthorizedError) as error:
                name, message = _xrpc_error(error)
                if what == "signing in":
                    raise _sign_in_refused(handle, name, message) from None
                if name not in _SESSION_ERRORS or renew is None or renewed:
                    raise _refusal(handle, what, error, name, message) from None
                renewed = True
                refused = True
            except LoginRequiredError:
                if renew is None or renewed:
                    raise ChannelError(f"Bluesky did not keep {handle} signed in") from None
                renewed = True
                refused = True
            except NetworkError as error:
                status = error.response.status_code if error.response is not None else None
                if status in (409, 413):
                    name, message = _xrpc_error(error)
                    raise _refusal(handle, what, error, name, message) from None
                if status is None and _never_left(error):
                    failure = "no connection could be made"
                elif not safe_to_repeat:
                    raise _unknown(handle, _lost(error, status)) from None
                else:
                    failure = _lost(error, status)
            except RequestErrorBase as error:
                status = error.response.status_code if error.response is not None else 0
                if status < 500:
                    name, message = _xrpc_error(error)
                    raise _refusal(handle, what, error, name, message) from None
                failure = f"Bluesky answered {status}"
                if not safe_to_repeat:
                    raise _unknown(handle, failure) from None
            except httpx.TransportError:  # what the SDK lets through: a broken answer
                if not safe_to_repeat:
                    raise _unknown(handle, "the connection was lost") from None
                failure = "the connection was lost"
            except AtProtocolError as error:  # an answer the SDK could not read
                if not safe_to_repeat:
                    raise _unknown(handle, "an answer that could not be read") from None
                raise ChannelError(
                    f"Bluesky's answer to {what} on {handle} could not be read "
                    f"({type(error).__name__})"
                ) from None
            if refused:  # outside the handler: a failure to sign in carries no SDK error
                assert renew is not None
                renew()
                continue
            attempt += 1
            if attempt < self._attempts:
                self._sleep(
                    self._rng.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)))
                )
        raise ChannelUnreachable(
            f"Bluesky could not be reached for {what} on {handle} "
            f"({failure}; {self._attempts} attempts): try again later"
        )


def new_client(service: str) -> Client:
    return Client(base_url=service, request=Request(timeout=TIMEOUT))


def _xrpc_error(error: RequestErrorBase) -> tuple[str, str]:
    """The XRPC error name and message of a refusal (the lexicons' `error` and `message`)."""
    content = error.response.content if error.response is not None else None
    if isinstance(content, dict):
        name, message = str(content.get("error") or ""), str(content.get("message") or "")
    else:
        name = str(getattr(content, "error", None) or "")
        message = str(getattr(content, "message", None) or "")
    return name, " ".join(message.split())[:160]


def _never_left(error: NetworkError) -> bool:
    """True when the request surely never reached the PDS: the connection itself failed."""
    return isinstance(error.__cause__, httpx.ConnectError | httpx.ConnectTimeout)


def _lost(error: NetworkError, status: int | None) -> str:
    if status is not None:
        return f"Bluesky answered {status}"
    if isinstance(error.__cause__, httpx.TimeoutException):
        return "no answer in time"
    return "the connection was lost"


def _unknown(handle: str, why: str) -> ChannelOutcomeUnknown:
    return ChannelOutcomeUnknown(
        f"the post on {handle} may or may not have been published ({why}): "
        "its author feed is read before any retry"
    )


def _sign_in_refused(handle: str, name: str, message: str) -> ChannelError:
    if name == "AuthFactorTokenRequired":
        return ChannelError(
            f"Bluesky asks for an email code to sign {handle} in: that happens with the "
            "account's own password; create an app password instead and connect with it"
        )
    if name in ("AccountTakedown", "AccountDeactivated"):
        return ChannelError(f"Bluesky says the account of {handle} is {name[7:].lower()}")
    return ChannelError(
        f"Bluesky refused the app password of {handle} ({name or 'refused'}: it was withdrawn "
        f"or mistyped): create one and run `cmconsole alias connect-bluesky {handle}`"
    )


def _refusal(
    handle: str, what: str, error: RequestErrorBase, name: str, message: str
) -> ChannelError:
    status = error.response.status_code if error.response is not None else 0
    if name in _SESSION_ERRORS or status in (401, 403):
        return ChannelError(
            f"Bluesky did not accept the session of {handle} ({name or status}): "
            f"reconnect with `cmconsole alias connect-bluesky {handle}`"
        )
    detail = f"{name}: {message}" if name and message else name or message or "no reason given"
    return ChannelError(f"Bluesky refused {what} on {handle} ({status}: {detail})")
