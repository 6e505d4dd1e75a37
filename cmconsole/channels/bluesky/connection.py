"""Signing an alias in to Bluesky with an app password, for `alias connect-bluesky`."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cmconsole.channels.bluesky.calls import Calls, new_client
from cmconsole.logs import register_secret
from cmconsole.services.ports import Clock

SERVICE = "https://bsky.social"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BlueskyAccount:
    """The Bluesky account an app password signs in as."""

    did: str
    handle: str
    session: str  # secret: kept in the keyring only

    def __repr__(self) -> str:
        return f"BlueskyAccount({self.did!r}, {self.handle!r})"


class BlueskyConnection:
    """Signs an alias in to its Bluesky account with an app password (`alias connect-bluesky`)."""

    def __init__(self, service: str = SERVICE, clock: Clock = utc_now) -> None:
        self._service = service
        self._clock = clock

    def sign_in(self, handle: str, account: str, app_password: str) -> BlueskyAccount:
        register_secret(app_password)
        client = new_client(self._service)
        client.on_session_change(lambda _event, session: _register(session))
        Calls(self._clock, 1, lambda _: None, None).run(
            handle,
            "signing in",
            lambda: client.login(account, app_password, fetch_bsky_profile=False),
            safe_to_repeat=True,
        )
        session = client._session  # set by the sign-in above
        assert session is not None
        exported = session.export()
        register_secret(exported)
        return BlueskyAccount(str(session.did), str(session.handle), exported)


def _register(session: Any) -> None:
    for secret in (session.access_jwt, session.refresh_jwt):
        register_secret(secret)
