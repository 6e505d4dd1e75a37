"""Signature policy: how an alias signs what it publishes, applied at send time."""

from cmconsole.domain.model import Alias, Operator, SignatureKind


def signed_text(text: str, alias: Alias, author: Operator) -> str:
    """The text as the public will see it: the reply plus the alias's signature, if any."""
    body = text.strip()
    if alias.signature_kind is SignatureKind.INITIALS:
        return f"{body} ^{author.initials}"
    if alias.signature_kind is SignatureKind.FIXED and alias.signature_text:
        return f"{body} {alias.signature_text}"
    return body


def initials_of(display_name: str) -> str:
    """Two or three capital letters from a display name: 'Anna Bell' gives 'AB'."""
    letters = [part[0] for part in display_name.replace("-", " ").split() if part[:1].isalpha()]
    return "".join(letters[:3]).upper() or "XX"
