"""The plain-Python core: passphrases, names, signatures, safe display, the audit hash."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cmconsole.domain import names
from cmconsole.domain.audit_chain import GENESIS_HASH, event_hash
from cmconsole.domain.display import one_line, printable
from cmconsole.domain.errors import InvalidInput
from cmconsole.domain.model import Alias, Operator, SignatureKind
from cmconsole.domain.passphrase import check_strength, hash_passphrase, verify_passphrase
from cmconsole.domain.signature import initials_of, signed_text


def test_a_passphrase_is_stored_only_as_a_salted_scrypt_hash():
    stored = hash_passphrase("correct horse battery")
    assert stored.startswith("scrypt$")
    assert "correct horse battery" not in stored
    assert stored != hash_passphrase("correct horse battery")  # salted
    assert verify_passphrase("correct horse battery", stored)
    assert not verify_passphrase("correct horse batterY", stored)


@pytest.mark.parametrize("stored", ["", "plain", "scrypt$x$8$1$AA==$AA==", "md5$1$2$3$4$5"])
def test_a_malformed_hash_never_matches(stored):
    assert not verify_passphrase("anything", stored)


def test_short_passphrases_are_refused():
    assert check_strength("short") is not None
    assert check_strength("long enough") is None


@pytest.mark.parametrize("raw", ["", "a", "Has Space", "9lives", "x" * 40])
def test_bad_login_names_are_refused_with_the_reason(raw):
    with pytest.raises(InvalidInput, match="not valid"):
        names.login_name(raw)


def test_handles_get_their_at_sign():
    assert names.handle("bellehelene") == "@bellehelene"
    assert names.handle("@acme_help") == "@acme_help"
    with pytest.raises(InvalidInput):
        names.handle("@far_too_long_for_x")


def _alias(kind: SignatureKind, text: str = "") -> Alias:
    return Alias(1, "@a", "A", "en", "sandbox", kind, text)


def test_signature_policy_is_applied_at_send_time():
    anna = Operator(1, "anna", "Anna Bell", "AB", True)
    assert signed_text(" Hello ", _alias(SignatureKind.NONE), anna) == "Hello"
    assert signed_text("Hello", _alias(SignatureKind.INITIALS), anna) == "Hello ^AB"
    assert signed_text("Hello", _alias(SignatureKind.FIXED, "— The Team"), anna) == (
        "Hello — The Team"
    )


def test_initials_come_from_the_display_name():
    assert initials_of("Anna Bell") == "AB"
    assert initials_of("Jean-Pierre Rampal") == "JPR"
    assert initials_of("  ") == "XX"


def test_terminal_control_from_the_public_is_made_inert():
    hostile = "hi\x1b]52;c;ZXZpbA==\x07 \x1b[2J\u202eevil\u200b\x9b"
    shown = printable(hostile)
    assert "\x1b" not in shown
    assert "\x07" not in shown
    assert "\u202e" not in shown
    assert "\u200b" not in shown
    assert "\x9b" not in shown
    assert shown == "hi ⟨RLO⟩evil⟨ZWSP⟩"


def test_emoji_joiners_and_newlines_survive():
    family = "👩\u200d👩\u200d👧"
    assert printable(f"a\n{family}\tb") == f"a\n{family}\tb"


def test_one_line_previews_flatten_and_cut():
    assert one_line("a\n  b", 10) == "a b"
    assert one_line("abcdefghij", 5) == "abcd…"


def test_the_audit_hash_covers_every_field_and_is_independent_of_timezone():
    fields = dict(
        seq=1,
        occurred_at=datetime(2026, 1, 1, 12, tzinfo=UTC),
        kind="post.queued",
        actor_id=3,
        alias_id=1,
        subject="post 1",
        details={"text": "Bonjour"},
        prev_hash=GENESIS_HASH,
    )
    digest = event_hash(**fields)
    paris = timezone(timedelta(hours=1))
    same_instant = dict(fields, occurred_at=datetime(2026, 1, 1, 13, tzinfo=paris))
    assert event_hash(**same_instant) == digest
    for key, other in [
        ("seq", 2),
        ("kind", "post.published"),
        ("actor_id", 4),
        ("details", {"text": "Bonsoir"}),
        ("prev_hash", "1" * 64),
    ]:
        assert event_hash(**dict(fields, **{key: other})) != digest, key
