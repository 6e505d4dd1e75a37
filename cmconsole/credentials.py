"""Channel credentials: kept in the OS keyring, or, when the user says so, in the environment.

The only importer of keyring. Credentials are never written to the workspace, the audit, a log
or the screen; every secret loaded or stored here is registered with the log redaction.

Environment fallback (only with CMCONSOLE_CREDENTIALS=environment):
  CMCONSOLE_X_CONSUMER_KEY, CMCONSOLE_X_CONSUMER_SECRET     the X app's keys
  CMCONSOLE_X_<HANDLE>_ACCESS_TOKEN, ..._ACCESS_SECRET      each alias's tokens
  CMCONSOLE_X_<HANDLE>_USER_ID                              optional: the account's numeric id
  CMCONSOLE_MASTODON_<HANDLE>_INSTANCE, ..._ACCESS_TOKEN   each Mastodon alias's instance URL
                                                          and user token
  CMCONSOLE_BLUESKY_<HANDLE>_ACCOUNT, ..._APP_PASSWORD         a Bluesky alias's account and
  CMCONSOLE_BLUESKY_<HANDLE>_SERVICE (optional)               app password, and its PDS
where <HANDLE> is the alias's handle without '@', in capitals (@belle_h gives BELLE_H).
"""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors

from cmconsole.domain.errors import CmconsoleError
from cmconsole.logs import register_secret

SERVICE = "cmconsole"
SOURCE_VARIABLE = "CMCONSOLE_CREDENTIALS"
KEYRING, ENVIRONMENT = "keyring", "environment"
CONSUMER_KEY_VARIABLE = "CMCONSOLE_X_CONSUMER_KEY"
CONSUMER_SECRET_VARIABLE = "CMCONSOLE_X_CONSUMER_SECRET"

_APP_ENTRY = "x-app"
_MASTODON_PREFIX = "mastodon:"  # then the handle, as for X's entries
# The lead's Ed25519 key that signs audit checkpoints (cmconsole.checkpoints): kept only here.
_LEDGER_ENTRY = "ledger-signing-key"

NO_KEYRING = (
    "no OS keyring is available to keep the X credentials. On a machine without a desktop "
    "session, run cmconsole inside `dbus-run-session` with gnome-keyring-daemon unlocked, or "
    "install keyrings.cryptfile and set PYTHON_KEYRING_BACKEND="
    "keyrings.cryptfile.cryptfile.CryptFileKeyring, or set CMCONSOLE_CREDENTIALS=environment "
    "and give the CMCONSOLE_X_* variables (see the README)"
)

# Backends that would keep nothing, or keep secrets in a readable file without saying so.
_REFUSED_BACKENDS = {
    "keyring.backends.null.Keyring": "the null keyring keeps nothing",
    "keyrings.alt.file.PlaintextKeyring": "keyrings.alt's PlaintextKeyring keeps them readable",
}


class CredentialsUnavailable(CmconsoleError):
    """The credentials cannot be read or kept here; the message says what to do."""


@dataclass(frozen=True)
class XApp:
    """The X app's consumer key and secret, shared by every alias on this machine."""

    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)


@dataclass(frozen=True)
class XCredentials:
    """Everything needed to act as one X account; repr shows no secret."""

    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_secret: str = field(repr=False)
    user_id: str | None = None
    username: str | None = None


@dataclass(frozen=True)
class MastodonCredentials:
    """Everything needed to act as one Mastodon account; repr shows no secret."""

    instance: str  # https://host
    access_token: str = field(repr=False)
    account_id: str | None = None
    username: str | None = None
    client_id: str = field(default="", repr=False)  # the app registered on the instance
    client_secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class BlueskyCredentials:
    """What acts as one Bluesky account: its app password and the session it opened (tokens);
    repr shows no secret."""

    account: str  # its handle (brand.bsky.social) or DID
    app_password: str = field(repr=False)
    service: str = "https://bsky.social"
    did: str = ""
    session: str = field(default="", repr=False)


def handle_variable(handle: str, what: str) -> str:
    """The environment variable holding `what` (ACCESS_TOKEN, ...) for the alias `handle`."""
    return f"CMCONSOLE_X_{handle.strip().lstrip('@').upper()}_{what}"


def _mastodon_variable(handle: str, what: str) -> str:
    return f"CMCONSOLE_MASTODON_{handle.strip().lstrip('@').upper()}_{what}"


def _entry(handle: str, channel: str = "x") -> str:
    return f"{channel}:" + handle.strip().lstrip("@").lower()


def _bluesky_variable(handle: str, what: str) -> str:
    return f"CMCONSOLE_BLUESKY_{handle.strip().lstrip('@').upper()}_{what}"


class CredentialStore:
    """Reads and keeps X credentials per alias handle, in the OS keyring under `service`, or
    read-only from `environ` when it sets CMCONSOLE_CREDENTIALS=environment."""

    def __init__(self, environ: Mapping[str, str] | None = None, service: str = SERVICE) -> None:
        self._environ = os.environ if environ is None else environ
        self._service = service

    @property
    def source(self) -> str:
        """ "keyring" or "environment"; anything else in CMCONSOLE_CREDENTIALS is refused."""
        chosen = self._environ.get(SOURCE_VARIABLE, KEYRING).strip().lower() or KEYRING
        if chosen not in (KEYRING, ENVIRONMENT):
            raise CredentialsUnavailable(
                f"{SOURCE_VARIABLE} is {chosen!r}: use 'keyring' (the default) or 'environment'"
            )
        return chosen

    def describe(self) -> str:
        """Where credentials are kept, for messages (no secret)."""
        if self.source == ENVIRONMENT:
            return "environment variables"
        backend = self._backend()
        return f"the OS keyring ({type(backend).__module__}.{type(backend).__name__})"

    def x_app(self) -> XApp | None:
        if self.source == ENVIRONMENT:
            key, secret = (
                self._environ.get(n) for n in (CONSUMER_KEY_VARIABLE, CONSUMER_SECRET_VARIABLE)
            )
            return _secret(XApp(key, secret)) if key and secret else None
        stored = self._read(_APP_ENTRY, "the X app")
        if stored is None:
            return None
        return _secret(XApp(stored["consumer_key"], stored["consumer_secret"]))

    def x_credentials(self, handle: str) -> XCredentials | None:
        """The alias's credentials; None if none were kept for it (keyring); in environment mode
        a missing variable is an error naming it."""
        if self.source == ENVIRONMENT:
            return self._from_environment(handle)
        app = self.x_app()
        account = self._read(_entry(handle), handle)
        if app is None or account is None:
            return None
        return _secret(
            XCredentials(
                app.consumer_key,
                app.consumer_secret,
                account["access_token"],
                account["access_secret"],
                account.get("user_id"),
                account.get("username"),
            )
        )

    def save_x_app(self, app: XApp) -> None:
        self._write(
            _APP_ENTRY,
            {"consumer_key": app.consumer_key, "consumer_secret": app.consumer_secret},
            ("consumer_key", "consumer_secret"),
        )

    def save_x_account(
        self, handle: str, access_token: str, access_secret: str, user_id: str, username: str
    ) -> None:
        """Keep the alias's access token and secret, with the account's id and username."""
        self._write(
            _entry(handle),
            {
                "access_token": access_token,
                "access_secret": access_secret,
                "user_id": user_id,
                "username": username,
            },
            ("access_token", "access_secret"),
        )

    def mastodon_credentials(self, handle: str) -> MastodonCredentials | None:
        """The alias's Mastodon instance and token; None if none were kept for it (keyring); in
        environment mode a missing variable is an error naming it."""
        if self.source == ENVIRONMENT:
            names = [_mastodon_variable(handle, what) for what in ("INSTANCE", "ACCESS_TOKEN")]
            instance, token = (self._environ.get(name, "").strip() for name in names)
            given = zip(names, (instance, token), strict=True)
            missing = [name for name, value in given if not value]
            if missing:
                raise CredentialsUnavailable(
                    f"{SOURCE_VARIABLE}=environment, but {', '.join(missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} not set for {handle}"
                )
            register_secret(token)
            return MastodonCredentials(instance, token)
        entry = _entry(handle, "mastodon")
        stored = self._read(entry, handle)
        if stored is None:
            return None
        if not stored.get("instance") or not stored.get("access_token"):
            raise CredentialsUnavailable(
                f"what the OS keyring keeps for {handle} is damaged: "
                "connect again with `cmconsole alias connect-mastodon`"
            )
        for name in ("access_token", "client_secret"):
            register_secret(stored.get(name, ""))
        return MastodonCredentials(
            stored["instance"],
            stored["access_token"],
            stored.get("account_id"),
            stored.get("username"),
            stored.get("client_id", ""),
            stored.get("client_secret", ""),
        )

    def save_mastodon_account(self, handle: str, kept: MastodonCredentials) -> None:
        """Keep the alias's instance, token and app, with the account's id and username."""
        values = {
            "instance": kept.instance,
            "access_token": kept.access_token,
            "account_id": kept.account_id or "",
            "username": kept.username or "",
            "client_id": kept.client_id,
            "client_secret": kept.client_secret,
        }
        secrets = ("access_token", "client_secret") if kept.client_secret else ("access_token",)
        self._write(_entry(handle, "mastodon"), values, secrets, what="the Mastodon token")

    def bluesky_credentials(self, handle: str) -> BlueskyCredentials | None:
        """The alias's Bluesky app password and session; None if none were kept for it."""
        if self.source == ENVIRONMENT:
            names = [_bluesky_variable(handle, what) for what in ("ACCOUNT", "APP_PASSWORD")]
            account, password = (self._environ.get(name, "").strip() for name in names)
            missing = [
                name for name, value in zip(names, (account, password), strict=True) if not value
            ]
            if missing:
                raise CredentialsUnavailable(
                    f"{SOURCE_VARIABLE}=environment, but {' and '.join(missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} not set for {handle}"
                )
            service = self._environ.get(_bluesky_variable(handle, "SERVICE"), "").strip()
            register_secret(password)
            return BlueskyCredentials(account, password, service or "https://bsky.social")
        kept = self._read(_entry(handle, "bluesky"), handle)
        if kept is None:
            return None
        for name in ("app_password", "session"):
            if kept.get(name):
                register_secret(kept[name])
        return BlueskyCredentials(
            kept.get("account", ""),
            kept.get("app_password", ""),
            kept.get("service") or "https://bsky.social",
            kept.get("did", ""),
            kept.get("session", ""),
        )

    def save_bluesky_account(self, handle: str, kept: BlueskyCredentials) -> None:
        """Keep the alias's Bluesky account, app password, DID and session (its tokens)."""
        self._write(
            _entry(handle, "bluesky"),
            {
                "account": kept.account,
                "app_password": kept.app_password,
                "service": kept.service,
                "did": kept.did,
                "session": kept.session,
            },
            ("app_password", "session"),
            what="the Bluesky credentials",
        )

    def save_bluesky_session(self, handle: str, session: str) -> None:
        """Keep the session the channel renewed; nothing to keep with the environment."""
        if self.source == ENVIRONMENT:
            register_secret(session)
            return
        kept = self.bluesky_credentials(handle)
        if kept is not None and kept.session != session:
            self.save_bluesky_account(
                handle,
                BlueskyCredentials(
                    kept.account, kept.app_password, kept.service, kept.did, session
                ),
            )

    def ledger_key(self) -> bytes | None:
        """The private key that signs audit checkpoints, if this keyring keeps one."""
        stored = self._read(_LEDGER_ENTRY, "the audit signing key")
        if stored is None:
            return None
        register_secret(stored["private_key"])
        try:
            key = bytes.fromhex(stored["private_key"])
        except (KeyError, ValueError):
            key = b""
        if len(key) != 32:
            raise CredentialsUnavailable("the audit signing key in the OS keyring is damaged")
        return key

    def save_ledger_key(self, private_key: bytes) -> None:
        """Keep the checkpoint signing key (32 raw bytes) in the OS keyring, never elsewhere:
        the environment cannot hold it."""
        self._write(
            _LEDGER_ENTRY,
            {"private_key": private_key.hex()},
            ("private_key",),
            what="the audit signing key",
            keyring_only=True,
        )

    def _from_environment(self, handle: str) -> XCredentials:
        names = [
            CONSUMER_KEY_VARIABLE,
            CONSUMER_SECRET_VARIABLE,
            handle_variable(handle, "ACCESS_TOKEN"),
            handle_variable(handle, "ACCESS_SECRET"),
        ]
        values = [self._environ.get(name, "").strip() for name in names]
        missing = [name for name, value in zip(names, values, strict=True) if not value]
        if missing:
            raise CredentialsUnavailable(
                f"{SOURCE_VARIABLE}=environment, but {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set for {handle}"
            )
        user_id = self._environ.get(handle_variable(handle, "USER_ID"), "").strip() or None
        key, secret, token, token_secret = values
        return _secret(XCredentials(key, secret, token, token_secret, user_id))

    def _backend(self) -> keyring.backend.KeyringBackend:
        backend = keyring.get_keyring()
        if _is_fail_backend(backend):
            raise CredentialsUnavailable(NO_KEYRING)
        return backend

    def _read(self, entry: str, what: str) -> dict[str, str] | None:
        try:
            raw = self._backend().get_password(self._service, entry)
        except keyring.errors.KeyringError as error:
            raise _unavailable(error) from None
        if raw is None:
            return None
        try:
            stored = json.loads(raw)
            if not isinstance(stored, dict) or not all(isinstance(v, str) for v in stored.values()):
                raise ValueError("not a JSON object of strings")
        except ValueError:
            raise CredentialsUnavailable(
                f"what the OS keyring keeps for {what} is damaged: "
                + (
                    "create it again with `cmconsole audit key create`"
                    if entry == _LEDGER_ENTRY
                    else "connect again with `cmconsole alias connect-mastodon`"
                    if entry.startswith(_MASTODON_PREFIX)
                    else "connect again with `cmconsole alias connect-bluesky`"
                    if entry.startswith("bluesky:")
                    else "connect again with `cmconsole alias connect-x`"
                )
            ) from None
        return stored  # the callers register the secrets among these values

    def _write(
        self,
        entry: str,
        values: dict[str, str],
        secrets: tuple[str, ...],
        what: str = "the X credentials",
        keyring_only: bool = False,
    ) -> None:
        for name in secrets:
            register_secret(values[name])
        if self.source == ENVIRONMENT and not keyring_only:
            raise CredentialsUnavailable(
                f"{SOURCE_VARIABLE}=environment: credentials come from environment variables and "
                "cannot be stored; unset it to keep them in the OS keyring"
            )
        backend = self._backend()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if name in _REFUSED_BACKENDS:
            raise CredentialsUnavailable(
                f"the keyring backend {name} cannot keep {what} "
                f"({_REFUSED_BACKENDS[name]}): {NO_KEYRING}"
            )
        text = json.dumps(values, sort_keys=True)
        try:
            backend.set_password(self._service, entry, text)
            kept = backend.get_password(self._service, entry)
        except keyring.errors.KeyringError as error:
            raise _unavailable(error) from None
        if kept != text:
            raise CredentialsUnavailable(
                f"the keyring backend {name} did not keep {what}: {NO_KEYRING}"
            )


def _is_fail_backend(backend: keyring.backend.KeyringBackend) -> bool:
    """True for keyring's placeholder when it found no backend (every call would raise)."""
    return isinstance(backend, keyring.backends.fail.Keyring)


def _unavailable(error: keyring.errors.KeyringError) -> CredentialsUnavailable:
    if isinstance(error, keyring.errors.NoKeyringError):
        return CredentialsUnavailable(NO_KEYRING)
    if isinstance(error, keyring.errors.KeyringLocked):
        return CredentialsUnavailable("the OS keyring is locked: unlock it, then try again")
    return CredentialsUnavailable(f"the OS keyring failed ({type(error).__name__}): {NO_KEYRING}")


_Found = TypeVar("_Found", XApp, XCredentials)


def _secret(found: _Found) -> _Found:
    """Register the secrets of what was loaded, so that no log line can show them."""
    for value in (found.consumer_key, found.consumer_secret):
        register_secret(value)
    if isinstance(found, XCredentials):
        register_secret(found.access_token)
        register_secret(found.access_secret)
    return found
