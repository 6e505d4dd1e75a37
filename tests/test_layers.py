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
    assert not loaded & {
        "textual",
        "sqlmodel",
        "sqlalchemy",
        "alembic",
        "tweepy",
        "mastodon",
        "keyring",
    }


def test_the_command_line_loads_textual_only_when_it_opens_the_console():
    loaded = _loaded_after("import cmconsole.cli")
    assert "textual" not in loaded


def _importers_of(library: str) -> set[str]:
    """The cmconsole modules with an import of `library` anywhere, even inside a function."""
    import ast

    found = set()
    for path in (ROOT / "cmconsole").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            if any(name == library or name.startswith(library + ".") for name in names):
                found.add(module)
    return found


def test_only_the_x_channel_imports_tweepy_and_only_credentials_imports_keyring():
    assert _importers_of("tweepy") == {"cmconsole.channels.x"}
    assert _importers_of("keyring") == {"cmconsole.credentials"}


def test_the_x_channel_and_the_credential_store_load_each_other_library_never():
    assert "keyring" not in _loaded_after("import cmconsole.channels.x")
    assert "tweepy" not in _loaded_after("import cmconsole.credentials")
    assert not _loaded_after("import cmconsole.cli") & {"tweepy", "keyring"}


def test_a_workspace_already_up_to_date_opens_without_loading_alembic(tmp_path):
    opening = "from cmconsole.storage.workspace import open_workspace\nopen_workspace({!r}).close()"
    new = f"sqlite:///{tmp_path / 'workspace.db'}"
    assert "alembic" in _loaded_after(opening.format(new))  # created: migrated
    assert "alembic" not in _loaded_after(opening.format(new))  # at the head already


def test_opening_a_workspace_loads_the_x_channels_libraries_only_when_an_alias_uses_x(tmp_path):
    url = f"sqlite:///{tmp_path / 'workspace.db'}"
    opening = f"from cmconsole.wiring import open_services\nopen_services({url!r}).close()"
    assert not _loaded_after(opening) & {"tweepy", "keyring", "requests"}


def test_only_the_promise_finder_imports_dateparser():
    assert _importers_of("dateparser") == {"cmconsole.domain.promises"}


def test_the_date_parser_is_loaded_only_when_a_promise_is_looked_for():
    assert "dateparser" not in _loaded_after("import cmconsole.services.bundle")


def test_only_the_mastodon_channel_imports_mastodon_py():
    importers = _importers_of("mastodon")
    assert importers and all(name.startswith("cmconsole.channels.mastodon.") for name in importers)


def test_wiring_loads_mastodon_py_only_when_an_alias_uses_it():
    loaded = _loaded_after("import cmconsole.wiring, cmconsole.cli")
    assert "mastodon" not in loaded


def test_only_the_bluesky_channel_imports_atproto_and_it_loads_only_when_used(tmp_path):
    importers = _importers_of("atproto") | _importers_of("atproto_client")
    assert {module.rsplit(".", 1)[0] for module in importers} == {"cmconsole.channels.bluesky"}
    assert "keyring" not in _loaded_after("import cmconsole.channels.bluesky")
    assert not _loaded_after("import cmconsole.credentials") & {"atproto", "httpx"}
    assert not _loaded_after("import cmconsole.cli") & {"atproto", "atproto_client", "httpx"}
    url = f"sqlite:///{tmp_path / 'workspace.db'}"
    opening = f"from cmconsole.wiring import open_services\nopen_services({url!r}).close()"
    assert not _loaded_after(opening) & {"atproto", "atproto_client", "httpx"}
