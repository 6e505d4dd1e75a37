"""Searching an alias's threads through the full-text indexes of migration 0014: the public's
messages and the alias's published replies, best match first, newer first among equals."""

import functools
from typing import Any

from sqlalchemy import Float, Integer, String, TextualSelect, text
from sqlmodel import Session

from cmconsole.domain.model import PostStatus
from cmconsole.domain.search import HitKind, SearchHit
from cmconsole.storage.tables import InboundMessageRow

# PostgreSQL's text search configuration for an alias's language; 'simple' (no stemming) else.
CONFIGURATIONS = {"fr": "french", "en": "english"}
# Accents folded before PostgreSQL's parser sees the text, as the indexes of migration 0014 do.
ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUY"
_FOLD = str.maketrans(ACCENTED, PLAIN)
_WHEN = InboundMessageRow.__table__.c.received_at.type  # type: ignore[attr-defined]
_ORDER = "ORDER BY rank DESC, at DESC, kind, id DESC LIMIT :limit OFFSET :offset"

# CROSS JOIN: SQLite then always walks the full-text matches first (never every message of the
# alias, probing the index for each: seconds instead of milliseconds on a large alias).
_SQLITE = f"""
SELECT kind, id, contact, text, at, message_id, rank FROM (
  SELECT 'message' AS kind, m.id AS id, m.author_handle AS contact, m.text AS text,
         m.received_at AS at, m.id AS message_id,
         -bm25(inbound_search, 1.0, 0.0) AS rank
  FROM inbound_search CROSS JOIN inbound_message AS m ON m.id = inbound_search.rowid
  WHERE inbound_search MATCH :query AND m.alias_id = :alias
  UNION ALL
  SELECT 'reply', p.id, m.author_handle, p.text, p.published_at, m.id,
         -bm25(reply_search, 1.0, 0.0)
  FROM reply_search CROSS JOIN post AS p ON p.id = reply_search.rowid
  JOIN inbound_message AS m ON m.id = p.in_reply_to_id
  WHERE reply_search MATCH :query AND p.alias_id = :alias AND p.status = :published
)
{_ORDER}
"""

# {config} is a literal, never a bound parameter: a prepared statement's generic plan would
# otherwise no longer match the expression indexes (see README, Performance).
_POSTGRES = """
SELECT kind, id, contact, text, at, message_id, rank FROM (
  SELECT 'message'::text AS kind, m.id AS id, m.author_handle AS contact, m.text AS text,
         m.received_at AS at, m.id AS message_id, ts_rank({message}, {query}) AS rank
  FROM inbound_message AS m
  WHERE m.alias_id = :alias AND {message} @@ {query}
  UNION ALL
  SELECT 'reply'::text, p.id, m.author_handle, p.text, p.published_at, m.id,
         ts_rank({reply}, {query})
  FROM post AS p JOIN inbound_message AS m ON m.id = p.in_reply_to_id
  WHERE p.alias_id = :alias AND p.status = :published AND {reply} @@ {query}
) AS hits
{order}
"""


def configuration(language: str) -> str:
    """The PostgreSQL configuration for an alias's language ("fr", "en-GB", ...)."""
    return CONFIGURATIONS.get(language.strip().lower()[:2], "simple")


def fts5_query(alias_id: int, words: list[str]) -> str:
    """The MATCH expression for the alias's rows holding every word: each word quoted (a phrase
    of one word, never FTS5 syntax) and looked for in the text, never in the alias column."""
    return " AND ".join([f'alias_id : "{alias_id}"', *(f'text : "{word}"' for word in words)])


class SqlSearch:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect.name

    def threads(
        self, alias_id: int, language: str, words: list[str], limit: int, offset: int
    ) -> list[SearchHit]:
        """The alias's messages and published replies holding every word, best first."""
        if self._dialect == "postgresql":
            statement = _statement(self._dialect, configuration(language))
            query = " ".join(words).translate(_FOLD)
        else:
            statement = _statement(self._dialect, "")
            query = fts5_query(alias_id, words)
        rows = self._session.execute(
            statement,
            {
                "alias": alias_id,
                "query": query,
                "published": PostStatus.PUBLISHED.value,
                "limit": limit,
                "offset": offset,
            },
        )
        return [
            SearchHit(HitKind(kind), id_, contact, body, at, message_id, float(rank))
            for kind, id_, contact, body, at, message_id, rank in rows
        ]


@functools.cache
def _statement(dialect: str, config: str) -> TextualSelect:
    sql = _SQLITE
    if dialect == "postgresql":
        sql = _POSTGRES.format(
            message=_vector(config, "m.text"),
            reply=_vector(config, "p.text"),
            query=f"plainto_tsquery('{config}', :query)",
            order=_ORDER,
        )
    columns: dict[str, Any] = {
        "kind": String,
        "id": Integer,
        "contact": String,
        "text": String,
        "at": _WHEN,
        "message_id": Integer,
        "rank": Float,
    }
    return text(sql).columns(**columns)


def _vector(config: str, column: str) -> str:
    """The indexed expression of migration 0014, on `column`."""
    return f"to_tsvector('{config}', translate({column}, '{ACCENTED}', '{PLAIN}'))"
