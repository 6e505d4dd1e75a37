"""Signature policy: how an alias signs what it publishes, applied at send time."""

from cmconsole.domain.guide import Signature
from cmconsole.domain.model import Alias, Operator


def signed_text(text: str, alias: Alias, author: Operator) -> str:
    """The text as the public will see it: the reply plus the alias's signature, if any.

    The same Signature the checker counts with, so what is counted is what is published.
    """
    return Signature(alias.signature_kind, alias.signature_text).sign(text, author.initials)


def initials_of(display_name: str) -> str:
    """Two or three capital letters from a display name: 'Anna Bell' gives 'AB'."""
    letters = [part[0] for part in display_name.replace("-", " ").split() if part[:1].isalpha()]
    return "".join(letters[:3]).upper() or "XX"
