"""The only code that imports sqlmodel, sqlalchemy and alembic: tables, engine, migrations."""
