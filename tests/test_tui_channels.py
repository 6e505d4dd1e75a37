"""How an alias on Mastodon and one on Bluesky look in the console: the real channel clients
(Mastodon.py, atproto) with their HTTP stubbed, synced by the console's own pump. The snapshots
are the README's pictures of both channels."""

from datetime import UTC, datetime

import httpx
import pytest
import responses
import respx
from textual.widgets import DataTable

from cmconsole.credentials import BlueskyCredentials, CredentialStore, MastodonCredentials
from cmconsole.domain.model import Role
from cmconsole.tui.app import CmconsoleApp
from cmconsole.tui.screens.alias_home import AliasScreen
from cmconsole.tui.screens.thread import ThreadScreen
from cmconsole.wiring import open_services
from tests import bluesky_stubs as bs
from tests import mastodon_stubs as ms
from tests.conftest import PASSPHRASE, FakeClock
from tests.pilot import cells, open_alias, open_message, settle, sign_in, until

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
SIZE = (120, 40)

# Two fans write to the alias on each channel: one in public, one in private where the channel
# has private messages (Mastodon's `direct` visibility; Bluesky's mentions are all public).
CAMILLE = ms.account("2002", "camille", "camille@piaille.example", "Camille B.")
PUBLIC_TEXT = "Vos éclairs au café sont-ils sans gluten ? 🥐"
PRIVATE_TEXT = "Ma commande n°4512 est arrivée écrasée ; je vous donne mon adresse ici."


def _console(tmp_path, channel: str):
    """A workspace with one alias on `channel`, Anna its operator, seen at NOW."""
    clock = FakeClock(NOW)
    services = open_services(f"sqlite:///{tmp_path / 'workspace.db'}", clock=clock)
    services.accounts.add_alias("@bellehelene", "Belle Hélène", language="fr", channel=channel)
    services.accounts.add_operator("anna", "Anna Martin", PASSPHRASE)
    services.accounts.grant("anna", "@bellehelene", Role.OPERATOR)
    return services, CmconsoleApp(services, demo=True, clock=clock, public_every=None)


@pytest.fixture
def mastodon(tmp_path, memory_keyring):
    CredentialStore(environ={}).save_mastodon_account(
        "@bellehelene",
        MastodonCredentials(ms.INSTANCE, "token", ms.ACCOUNT_ID, "brand", "cid", "secret"),
    )
    services, app = _console(tmp_path, "mastodon")
    public = ms.fan_mention("1101", PUBLIC_TEXT, "2026-12-07T09:12:00.000Z")
    private = ms.status(
        "1102",
        f"<p>{ms.mention_link({'url': f'{ms.INSTANCE}/@brand', 'username': 'brand'})} "
        f"{PRIVATE_TEXT}</p>",
        CAMILLE,
        "2026-12-07T09:20:00.000Z",
        visibility="direct",
        mentions=[ms.mention_of_brand()],
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.get(
            f"{ms.API}/notifications",
            json=[ms.notification("1104", private), ms.notification("1103", public)],
        )
        api.get(f"{ms.API}/accounts/{ms.ACCOUNT_ID}/statuses", json=[])
        api.get(f"{ms.INSTANCE}/api/v2/instance", json=ms.instance_v2())
        yield app
    services.close()


@pytest.fixture
def bluesky(tmp_path, memory_keyring):
    CredentialStore(environ={}).save_bluesky_account(
        "@bellehelene",
        BlueskyCredentials("brand.bsky.social", bs.APP_PASSWORD, bs.PDS, bs.BRAND_DID),
    )
    services, app = _console(tmp_path, "bluesky")
    fan = bs.author(bs.FAN_DID, "lucie.bsky.social", "Lucie")
    mention = bs.notification(
        f"at://{bs.FAN_DID}/app.bsky.feed.post/3kmention0001",
        "mention",
        f"@brand.bsky.social {PUBLIC_TEXT}",
        "2026-12-07T09:12:00.000Z",
        fan,
    )
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


async def _inbox(pilot, rows: int):
    await sign_in(pilot, "anna", PASSPHRASE)
    await open_alias(pilot, "@bellehelene")
    table = pilot.app.screen.query_one("#inbox-table", DataTable)
    await until(pilot, lambda: table.row_count == rows, what=f"{rows} synced message(s)")
    await settle(pilot)
    pilot.app.clear_notifications()
    await settle(pilot)
    return table


async def test_a_mastodon_alias_shows_its_fans_with_their_instance_and_the_private_one(mastodon):
    async with mastodon.run_test(size=SIZE) as pilot:
        table = await _inbox(pilot, 2)
        shown = [" ".join(row) for row in cells(table)]
        # A fediverse handle is long: the column cuts the instance, never the message count.
        assert any(r.startswith("NEW 10m @camille@piai… (1)  private: ") for r in shown)
        assert any("@anna@other.e… (1)" in r and "private: " not in r for r in shown)

        await open_message(pilot, "n°4512")
        thread = pilot.app.screen
        assert isinstance(thread, ThreadScreen)
        await settle(pilot)
        text = " ".join(str(w.render()) for w in thread.query("Static"))
        assert "mastodon" in text and "private message: the reply stays private" in text


async def test_a_bluesky_alias_shows_its_fans_by_their_bluesky_handles(bluesky):
    async with bluesky.run_test(size=SIZE) as pilot:
        table = await _inbox(pilot, 1)
        [row] = [" ".join(row) for row in cells(table)]
        assert "@lucie.bsky.s… (1)" in row and "sans gluten" in row
        assert "private: " not in row


def test_mastodon_inbox(snap_compare, mastodon):
    async def shown(pilot):
        await _inbox(pilot, 2)

    assert snap_compare(mastodon, terminal_size=SIZE, run_before=shown)


def test_mastodon_private_thread(snap_compare, mastodon):
    async def shown(pilot):
        await _inbox(pilot, 2)
        await open_message(pilot, "n°4512")
        await until(pilot, lambda: isinstance(pilot.app.screen, ThreadScreen), what="thread")
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(mastodon, terminal_size=SIZE, run_before=shown)


def test_bluesky_inbox(snap_compare, bluesky):
    async def shown(pilot):
        await _inbox(pilot, 1)
        assert isinstance(pilot.app.screen, AliasScreen)

    assert snap_compare(bluesky, terminal_size=SIZE, run_before=shown)
