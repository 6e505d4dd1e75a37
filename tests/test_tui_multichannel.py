"""One alias on several channels in the console: a sandbox alias also on Bluesky (atproto with
its HTTP stubbed, synced by the console's own pump). Each reply is checked as the channel of the
message it answers counts, and the speaker line says where it goes."""

from datetime import UTC, datetime

import httpx
import pytest
import respx
from textual.widgets import DataTable, Static

from cmconsole.credentials import BlueskyCredentials, CredentialStore
from cmconsole.domain.model import Role
from cmconsole.tui.app import CmconsoleApp
from cmconsole.tui.screens.thread import ThreadScreen
from cmconsole.wiring import open_services
from tests import bluesky_stubs as bs
from tests.conftest import PASSPHRASE, FakeClock
from tests.pilot import open_alias, open_message, settle, sign_in, until

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
SIZE = (120, 40)
BLUESKY_TEXT = "Vos éclairs au café sont-ils sans gluten ?"
SANDBOX_TEXT = "Où est ma commande n°4512 ?"


@pytest.fixture
def both(tmp_path, memory_keyring):
    """@bellehelene speaks on the sandbox and on Bluesky; a fan writes on each."""
    CredentialStore(environ={}).save_bluesky_account(
        "@bellehelene",
        BlueskyCredentials("brand.bsky.social", bs.APP_PASSWORD, bs.PDS, bs.BRAND_DID),
    )
    clock = FakeClock(NOW)
    services = open_services(f"sqlite:///{tmp_path / 'workspace.db'}", clock=clock)
    services.accounts.add_alias("@bellehelene", "Belle Hélène", language="fr")
    services.accounts.record_channel_connected(
        "@bellehelene", "bluesky", bs.BRAND_DID, "@brand.bsky.social"
    )
    services.accounts.add_operator("anna", "Anna Martin", PASSPHRASE)
    services.accounts.grant("anna", "@bellehelene", Role.OPERATOR)
    services.public.mention("@paul", f"@bellehelene {SANDBOX_TEXT}")
    fan = bs.author(bs.FAN_DID, "lucie.bsky.social", "Lucie")
    mention = bs.notification(
        f"at://{bs.FAN_DID}/app.bsky.feed.post/3kmention0001",
        "mention",
        f"@brand.bsky.social {BLUESKY_TEXT}",
        "2026-12-07T09:12:00.000Z",
        fan,
    )
    app = CmconsoleApp(services, demo=True, clock=clock, public_every=None)
    with respx.mock(base_url=bs.XRPC, assert_all_called=False) as api:
        api.post("/com.atproto.server.createSession").respond(
            json=bs.session_body(bs.jwt(bs.BRAND_DID, "a"), bs.jwt(bs.BRAND_DID, "r"))
        )
        api.get("/app.bsky.notification.listNotifications").mock(
            return_value=httpx.Response(200, json={"notifications": [mention]})
        )
        api.get("/app.bsky.feed.getAuthorFeed").respond(json={"feed": []})
        api.get("/com.atproto.repo.listRecords").respond(json={"records": []})
        yield app
    services.close()


async def _inbox(pilot):
    await sign_in(pilot, "anna", PASSPHRASE)
    await open_alias(pilot, "@bellehelene")
    table = pilot.app.screen.query_one("#inbox-table", DataTable)
    await until(pilot, lambda: table.row_count == 2, what="a thread from each channel")
    await settle(pilot)
    pilot.app.clear_notifications()
    return table


async def _thread_shown(pilot, containing: str) -> tuple[str, str]:
    """Open the thread; the speaker line and the draft's counter once the guide is loaded."""
    await open_message(pilot, containing)
    thread = pilot.app.screen
    assert isinstance(thread, ThreadScreen)
    await pilot.press("h", "i")
    counter = thread.query_one("#draft-length", Static)
    await until(pilot, lambda: "/" in str(counter.render()), what="the draft checked")
    speaker = str(thread.query_one("#speaking-as", Static).render())
    return speaker, str(counter.render())


async def test_a_reply_is_checked_and_shown_as_the_channel_of_the_message_it_answers(both):
    async with both.run_test(size=SIZE) as pilot:
        await _inbox(pilot)
        speaker, counter = await _thread_shown(pilot, "éclairs")
        assert "bluesky" in speaker and "sandbox" not in speaker
        assert counter.endswith("/300")
        await pilot.press("escape")
        await settle(pilot)
        speaker, counter = await _thread_shown(pilot, "n°4512")
        assert "sandbox" in speaker and "bluesky" not in speaker
        assert counter.endswith("/280")


def _rows(table: DataTable) -> list[str]:
    return [" ".join(str(c) for c in table.get_row_at(r)) for r in range(table.row_count)]


async def test_the_inbox_names_each_threads_channel_and_c_narrows_to_one(both):
    async with both.run_test(size=SIZE) as pilot:
        table = await _inbox(pilot)
        header = [str(c.label) for c in table.columns.values()]
        assert "on" in header
        rows = _rows(table)
        assert any("bluesky" in r and "éclairs" in r for r in rows)
        assert any("sandbox" in r and "n°4512" in r for r in rows)
        line = pilot.app.screen.query_one("#inbox-filter", Static)
        for channel, only in (("sandbox", "n°4512"), ("bluesky", "éclairs")):
            await pilot.press("C")
            await until(pilot, lambda: table.row_count == 1, what=f"the {channel} thread only")
            assert only in _rows(table)[0]
            assert f"on {channel} only" in str(line.render())
        await pilot.press("C")
        await until(pilot, lambda: table.row_count == 2, what="every channel's threads again")
        assert "only" not in str(line.render())
