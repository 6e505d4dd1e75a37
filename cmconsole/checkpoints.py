"""Signed audit checkpoints: `EVENTS:HASH` signed with a lead's Ed25519 key, checkable by anyone
who holds the public key alone.

The signed form is one line: `EVENTS:HASH sig=BASE64 key=FINGERPRINT`. The signature is Ed25519
over the ASCII bytes of `EVENTS:HASH` exactly (no newline); the fingerprint is the first 16 hex
digits of the SHA-256 of the raw 32-byte public key; the public key travels as PEM
(SubjectPublicKeyInfo), which OpenSSL and every Ed25519 library read.
"""

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cmconsole.domain.errors import InvalidInput
from cmconsole.services.verification import Checkpoint


@dataclass(frozen=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    signature: bytes
    fingerprint: str

    def __str__(self) -> str:
        return (
            f"{self.checkpoint} sig={base64.b64encode(self.signature).decode()} "
            f"key={self.fingerprint}"
        )


def parse(text: str) -> Checkpoint | SignedCheckpoint:
    """A checkpoint as `cmconsole audit checkpoint` printed it, signed or not."""
    line, *rest = text.split() if text.strip() else [""]
    checkpoint = Checkpoint.parse(line)
    if not rest:
        return checkpoint
    fields = dict(part.partition("=")[::2] for part in rest)
    if len(rest) != 2 or set(fields) != {"sig", "key"}:
        raise InvalidInput("a signed checkpoint looks like EVENTS:HASH sig=BASE64 key=FINGERPRINT")
    try:
        signature = base64.b64decode(fields["sig"], validate=True)
    except binascii.Error:
        raise InvalidInput("the checkpoint's signature is not base64") from None
    return SignedCheckpoint(checkpoint, signature, fields["key"])


def new_private_key() -> bytes:
    """A new Ed25519 private key, as its 32 raw bytes (for the OS keyring, nowhere else)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def public_pem(private_key: bytes) -> str:
    """The public half of a private key, as PEM."""
    public = Ed25519PrivateKey.from_private_bytes(private_key).public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def fingerprint(pem: str) -> str:
    raw = _public_key(pem).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(checkpoint: Checkpoint, private_key: bytes) -> SignedCheckpoint:
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(str(checkpoint).encode())
    return SignedCheckpoint(checkpoint, signature, fingerprint(public_pem(private_key)))


def check(signed: SignedCheckpoint, pem: str) -> None:
    """Raise InvalidInput, saying why, unless `pem`'s key signed this very checkpoint."""
    expected = fingerprint(pem)
    if signed.fingerprint != expected:
        raise InvalidInput(
            f"the checkpoint at event {signed.checkpoint.events} was signed with key "
            f"{signed.fingerprint}, not with this public key ({expected})"
        )
    try:
        _public_key(pem).verify(signed.signature, str(signed.checkpoint).encode())
    except InvalidSignature:
        raise InvalidInput(
            f"the signature of the checkpoint at event {signed.checkpoint.events} does not verify "
            f"with key {expected}: the checkpoint was altered or not signed by that key"
        ) from None


def _public_key(pem: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError:
        raise InvalidInput("the public key is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput("the public key is not an Ed25519 key")
    return key
