"""Mastodon's statuses read back as posts: HTML content as the plain text that was posted."""

from collections.abc import Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import requests

from cmconsole.domain.model import PublicPost
from cmconsole.services.ports import ChannelOutcomeUnknown


class _Text(HTMLParser):
    """Paragraphs end in a blank line, <br> in a newline; a mention link reads as the full
    `@user@domain` (Mastodon shows only `@user`), found by the link's address."""

    def __init__(self, mentions: Mapping[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self._mentions = mentions
        self._parts: list[str] = []
        self._mention_depth: int | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._depth += 1
        if tag == "br":
            self._depth -= 1  # a void element: no end tag comes
            self._parts.append("\n")
            return
        if tag == "p" and self._parts:
            self._parts.append("\n\n")
        if tag == "a" and self._mention_depth is None:
            found = dict(attrs)
            classes = (found.get("class") or "").split()
            acct = self._mentions.get(found.get("href") or "")
            if "mention" in classes and "hashtag" not in classes and acct:
                self._parts.append("@" + acct)
                self._mention_depth = self._depth

    def handle_endtag(self, tag: str) -> None:
        if self._mention_depth is not None and self._depth == self._mention_depth:
            self._mention_depth = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._mention_depth is None:
            self._parts.append(data)

    def text(self) -> str:
        return "".join(self._parts).strip()


def plain_text(content: str, mentions: Mapping[str, str]) -> str:
    """The text of a status from its HTML `content`; `mentions` maps each mentioned account's
    profile URL to its full `user@domain`."""
    parser = _Text(mentions)
    parser.feed(content)
    parser.close()
    return parser.text()


def full_acct(acct: str, instance_host: str) -> str:
    """`user@domain` for any account: Mastodon gives local accounts as `user` alone."""
    return acct if "@" in acct else f"{acct}@{instance_host}"


def public(status: Any, server: str, cursor: str | None = None) -> PublicPost:
    account = status.get("account") or {}
    mentions = {
        str(each.get("url")): full_acct(str(each.get("acct")), server)
        for each in status.get("mentions") or []
    }
    text = plain_text(str(status.get("content") or ""), mentions)
    warning = str(status.get("spoiler_text") or "").strip()
    username = str(account.get("username") or "")
    return PublicPost(
        channel_post_id=str(status["id"]),
        author_handle="@" + full_acct(str(account.get("acct") or username), server),
        author_name=str(account.get("display_name") or username),
        text=f"{warning}\n\n{text}" if warning else text,
        published_at=when(status.get("created_at")) or datetime.now(UTC),
        in_reply_to=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None,
        private=status.get("visibility") == "direct",
        cursor=cursor,
    )


def newest_first(post: PublicPost) -> tuple[float, int]:
    return (-post.published_at.timestamp(), -int(post.channel_post_id))


def when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def host(instance: str) -> str:
    return urlsplit(instance if "//" in instance else f"https://{instance}").hostname or instance


def never_left(cause: BaseException | None) -> bool:
    """True when the request surely never reached the instance: the connection failed."""
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(cause, requests.exceptions.ConnectionError):
        return False
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

    reason = cause.args[0] if cause.args else None
    reason = reason.reason if isinstance(reason, MaxRetryError) else reason
    # NewConnectionError (refused) and NameResolutionError are ConnectTimeoutErrors in urllib3.
    return isinstance(reason, ConnectTimeoutError)


def lost(cause: BaseException | None) -> str:
    if isinstance(cause, requests.exceptions.Timeout):
        return "no answer in time"
    return "the connection was lost"


def unknown(handle: str, why: str) -> ChannelOutcomeUnknown:
    return ChannelOutcomeUnknown(
        f"the post on {handle} may or may not have been published ({why}): "
        "its recent posts are checked before any retry"
    )
