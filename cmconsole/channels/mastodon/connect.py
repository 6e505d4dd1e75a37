"""Connecting an alias to its Mastodon account: the OAuth code flow out of band, as X's PIN."""

import random
import time
from collections.abc import Callable
from functools import partial
from urllib.parse import urlsplit

from cmconsole.channels.mastodon.calls import (
    OUT_OF_BAND,
    SCOPES,
    Calls,
    InstanceLimits,
    MastodonAccount,
    client_for,
    read_limits,
    register_app,
    utc_now,
)
from cmconsole.domain.errors import InvalidInput
from cmconsole.logs import register_secret
from cmconsole.services.ports import ChannelError

APP_NAME = "cmconsole"


def instance_url(raw: str) -> str:
    """`https://host` from what was typed (a host, or a URL with https); InvalidInput else."""
    given = raw.strip().rstrip("/")
    parts = urlsplit(given if "//" in given else f"https://{given}")
    if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/"):
        raise InvalidInput(
            f"--instance {raw!r} is not a Mastodon instance: give its address, such as "
            "https://mastodon.social (https only, no path)"
        )
    port = f":{parts.port}" if parts.port else ""
    return f"https://{parts.hostname}{port}"


class MastodonConnection:
    """Registers the app on the instance, gives the sign-in link, exchanges the code the
    instance shows for a token, and says which account a token acts as."""

    def __init__(
        self,
        instance: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.instance = instance_url(instance)
        self._calls = Calls(utc_now, sleep=sleep, rng=rng)
        self._app: tuple[str, str] | None = None

    @property
    def app(self) -> tuple[str, str]:
        """The client id and secret registered on the instance (after `authorization_url`)."""
        if self._app is None:
            raise ChannelError("register the app on the instance before asking for a code")
        return self._app

    def authorization_url(self) -> str:
        """Register the app on the instance; where the account's owner signs in and gets a code."""
        client_id, secret = register_app(self._calls, self.instance, APP_NAME)
        register_secret(secret)
        self._app = (client_id, secret)
        client = client_for(self.instance, None, self._calls, client_id, secret)
        # Mastodon 4.3 states its OAuth endpoints (RFC 8414); older instances use the defaults.
        ask = partial(client.auth_request_url, redirect_uris=OUT_OF_BAND, scopes=SCOPES)
        return str(self._calls.run("the new connection", "asking for a sign-in link", ask, True))

    def exchange_code(self, code: str) -> str:
        """The access token that the code from `authorization_url` stands for."""
        client_id, secret = self.app
        given = code.strip()
        register_secret(given)
        client = client_for(self.instance, None, self._calls, client_id, secret)
        try:
            token = self._calls.run(
                "the new connection",
                "exchanging the code",
                partial(client.log_in, code=given, redirect_uri=OUT_OF_BAND, scopes=SCOPES),
                safe_to_repeat=False,
            )
        except ChannelError as error:
            raise ChannelError(
                f"{error} (a code works once, for a few minutes: run connect-mastodon again)"
            ) from None
        register_secret(str(token))
        return str(token)

    def verify(self, handle: str, token: str) -> MastodonAccount:
        """The account the token acts as (verify_credentials); ChannelError if refused."""
        register_secret(token)
        client = client_for(self.instance, token, self._calls)
        me = self._calls.run(
            handle,
            "checking the account",
            client.account_verify_credentials,
            safe_to_repeat=True,
        )
        return MastodonAccount(str(me["id"]), str(me["username"]), str(me.get("acct") or ""))

    def limits(self, handle: str, token: str) -> InstanceLimits:
        """The instance's length rules, as its instance endpoint states them."""
        return read_limits(self._calls, handle, client_for(self.instance, token, self._calls))
