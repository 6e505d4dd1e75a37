"""Mastodon's HTTP answers, shaped as docs.joinmastodon.org documents them, for `responses`.

Sources (docs.joinmastodon.org, read 2026-12): the Status entity (entities/Status: id, created_at,
in_reply_to_id, in_reply_to_account_id, visibility, spoiler_text, content as HTML, account,
mentions with id/username/url/acct), the Account entity (entities/Account), the Notification
entity (entities/Notification: id, type "mention", created_at, account, status), the Instance
entity of GET /api/v2/instance (entities/Instance: configuration.statuses.max_characters and
characters_reserved_per_url), the Error entity (entities/Error: `{"error": "..."}`), the
`X-RateLimit-*` headers (api/rate-limits: X-RateLimit-Reset is an ISO 8601 timestamp), and
pagination by `Link` headers with max_id (api/guidelines#pagination)."""

import json
from urllib.parse import parse_qs

import requests

INSTANCE = "https://masto.example"
API = f"{INSTANCE}/api/v1"
ACCOUNT_ID = "109302"  # the alias's own account


def account(account_id: str, username: str, acct: str, name: str = "") -> dict:
    return {
        "id": account_id,
        "username": username,
        "acct": acct,
        "display_name": name or username,
        "url": f"https://{acct.split('@')[1] if '@' in acct else 'masto.example'}/@{username}",
        "locked": False,
        "bot": False,
        "created_at": "2024-01-01T00:00:00.000Z",
        "note": "",
        "avatar": "",
        "header": "",
        "followers_count": 10,
        "following_count": 2,
        "statuses_count": 5,
        "emojis": [],
        "fields": [],
    }


BRAND = account(ACCOUNT_ID, "brand", "brand", "The Brand")
FAN = account("2001", "anna", "anna@other.example", "Anna")


def status(
    status_id: str,
    content: str,
    author: dict,
    created: str,
    *,
    in_reply_to: str | None = None,
    visibility: str = "public",
    mentions: list[dict] | None = None,
    spoiler: str = "",
) -> dict:
    return {
        "id": status_id,
        "uri": f"{INSTANCE}/users/{author['username']}/statuses/{status_id}",
        "url": f"{INSTANCE}/@{author['username']}/{status_id}",
        "created_at": created,
        "account": author,
        "content": content,
        "visibility": visibility,
        "sensitive": bool(spoiler),
        "spoiler_text": spoiler,
        "media_attachments": [],
        "mentions": mentions or [],
        "tags": [],
        "emojis": [],
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
        "in_reply_to_id": in_reply_to,
        "in_reply_to_account_id": ACCOUNT_ID if in_reply_to else None,
        "reblog": None,
        "language": "fr",
    }


def mention_of_brand() -> dict:
    """How Mastodon lists the alias among a status's mentions."""
    return {"id": ACCOUNT_ID, "username": "brand", "url": f"{INSTANCE}/@brand", "acct": "brand"}


def mention_link(who: dict) -> str:
    """A mention as Mastodon renders it in `content`: only `@user` shows."""
    return (
        f'<span class="h-card" translate="no"><a href="{who["url"]}" class="u-url mention">'
        f"@<span>{who['username']}</span></a></span>"
    )


def fan_mention(status_id: str, text: str, created: str, visibility: str = "public") -> dict:
    return status(
        status_id,
        f"<p>{mention_link({'url': f'{INSTANCE}/@brand', 'username': 'brand'})} {text}</p>",
        FAN,
        created,
        visibility=visibility,
        mentions=[mention_of_brand()],
    )


def notification(notification_id: str, of_status: dict) -> dict:
    return {
        "id": notification_id,
        "type": "mention",
        "created_at": of_status["created_at"],
        "account": of_status["account"],
        "status": of_status,
    }


def instance_v2(max_characters: int = 500, per_url: int = 23) -> dict:
    return {
        "domain": "masto.example",
        "title": "Masto",
        "version": "4.3.2",
        "configuration": {
            "urls": {"streaming": "wss://masto.example"},
            "statuses": {
                "max_characters": max_characters,
                "max_media_attachments": 4,
                "characters_reserved_per_url": per_url,
            },
        },
    }


def error(message: str) -> dict:
    return {"error": message}


def sent_form(request) -> dict:
    """What Mastodon.py sent in a POST body (form-encoded or JSON), as one value per field."""
    body = request.body or ""
    body = body.decode() if isinstance(body, bytes) else body
    try:
        return json.loads(body)
    except ValueError:
        return {key: values[-1] for key, values in parse_qs(body).items()}


def refused_connection() -> requests.ConnectionError:
    """The very exception requests raises when nothing listens on the port (an instance down)."""
    try:
        requests.get("http://127.0.0.1:1/", timeout=2)
    except requests.ConnectionError as failure:
        return failure
    raise AssertionError("something listens on port 1")
