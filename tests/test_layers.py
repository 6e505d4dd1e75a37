"""The layers hold: import contracts, and headless modules that load no framework."""

import subprocess
import sys
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def _loaded_after(statement: str) -> set[str]:
    probe = f"{statement}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return {name.split(".")[0] for name in done.stdout.split()}


def test_the_import_contracts_in_pyproject_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True) == 0


def test_domain_and_services_load_no_framework_database_or_network_library():
    loaded = _loaded_after(
        "import cmconsole.domain.model, cmconsole.domain.passphrase, cmconsole.domain.display\n"
        "import cmconsole.services.bundle, cmconsole.services.posting, cmconsole.services.audit"
    )
    assert not loaded & {"textual", "sqlmodel", "sqlalchemy", "alembic", "tweepy", "keyring"}


def test_the_command_line_loads_textual_only_when_it_opens_the_console():
    loaded = _loaded_after("import cmconsole.cli")
    assert "textual" not in loaded
