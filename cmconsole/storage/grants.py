"""The PostgreSQL role a team's consoles connect as: it may work, but not rewrite history."""

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import SQLModel

from cmconsole.domain.errors import InvalidInput
from cmconsole.storage import tables  # noqa: F401  (registers every table in the metadata)
from cmconsole.storage.contact_lifecycle import ERASE_FUNCTION

# What was said and handed over, and what the team noted and rated of a contact, is only ever
# added to: the console role may read and append, never UPDATE, DELETE or TRUNCATE (on the
# ledger and handovers the triggers refuse those too, but an owner can drop them).
APPEND_ONLY = ("audit_event", "handover", "contact_note", "contact_rating")
MIGRATIONS_TABLE = "alembic_version"
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def console_role_sql(url: str, role: str, owner: str, schema: str) -> str:
    """The SQL, for a PostgreSQL workspace at `url`, that creates `role` and grants it what a
    console and a dispatcher need, and no more; `owner` owns the tables and runs migrations."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise InvalidInput(f"{url!r} is not a database URL") from None
    if backend != "postgresql":
        raise InvalidInput(
            f"db grants is for PostgreSQL: on {backend} whoever can open the file can change "
            "it, so keep the file where only the team's machine reads it"
        )
    for what, name in (("role", role), ("owner", owner), ("schema", schema)):
        if not _NAME.fullmatch(name):
            raise InvalidInput(
                f"the {what} name {name!r} must be lower-case letters, digits and _ "
                "(at most 63, not starting with a digit)"
            )
    if role == owner:
        raise InvalidInput("the console role must not be the owner: the owner can change anything")
    names = sorted(SQLModel.metadata.tables)
    work = [name for name in names if name not in APPEND_ONLY]
    lines = [
        f"-- {role}: the role consoles and dispatchers connect as.",
        f"-- Run this as {owner}, who owns the tables, or as a superuser;",
        "-- run it again after each upgrade, for any new table.",
        f"-- Migrations run as {owner} only: after upgrading cmconsole, run any",
        f"-- command once with {owner}'s URL, then let consoles connect as {role}.",
        f"-- Give {role} a password with: \\password {role}",
        "DO $$ BEGIN",
        f'  CREATE ROLE "{role}" LOGIN;',
        "EXCEPTION WHEN duplicate_object THEN NULL;",
        "END $$;",
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}";',
        f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{role}";',
        f'GRANT SELECT ON "{schema}"."{MIGRATIONS_TABLE}" TO "{role}";',
        "-- the working tables: read and changed as people work",
        *(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{schema}"."{t}" TO "{role}";' for t in work),
        "-- the ledger and the handovers: read and appended to, never rewritten",
        *(f'GRANT SELECT, INSERT ON "{schema}"."{t}" TO "{role}";' for t in APPEND_ONLY),
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {_qualified(schema, APPEND_ONLY)} FROM PUBLIC;",
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}";',
        "-- erasure (GDPR art. 17) blanks notes and rating reasons through the owner's function,",
        "-- only for a contact whose erasure the ledger records (migration 0021)",
        f'GRANT EXECUTE ON FUNCTION "{schema}".{ERASE_FUNCTION}(integer) TO "{role}";',
    ]
    return "\n".join(lines) + "\n"


def _qualified(schema: str, names: tuple[str, ...]) -> str:
    return ", ".join(f'"{schema}"."{name}"' for name in names)
