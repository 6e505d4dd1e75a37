"""Open a workspace database: connect, apply migrations, and hand out transactions."""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session

from cmconsole.domain.errors import (
    ConcurrentChange,
    InvalidInput,
    WorkspaceMissing,
    WorkspaceUnavailable,
)
from cmconsole.storage.audit import SqlAudit
from cmconsole.storage.contacts import SqlContacts
from cmconsole.storage.desk import SqlDesk, announce, notify_channel
from cmconsole.storage.desk_panes import changed_panes, forget_writes, watch_writes
from cmconsole.storage.desk_signals import ListenedSignals, PolledSignals
from cmconsole.storage.engine import READ_ONLY, create_workspace_engine, safe_url, sqlite_file
from cmconsole.storage.guides import SqlGuides
from cmconsole.storage.handovers import SqlFollowUps, SqlHandovers
from cmconsole.storage.home import SqlHome
from cmconsole.storage.inbound import SqlInbound
from cmconsole.storage.liveness import SqlLiveness
from cmconsole.storage.onboarding import SqlOnboarding
from cmconsole.storage.people import SqlAliases, SqlMemberships, SqlOperators, SqlShifts
from cmconsole.storage.posts import SqlPosts
from cmconsole.storage.reports import SqlReports
from cmconsole.storage.sandbox import SqlSandboxTimeline
from cmconsole.storage.saved_replies import SqlSavedReplies
from cmconsole.storage.search import SqlSearch
from cmconsole.storage.settings import SqlSettings
from cmconsole.storage.threads import SqlClaims, SqlThreads

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision. A workspace already at it opens without loading Alembic, a
# third of a second saved on every command; tests/test_storage.py keeps it equal to the head.
SCHEMA_HEAD = "0027"


class SqlTransaction:
    """The repositories of one unit of work, all on the same session."""

    def __init__(self, session: Session) -> None:
        self.desk = SqlDesk(session)
        self.home = SqlHome(session)
        self.operators = SqlOperators(session)
        self.aliases = SqlAliases(session)
        self.memberships = SqlMemberships(session)
        self.shifts = SqlShifts(session)
        self.inbound = SqlInbound(session)
        self.posts = SqlPosts(session)
        self.audit = SqlAudit(session, self.desk.changed)
        self.handovers = SqlHandovers(session)
        self.follow_ups = SqlFollowUps(session)
        self.guides = SqlGuides(session)
        self.threads = SqlThreads(session)
        self.claims = SqlClaims(session)
        self.saved_replies = SqlSavedReplies(session)
        self.onboarding = SqlOnboarding(session)
        self.settings = SqlSettings(session)
        self.search = SqlSearch(session)
        self.contacts = SqlContacts(session)
        self.reports = SqlReports(session)


class SqlWorkspace:
    """A workspace on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine, location: str) -> None:
        self._engine = engine
        self._location = location
        self._channel: str | None = None  # PostgreSQL: where desk changes are announced
        watch_writes(engine)
        self.sandbox = SqlSandboxTimeline(engine)

    def liveness(self) -> SqlLiveness:
        """A liveness signal for one dispatcher on this workspace."""
        return SqlLiveness(self._engine)

    @property
    def location(self) -> str:
        return self._location

    def transaction(self) -> AbstractContextManager[SqlTransaction]:
        return self._unit(read_only=False)

    def reading(self) -> AbstractContextManager[SqlTransaction]:
        """A transaction that reads one snapshot and takes no write lock: SQLite's deferred
        BEGIN (in WAL mode writers carry on), PostgreSQL's REPEATABLE READ READ ONLY."""
        return self._unit(read_only=True)

    @contextmanager
    def _unit(self, *, read_only: bool) -> Iterator[SqlTransaction]:
        bind = self._engine.execution_options(**{READ_ONLY: True}) if read_only else self._engine
        try:
            with Session(bind, expire_on_commit=False) as session, session.begin():
                if read_only and self._engine.dialect.name == "postgresql":
                    # One snapshot for everything the transaction reads: a row committed
                    # meanwhile, with its audit event, is in all of it or in none.
                    session.execute(
                        text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    )
                if not read_only:
                    forget_writes(session.connection())
                unit = SqlTransaction(session)
                yield unit
                if not read_only:
                    self._count_changes(session, unit)
        except OperationalError as error:
            raise WorkspaceUnavailable(
                f"the workspace database at {self._location} failed: {_first_line(error)}"
            ) from None
        except IntegrityError:
            # Two consoles did the same thing at once (a unique key); nothing was saved.
            raise ConcurrentChange(
                "someone changed the same thing at the same moment; nothing was saved: try again"
            ) from None
        except DataError as error:
            raise InvalidInput(f"the database refused a value: {_first_line(error)}") from None
        except DBAPIError as error:  # a corrupted file: "database disk image is malformed"
            raise WorkspaceUnavailable(
                f"the workspace database at {self._location} failed: {_first_line(error)}"
            ) from None
        except OverflowError:  # the driver's, before the statement reaches the database
            raise InvalidInput("a number too large for the database was given") from None

    def _count_changes(self, session: Session, unit: SqlTransaction) -> None:
        """Bump the desk counters this unit of work touched, in it, just before it commits."""
        panes = changed_panes(session.connection())
        if not unit.desk.touched and not panes:
            return
        bumped = unit.desk.bump(panes)
        if bumped and self._engine.dialect.name == "postgresql":
            if self._channel is None:
                self._channel = notify_channel(session)
            announce(session, self._channel, bumped)

    def _desk_channel(self) -> str:
        if self._channel is None:
            with Session(self._engine) as session:
                self._channel = notify_channel(session)
        return self._channel

    def desk_signals(self) -> PolledSignals:
        """How a console learns that a desk changed (one per console: on PostgreSQL it holds a
        listening connection once waited on)."""
        if self._engine.dialect.name == "postgresql":
            return ListenedSignals(self._engine, self._desk_channel)
        return PolledSignals(self._engine)

    def close(self) -> None:
        self.sandbox.close()
        self._engine.dispose()


def open_workspace(url: str, *, create: bool = True) -> SqlWorkspace:
    """Connect to the workspace at `url` and bring its schema up to date. A SQLite file that does
    not exist is created (with its folders) only if `create`: else WorkspaceMissing."""
    location = safe_url(url)
    file = sqlite_file(url)
    if file is not None:
        _find_or_make_room(file, create)
    engine = create_workspace_engine(url)
    try:
        with engine.begin() as connection:
            if _schema_version(connection) != SCHEMA_HEAD:
                _migrate(connection, location)
    except DBAPIError as error:
        engine.dispose()
        why = _first_line(error)
        if file is not None and file.exists() and why == "unable to open database file":
            why += f" (SQLite writes {file.name}-wal and -shm beside it: is its folder writable?)"
        raise WorkspaceUnavailable(
            f"cannot open the workspace database at {location}: {why}"
        ) from None
    except WorkspaceUnavailable:
        engine.dispose()
        raise
    return SqlWorkspace(engine, location)


def _find_or_make_room(file: Path, create: bool) -> None:
    """Check the workspace file is there, or make its folder if asked to create it."""
    try:
        if file.is_dir():
            raise WorkspaceUnavailable(f"{file} is a folder, not a workspace file")
        if file.exists():
            return
    except OSError as error:
        raise WorkspaceUnavailable(f"cannot reach the workspace at {file}: {_why(error)}") from None
    if not create:
        raise WorkspaceMissing(f"no workspace at {file} (create it with cmconsole init)")
    blocker = next((p for p in file.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise WorkspaceUnavailable(
            f"cannot create the workspace at {file}: {blocker} is a file, not a folder"
        )
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WorkspaceUnavailable(
            f"cannot create the workspace at {file}: {_why(error)}"
        ) from None


def _why(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _schema_version(connection: Connection) -> str | None:
    """The workspace's schema revision; None for a new database (or another program's)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return found[0] if found else None


def _migrate(connection: Connection, location: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    _refuse_foreign_schema(connection, config, location)
    command.upgrade(config, "head")


def _refuse_foreign_schema(connection: Connection, config: "Config", location: str) -> None:
    """Never write our tables into another program's database, nor downgrade a newer one."""
    tables = set(inspect(connection).get_table_names())
    if not tables:
        return
    if "alembic_version" not in tables:
        raise WorkspaceUnavailable(
            f"{location} is not a cmconsole workspace: it has tables but no cmconsole schema"
        )
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    version = MigrationContext.configure(connection).get_current_revision()
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if version is not None and version not in known:
        raise WorkspaceUnavailable(
            f"{location} was written by a newer cmconsole (schema {version}): upgrade cmconsole"
        )


def _first_line(error: DBAPIError) -> str:
    # The driver's own message, without SQLAlchemy's statement and parameters.
    return str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
