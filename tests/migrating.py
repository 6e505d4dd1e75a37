"""Taking a test's workspace down to an older schema and back up, as an upgrade would."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from cmconsole.storage import migrations


def migrate_again(url: str, down_to: str, up_to: str = "head") -> None:
    """Downgrade the workspace at `url` to revision `down_to`, then upgrade it to `up_to`."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(Path(migrations.__file__).parent))
            config.attributes["connection"] = connection
            command.downgrade(config, down_to)
            command.upgrade(config, up_to)
    finally:
        engine.dispose()
