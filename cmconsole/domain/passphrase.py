"""Passphrases kept only as scrypt hashes with their cost parameters, compared in constant time."""

import base64
import hashlib
import hmac
import secrets

# scrypt with N=2**15, r=8, p=1 uses 32 MiB and about a tenth of a second here: slow for a guesser,
# quick enough for a person signing in.
_N, _R, _P = 2**15, 8, 1
_MAX_MEMORY = 64 * 1024 * 1024
MIN_LENGTH = 8


def hash_passphrase(passphrase: str) -> str:
    """Return a self-describing hash: `scrypt$N$r$p$salt$digest`."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(passphrase, salt, _N, _R, _P)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_passphrase(passphrase: str, stored: str) -> bool:
    """True if `passphrase` matches the stored hash; False for any malformed hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(passphrase, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def check_strength(passphrase: str) -> str | None:
    """Return why a new passphrase is refused, or None if it will do."""
    if len(passphrase) < MIN_LENGTH:
        return f"a passphrase needs at least {MIN_LENGTH} characters"
    if passphrase.strip() != passphrase:
        return "a passphrase may not start or end with spaces"
    return None


def _scrypt(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEMORY, dklen=32
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
