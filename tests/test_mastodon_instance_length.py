"""A Mastodon alias's drafts are held against its own instance's limit (`max_characters`, and
`characters_reserved_per_url` for each link), as connect-mastodon read it; 500 when unknown.

The instance stub's body follows docs.joinmastodon.org (methods/instance, GET /api/v2/instance:
the Instance entity's configuration.statuses.max_characters and characters_reserved_per_url)."""

import json

import pytest
import responses

from cmconsole.domain.channel_length import graphemes
from cmconsole.domain.channel_limits import PostLimits
from cmconsole.domain.guide import GuideError
from cmconsole.domain.model import Role
from cmconsole.services.posting import DraftRefused
from tests.cli_run import keep_private
from tests.cli_run import run_clean as run
from tests.conftest import PASSPHRASE
from tests.mastodon_stubs import API, INSTANCE, account, instance_v2

GUIDE = """\
name = "La Marque"
language = "fr"

[prose]
"Notre ton" = "Chaleureux, bref quand il le faut."
"""


def french_draft(length: int = 600) -> str:
    """French with accents, a flag, a skin tone and a joined emoji: `length` grapheme clusters,
    more code points than that."""
    piece = "Déjà là, ça arrive très vite 🇫🇷👍🏽👩‍💻 ! "
    text = piece * (length // graphemes(piece))
    text += "é" * (length - graphemes(text))
    assert graphemes(text) == length and len(text) > length
    return text


def _lead_on(services, *handles):
    services.accounts.add_operator("lena", "Lena Lead", PASSPHRASE)
    first, *others = handles
    services.accounts.grant("lena", first, Role.LEAD)  # the workspace is set up from here
    lena = services.accounts.sign_in("lena", PASSPHRASE)
    for handle in others:
        services.accounts.grant("lena", handle, Role.LEAD, by=lena)
    return lena


def test_a_draft_is_held_against_the_limit_its_instance_stated_and_500_when_unknown(services):
    big = services.accounts.add_alias("@grande", "Grande", language="fr", channel="mastodon")
    small = services.accounts.add_alias("@petite", "Petite", language="fr", channel="mastodon")
    never = services.accounts.add_alias("@jamais", "Jamais", language="fr", channel="mastodon")
    lena = _lead_on(services, "@grande", "@petite", "@jamais")
    services.accounts.record_channel_connected(
        "@grande", "mastodon", "1", "@grande@masto.example", limits=PostLimits(1000, 23), by=lena
    )
    services.accounts.record_channel_connected(
        "@petite", "mastodon", "2", "@petite@other.example", limits=PostLimits(500, 23), by=lena
    )

    assert services.guides.limits_for_checking(lena, big.id) == PostLimits(1000, 23)
    assert services.guides.limits_for_checking(lena, never.id) is None
    post = services.announcements.announce(lena, big.id, french_draft())
    assert post.text == french_draft()
    for alias in (small, never):
        with pytest.raises(DraftRefused, match="over the limit of 500"):
            services.announcements.announce(lena, alias.id, french_draft())


def test_each_link_counts_what_the_instance_reserves_for_it(services):
    alias = services.accounts.add_alias("@liens", "Liens", language="fr", channel="mastodon")
    lena = _lead_on(services, "@liens")
    services.accounts.record_channel_connected(
        "@liens", "mastodon", "1", "@liens@masto.example", limits=PostLimits(100, 90), by=lena
    )
    with pytest.raises(DraftRefused, match="over the limit of 100"):
        services.announcements.announce(lena, alias.id, "Voir https://a.fr/x et 🇫🇷 https://b.fr")
    services.announcements.announce(lena, alias.id, "Voir https://exemple.fr/un/long/chemin 🇫🇷")


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    keep_private(tmp_path, monkeypatch)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run("init", "--db", url).exit_code == 0
    guide = tmp_path / "guide.toml"
    guide.write_text(GUIDE, encoding="utf-8")
    for handle in ("@grande", "@petite"):
        added = run("alias", "add", handle, "--name", handle, "--channel", "mastodon", "--db", url)
        assert added.exit_code == 0, added.output
        imported = run("guide", "import", handle, str(guide), "--db", url)
        assert imported.exit_code == 0, imported.output
    return url


def _connect(db, handle, max_characters):
    username = handle.lstrip("@")
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        api.get(f"{API}/accounts/verify_credentials", json=account("1093", username, username))
        api.get(f"{INSTANCE}/api/v2/instance/", json=instance_v2(max_characters))
        result = run(
            "alias", "connect-mastodon", handle, "--instance", INSTANCE, "--access-token",
            "--db", db, input="token-1\n",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"allows {max_characters} characters" in result.output


def _checked(db, *args):
    draft = json.dumps(french_draft())
    result = run("check", "--channel", "mastodon", "--json", *args, "--db", db, draft)
    [line] = [json.loads(line) for line in result.stdout.splitlines()]
    return result.exit_code, (line["weighted_length"], line["limit"], line["length_ok"])


def test_check_holds_a_mastodon_draft_against_the_aliass_instance(cli_db, memory_keyring):
    _connect(cli_db, "@grande", 1000)
    _connect(cli_db, "@petite", 500)
    assert _checked(cli_db, "--alias", "@grande") == (0, (600, 1000, True))
    assert _checked(cli_db, "--alias", "@petite") == (1, (600, 500, False))
    assert _checked(cli_db) == (1, (600, 500, False))  # no alias: Mastodon's default
    # Another channel's count knows nothing of the instance.
    result = run("check", "--channel", "bluesky", "--json", "--alias", "@grande", "--db", cli_db,
                 json.dumps(french_draft()))  # fmt: skip
    assert json.loads(result.stdout)["limit"] == 300


def test_a_guide_may_give_mastodon_a_length_up_to_the_instances_limit(services):
    big = services.accounts.add_alias("@grande", "Grande", language="fr", channel="mastodon")
    never = services.accounts.add_alias("@jamais", "Jamais", language="fr", channel="mastodon")
    lena = _lead_on(services, "@grande", "@jamais")
    services.accounts.record_channel_connected(
        "@grande", "mastodon", "1", "@grande@masto.example", limits=PostLimits(1000, 23), by=lena
    )
    guide = GUIDE + "\n[lengths]\nmastodon = 800\n"
    services.guides.save(lena, big.id, guide, "800 on our instance")
    with pytest.raises(GuideError, match="'mastodon' must be between 1 and 500, not 800"):
        services.guides.save(lena, never.id, guide, "800 where 500 is the limit")

    services.guides.acknowledge(lena, big.id, 1)
    services.announcements.announce(lena, big.id, french_draft(600))
    with pytest.raises(DraftRefused, match="over the limit of 800"):
        services.announcements.announce(lena, big.id, french_draft(900))
    # The instance lowers its limit and the alias is connected again: the lower one holds.
    services.accounts.record_channel_connected(
        "@grande", "mastodon", "1", "@grande@masto.example", limits=PostLimits(500, 23), by=lena
    )
    with pytest.raises(DraftRefused, match="over the limit of 500"):
        services.announcements.announce(lena, big.id, french_draft(600))


def test_an_instance_stating_an_absurd_limit_is_held_to_what_a_guide_can_keep(services):
    """A hostile or broken instance may state any number: the alias's guide stays readable (a
    saved guide is read again under a 100,000 ceiling), and a link weighs at most a whole post."""
    huge = services.accounts.add_alias("@huge", "Huge", language="fr", channel="mastodon")
    lena = _lead_on(services, "@huge")
    services.accounts.record_channel_connected(
        "@huge",
        "mastodon",
        "1",
        "@huge@masto.example",
        limits=PostLimits(10**9, 10**9),
        by=lena,
    )
    with pytest.raises(GuideError, match="'mastodon' must be between 1 and 100000"):
        services.guides.save(lena, huge.id, GUIDE + "\n[lengths]\nmastodon = 150000\n", "big")
    services.guides.save(lena, huge.id, GUIDE + "\n[lengths]\nmastodon = 100000\n", "ceiling")
    services.guides.acknowledge(lena, huge.id, 1)
    assert services.guides.current(lena, huge.id).version.version == 1

    services.announcements.announce(lena, huge.id, french_draft(100_000))
    with pytest.raises(DraftRefused, match="over the limit of 100000"):
        services.announcements.announce(lena, huge.id, french_draft(100_001))
    with pytest.raises(DraftRefused, match="15 over the limit of 100000"):
        services.announcements.announce(lena, huge.id, "Nos horaires : https://example.org/h")
