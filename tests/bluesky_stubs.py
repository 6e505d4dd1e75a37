"""Bluesky's XRPC answers, shaped after the lexicons (bluesky-social/atproto, lexicons/), for
tests that stub HTTP at the httpx layer with respx. Each body names the lexicon it follows."""

import base64
import json
from datetime import UTC, datetime

import httpx

PDS = "https://pds.example.test"
XRPC = f"{PDS}/xrpc"
BRAND_DID = "did:plc:brandbrandbrandbrand01"
FAN_DID = "did:plc:fanfanfanfanfanfanfan01"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
CID = "bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5r4kl5mrvxrd7ey"


def jwt(subject: str, tag: str) -> str:
    """A JWT of the form the PDS hands out (only its payload is read by the SDK: exp)."""

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    header = part({"typ": "at+jwt", "alg": "ES256K"})
    payload = part({"scope": "com.atproto.appPass", "sub": subject, "exp": 4102444800, "j": tag})
    signature = base64.urlsafe_b64encode(f"signature-{tag}".encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


def session_body(access: str, refresh: str) -> dict:
    # com.atproto.server.createSession#output (lexicons/com/atproto/server/createSession.json)
    return {
        "accessJwt": access,
        "refreshJwt": refresh,
        "handle": "brand.bsky.social",
        "did": BRAND_DID,
        "active": True,
    }


def xrpc_error(status: int, error: str, message: str, **headers: str) -> httpx.Response:
    # XRPC error body (https://atproto.com/specs/xrpc#error-responses): {"error", "message"}
    return httpx.Response(status, json={"error": error, "message": message}, headers=headers)


def author(did: str = FAN_DID, handle: str = "fan.bsky.social", name: str = "A Fan") -> dict:
    # app.bsky.actor.defs#profileViewBasic
    return {"did": did, "handle": handle, "displayName": name, "labels": []}


def post_record(text: str, created: str, parent: str | None = None, root: str | None = None):
    # app.bsky.feed.post (lexicons/app/bsky/feed/post.json); reply is #replyRef of strongRefs
    record: dict = {"$type": "app.bsky.feed.post", "text": text, "createdAt": created}
    if parent:
        record["reply"] = {
            "root": {"uri": root or parent, "cid": CID},
            "parent": {"uri": parent, "cid": CID},
        }
    return record


def post_view(uri: str, text: str, created: str, who: dict | None = None, **reply) -> dict:
    # app.bsky.feed.defs#postView
    return {
        "uri": uri,
        "cid": CID,
        "author": who or author(),
        "record": post_record(text, created, **reply),
        "indexedAt": created,
        "labels": [],
    }


def notification(uri: str, reason: str, text: str, created: str, who: dict | None = None, **reply):
    # app.bsky.notification.listNotifications#notification
    return {
        "uri": uri,
        "cid": CID,
        "author": who or author(),
        "reason": reason,
        "record": post_record(text, created, **reply),
        "isRead": False,
        "indexedAt": created,
        "labels": [],
    }


def created_body(uri: str) -> dict:
    # com.atproto.repo.createRecord#output
    return {
        "uri": uri,
        "cid": CID,
        "commit": {"cid": CID, "rev": "3lu3k7vikye2m"},
        "validationStatus": "valid",
    }


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def records(*posts: tuple, cursor: str | None = None) -> dict:
    """com.atproto.repo.listRecords#output: records ({uri, cid, value}) newest key first; each
    post is (uri, text, createdAt) or (uri, text, createdAt, parent uri)."""
    listed = [{"uri": p[0], "cid": CID, "value": post_record(*p[1:])} for p in posts]
    return {"records": listed, **({"cursor": cursor} if cursor else {})}
