"""Length per channel, counted as each channel counts: Mastodon's StatusLengthValidator
(app/validators/status_length_validator.rb: the content warning joined to the text, counted in
grapheme clusters, each URL found with its scheme as 23 `x`, each mention `@user@domain` as
`@user`) and Bluesky's post lexicon (app.bsky.feed.post: text maxGraphemes 300, maxLength 3000)."""

import json

import pytest
from click.testing import CliRunner

from cmconsole.cli import main
from cmconsole.domain.channel_length import bluesky_measure, graphemes, mastodon_measure
from cmconsole.domain.checker import check, published_text
from cmconsole.domain.guide import GuideError, parse_guide

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # one grapheme, five code points
FLAG = "\U0001f1eb\U0001f1f7"  # 🇫🇷: one grapheme, two code points


def test_graphemes_count_what_a_reader_sees() -> None:
    assert graphemes("e\u0301") == 1  # e + combining acute
    assert graphemes(FAMILY + FLAG + "ok") == 4


def test_mastodon_counts_each_url_as_23_whatever_its_length() -> None:
    short, long = "voir https://a.fr/x", "voir https://example.com/" + "a" * 200
    assert mastodon_measure(short).weighted_length == 5 + 23
    assert mastodon_measure(long).weighted_length == 5 + 23


def test_mastodon_counts_a_url_without_a_scheme_as_its_characters() -> None:
    assert mastodon_measure("voir example.com").weighted_length == len("voir example.com")


def test_mastodon_counts_a_remote_mention_as_the_username_alone() -> None:
    assert mastodon_measure("@marie@pastry.social merci").weighted_length == len("@marie merci")
    assert mastodon_measure("@marie merci").weighted_length == len("@marie merci")
    # An address in the middle of a word is no mention.
    assert mastodon_measure("a@marie@x.fr").weighted_length == len("a@marie@x.fr")


def test_mastodon_counts_the_content_warning_too() -> None:
    plain = mastodon_measure("la suite", 500, "")
    warned = mastodon_measure("la suite", 500, "spoiler")
    assert warned.weighted_length == plain.weighted_length + len("spoiler")


def test_mastodon_overflow_starts_at_the_first_grapheme_past_500() -> None:
    text = "é" * 499 + FAMILY + "x"
    measured = mastodon_measure(text)
    assert measured.weighted_length == 501
    assert measured.overflow_at == 499 + len(FAMILY)
    assert not measured.valid
    assert mastodon_measure(text[:-1]).valid


def test_mastodon_url_fits_whole_or_not_at_all() -> None:
    text = "a" * 480 + " https://example.com/long/path"
    measured = mastodon_measure(text)
    assert measured.weighted_length == 481 + 23
    assert measured.overflow_at == 481


def test_bluesky_counts_graphemes_against_300() -> None:
    text = (FAMILY + FLAG + "é") * 100  # 300 graphemes, 800 code points
    assert bluesky_measure(text).weighted_length == 300
    assert bluesky_measure(text).valid
    longer = text + "!"
    assert bluesky_measure(longer).overflow_at == len(text)


def test_bluesky_refuses_more_than_3000_bytes_even_under_300_graphemes() -> None:
    text = FAMILY * 200  # 200 graphemes of 18 bytes: 3600 bytes
    measured = bluesky_measure(text)
    assert measured.weighted_length == 200
    assert not measured.valid


# 59 code points: 55 letters, spaces and signs, 🥐, ☕ and 🇫🇷 (two regional indicators).
FRENCH = "Merci Marie ! Nos éclairs au café 🥐☕ reviennent vendredi 🇫🇷"


@pytest.mark.parametrize(
    ("channel", "limit", "length"),
    [
        ("x", 280, 55 + 2 * 3),  # X: each emoji weighs 2, accented Latin letters 1
        ("mastodon", 500, 55 + 3),  # one grapheme each
        ("bluesky", 300, 55 + 3),
    ],
)
def test_the_checker_counts_french_with_emoji_as_each_channel_does(
    channel: str, limit: int, length: int
) -> None:
    result = check(FRENCH, None, channel=channel)
    assert (result.limit, result.weighted_length) == (limit, length)


def test_a_guide_sets_a_length_per_channel() -> None:
    guide = parse_guide('name = "B"\n[prose]\nvoice = "v"\n[lengths]\nbluesky = 200\n', "g.toml")
    assert check("x" * 201, guide, channel="bluesky").length_ok is False
    assert check("x" * 201, guide, channel="mastodon").length_ok is True
    assert check("x" * 281, guide, channel="x").length_ok is False


def test_a_guide_length_caps_every_channel_and_the_signature_counts_everywhere() -> None:
    source = 'name = "B"\nlength = 250\n[signature]\npolicy = "fixed"\ntext = "Belle"\n'
    guide = parse_guide(source + '[prose]\nvoice = "v"\n', "g.toml")
    signature = len(published_text("y", guide, "")) - 1  # ASCII: the same count everywhere
    body = "y" * (251 - signature)
    for channel in ("x", "mastodon", "bluesky"):
        result = check(body, guide, channel=channel)
        assert (result.limit, result.published_length, result.length_ok) == (250, 251, False)


def test_a_guide_length_beyond_the_channel_names_the_file_and_line() -> None:
    with pytest.raises(GuideError) as caught:
        parse_guide('name = "B"\n\n[lengths]\nbluesky = 301\n', "belle.toml")
    assert (
        str(caught.value)
        == "belle.toml, line 4: [lengths]: 'bluesky' must be between 1 and 300, not 301"
    )


def test_the_cli_checks_against_the_channel_it_is_given() -> None:
    text = "@marie@pastry.social " + "é" * 493  # Mastodon: 6 + 1 + 493 = 500
    runner = CliRunner()
    results = {}
    for channel in ("x", "mastodon", "bluesky"):
        out = runner.invoke(main, ["check", "--json", "--channel", channel, json.dumps(text)])
        results[channel] = json.loads(out.output)
        assert out.exit_code == (0 if channel == "mastodon" else 1)
    assert results["mastodon"]["weighted_length"] == 500
    assert results["mastodon"]["limit"] == 500
    assert results["mastodon"]["length_ok"] is True
    assert results["bluesky"]["weighted_length"] == graphemes(text)
    assert results["bluesky"]["limit"] == 300
    assert results["x"]["limit"] == 280


def test_the_cli_refuses_an_unknown_channel_in_one_line() -> None:
    out = CliRunner().invoke(main, ["check", "--channel", "myspace", "hello"])
    assert out.exit_code == 2
    assert "Invalid value for '--channel'" in out.output
    assert "Traceback" not in out.output
