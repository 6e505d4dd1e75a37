"""Log safety: the HTTP and OAuth libraries stay quiet, and no secret reaches a log line.

At DEBUG, tweepy logs request headers and bodies, and requests-oauthlib and oauthlib log the
OAuth 1.0a access token and signature. `install()` holds those loggers at WARNING and adds a
filter to the root handlers that masks every secret registered with `register_secret` (the
credentials module registers each one it loads) and any Authorization or oauth_* value."""

import logging
import re
import threading
from urllib.parse import quote

MASK = "***"

# Loggers that write credentials or headers at DEBUG or INFO.
NOISY_LOGGERS = ("tweepy", "requests_oauthlib", "oauthlib", "urllib3")

# Values that are secret whatever their source: the rest of an Authorization header, and the
# OAuth parameters (raw, form-encoded or inside a percent-encoded signature base string).
_PATTERNS = (
    re.compile(
        r"(?i)(oauth_(?:token|token_secret|signature|consumer_key|verifier)"
        r"(?:=|%3D|%253D)\"?)[^\"&,\s'%]+"
    ),
    # The whole value of an Authorization header: quoted as in a dict's repr, else to the line end.
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*)(?:b?'[^']*'|b?\"[^\"]*\"|[^\n]*)"),
)

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Mask `value` (and its percent-encoded forms) in every log line from now on."""
    if len(value) < 4:  # masking a very short value would garble ordinary text
        return
    encoded = quote(value, safe="")
    with _lock:
        _secrets.update({value, encoded, quote(encoded, safe="")})


def redact(text: str) -> str:
    """`text` with every registered secret and credential-looking value replaced by ***."""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(rf"\g<1>{MASK}", text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message, traceback and stack with secrets masked."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def protect(handler: logging.Handler) -> None:
    """Add the redacting filter to `handler`, once."""
    if not any(isinstance(each, RedactingFilter) for each in handler.filters):
        handler.addFilter(RedactingFilter())


def install() -> None:
    """Quiet the noisy loggers and protect every handler the root logger has now.

    Call it at start, after logging is configured; a handler added later should be passed to
    `protect` as well."""
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    handlers = list(logging.getLogger().handlers)
    if logging.lastResort is not None:  # where records go while no handler is configured
        handlers.append(logging.lastResort)
    for handler in handlers:
        protect(handler)
