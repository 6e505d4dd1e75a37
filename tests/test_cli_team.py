"""The team's commands: the sandbox public, the dispatcher process, and saved replies."""

import pytest

from cmconsole.domain.model import PostStatus, Role
from cmconsole.wiring import open_services
from tests.cli_run import run

PASSPHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CMCONSOLE_DATABASE_URL", raising=False)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'team.db'}"
    services = open_services(url)
    services.accounts.add_alias("@brand", "The Brand")
    services.accounts.add_operator("otto", "Otto Operator", PASSPHRASE)
    services.accounts.grant("otto", "@brand", Role.OPERATOR)
    services.close()
    return url


def test_the_sandbox_public_writes_and_the_dispatcher_fetches_and_publishes(db):
    said = run("sandbox", "mention", "brand", "--from", "fan", "where is my order?", "--db", db)
    assert said.exit_code == 0, said.output
    assert "@fan wrote to @brand" in said.output

    fetched = run("dispatch", "--once", "--db", db)
    assert fetched.exit_code == 0, fetched.output
    assert "@brand: 1 new mention" in fetched.output

    services = open_services(db)
    try:
        otto = services.accounts.sign_in("otto", PASSPHRASE)
        alias = services.accounts.aliases()[0]
        [thread] = services.inbox.threads(otto, alias.id)
        assert thread.thread.last_text == "@brand where is my order?"
        services.shifts.start(otto, alias.id)
        post = services.posting.reply(otto, thread.thread.last_inbound_id, "On its way")
    finally:
        services.close()

    sent = run("dispatch", "--once", "--db", db)
    assert sent.exit_code == 0, sent.output
    assert f"post {post.id}: published as" in sent.output

    services = open_services(db)
    try:
        [published] = services.posting.posts(otto, alias.id)
        assert published.status is PostStatus.PUBLISHED
    finally:
        services.close()


def test_the_sandbox_refuses_an_unknown_alias_with_a_message(db):
    result = run("sandbox", "mention", "nobody", "--from", "fan", "hi", "--db", db)
    assert result.exit_code == 1
    assert "there is no alias nobody" in result.output
    assert "Traceback" not in result.output


def test_saved_replies_are_added_listed_and_removed(db):
    assert run("saved", "add", "@brand", "delay", "We are on it.", "--db", db).exit_code == 0
    listed = run("saved", "list", "brand", "--db", db)
    assert listed.output.splitlines() == ["delay\tWe are on it."]
    assert run("saved", "remove", "@brand", "delay", "--db", db).exit_code == 0
    assert run("saved", "list", "brand", "--db", db).output == ""
    missing = run("saved", "remove", "@brand", "delay", "--db", db)
    assert missing.exit_code == 1 and "no saved reply named 'delay'" in missing.output
