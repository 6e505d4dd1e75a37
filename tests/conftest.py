"""Shared fixtures: workspaces on every engine, a controllable clock, a small team to act as."""

import os

# Nothing in the tests may reach a real credential store (set before anything imports keyring).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import keyring
import psycopg
import pytest
from keyring.backend import KeyringBackend

from cmconsole.domain.model import Alias, Role, SignatureKind
from cmconsole.services.bundle import Services
from cmconsole.services.guard import SignedIn
from cmconsole.wiring import open_demo, open_services

POSTGRES_URL = os.environ.get(
    "CMCONSOLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSPHRASE = "correct horse battery"


class FakeClock:
    """A clock the test moves by hand; timestamps stay timezone-aware UTC."""

    def __init__(self, start: datetime = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _postgres_schema_url() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL for one test, dropped afterwards."""
    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        admin = psycopg.connect(plain, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI and cannot be reached: {error}")
        pytest.skip(f"PostgreSQL not reachable ({error}); CI runs these")
    schema = f"cm_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """The URL of an empty workspace database, on each engine in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'workspace.db'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def services(database_url: str, clock: FakeClock) -> Iterator[Services]:
    opened = open_services(database_url, clock=clock)
    yield opened
    opened.close()


@dataclass
class Team:
    """One alias and a lead, two operators and a trainee on it, all signed in."""

    alias: Alias
    lead: SignedIn
    operator: SignedIn
    other: SignedIn
    trainee: SignedIn


def make_team(services: Services, signature: SignatureKind = SignatureKind.NONE) -> Team:
    alias = services.accounts.add_alias("@brand", "The Brand", signature=signature)
    people: dict[str, SignedIn] = {}
    for name, display, role in [
        ("lena", "Lena Lead", Role.LEAD),
        ("otto", "Otto Operator", Role.OPERATOR),
        ("olga", "Olga Other", Role.OPERATOR),
        ("tina", "Tina Trainee", Role.TRAINEE),
    ]:
        # Once lena leads, the workspace is set up: she adds and grants the others.
        services.accounts.add_operator(name, display, PASSPHRASE, by=people.get("lena"))
        services.accounts.grant(name, alias.handle, role, by=people.get("lena"))
        people[name] = services.accounts.sign_in(name, PASSPHRASE)
    return Team(alias, people["lena"], people["otto"], people["olga"], people["tina"])


@pytest.fixture
def team(services: Services) -> Team:
    return make_team(services)


@pytest.fixture
def colleague(database_url: str, clock: FakeClock, team: Team) -> Iterator[Services]:
    """Another console on the same workspace: its own services, engine and connections."""
    opened = open_services(database_url, clock=clock)
    yield opened
    opened.close()


def receive(services: Services, alias: Alias, author: str, text: str) -> int:
    """A member of the public writes to the alias; return the message's inbox id."""
    services.public.mention(author, text)
    services.inbox.sync(alias.id)
    for message in services.inbox.messages(_any_member(services, alias), alias.id):
        if message.text == text:
            return message.id
    raise AssertionError(f"message {text!r} did not reach the inbox")


def _any_member(services: Services, alias: Alias) -> SignedIn:
    operator = services.accounts.operators()[0]
    return SignedIn(operator.id, operator.name)


@pytest.fixture
def demo(tmp_path, clock: FakeClock) -> Iterator[Services]:
    """The demo workspace on SQLite, seeded at the fake clock's time."""
    services, _ = open_demo(f"sqlite:///{tmp_path / 'demo.db'}", clock=clock)
    yield services
    services.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_on_each_engine(request, clock: FakeClock) -> Iterator[Services]:
    """The demo workspace on SQLite, then on PostgreSQL: for the few Pilot tests whose storage
    differs by engine (the rest drive the console on SQLite, to keep the suite short)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("demo")
        return
    for url in _postgres_schema_url():
        services, _ = open_demo(url, clock=clock)
        yield services
        services.close()


class MemoryKeyring(KeyringBackend):
    """A keyring held in a dict: what the OS keyring would keep, and nothing leaves the test."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The OS keyring, replaced by an empty in-memory one for the test."""
    previous = keyring.get_keyring()
    kept = MemoryKeyring()
    keyring.set_keyring(kept)
    yield kept
    keyring.set_keyring(previous)


@pytest.fixture
def snap_compare(snap_compare):
    """The snapshot plugin's compare, with every text cursor held still: a cursor blinks every
    half second, so a snapshot would otherwise catch it on or off by the machine's speed."""

    def compare(app, *, run_before=None, **options):
        async def steady(pilot):
            if run_before is not None:
                await run_before(pilot)
            await hold_cursors_still(pilot)

        return snap_compare(app, run_before=steady, **options)

    return compare


async def hold_cursors_still(pilot) -> None:
    from textual.widgets import Input, TextArea

    for screen in pilot.app.screen_stack:
        for field in screen.query("Input, TextArea"):
            assert isinstance(field, Input | TextArea)
            field.cursor_blink = False
            # A TextArea caches its lines by cursor only while the cursor blinks: a line cached
            # in the blink's off half would be shown again without the cursor.
            field.notify_style_update()
            field.refresh()
    await pilot.pause()
