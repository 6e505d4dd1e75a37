"""Where workspaces live by default: the user's data directory, the demo apart from the real one."""

import os
from pathlib import Path

from platformdirs import user_data_path

from cmconsole.storage.engine import sqlite_url

DATABASE_URL_VARIABLE = "CMCONSOLE_DATABASE_URL"


def data_dir() -> Path:
    return user_data_path("cmconsole", appauthor=False)


def workspace_url(given: str | None) -> str:
    """The URL of the user's workspace: --db, else the environment, else SQLite in the data dir."""
    return given or os.environ.get(DATABASE_URL_VARIABLE) or sqlite_url(data_dir() / "workspace.db")


def demo_url() -> str:
    return sqlite_url(data_dir() / "demo.db")


def demo_file() -> Path:
    return data_dir() / "demo.db"
