"""Searching an alias's threads through the full-text indexes of migration 0014: the public's
messages and the alias's published replies, best match first, newer first among equals."""

import functools
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String, TextualSelect, text
from sqlmodel import Session

from cmconsole.domain.model import PostStatus
from cmconsole.domain.search import HitKind, SearchHit
from cmconsole.storage.tables import InboundMessageRow

# PostgreSQL's text search configuration for an alias's language; 'simple' (no stemming) else.
CONFIGURATIONS = {"fr": "french", "en": "english"}
# Accents folded before PostgreSQL's parser sees the query, as migration 0014 folds the text.
ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUY"
_FOLD = str.maketrans(ACCENTED, PLAIN)
_WHEN = InboundMessageRow.__table__.c.received_at.type  # type: ignore[attr-defined]
_ORDER = "ORDER BY rank DESC, at DESC, kind, id DESC LIMIT :limit OFFSET :offset"

# Ranking reads the newest WINDOW matches of each kind (messages, replies), never all of them:
# a common word over years of messages would otherwise cost a score for each. A rarer word (an
# old exchange) has fewer matches than that, and all of them are ranked; a second word reaches
# further back. 500 each is 20 pages of results. At 2,000, PostgreSQL walked 126,000 rows of the
# agency's busiest history to find them (464 ms); at 500, a quarter of that.
WINDOW = 500

# The matches come from the full-text index newest first (no score computed past the window);
# CROSS JOIN keeps SQLite on that side (never every message of the alias, probing the index).
_SQLITE = f"""
SELECT kind, id, contact, text, at, message_id, rank, private FROM (
  SELECT 'message' AS kind, m.id AS id, m.author_handle AS contact, m.text AS text,
         m.received_at AS at, m.id AS message_id, found.rank AS rank, m.private AS private
  FROM (SELECT rowid AS id, -bm25(inbound_search, 1.0, 0.0) AS rank FROM inbound_search
        WHERE inbound_search MATCH :query ORDER BY rowid DESC LIMIT :window) AS found
  CROSS JOIN inbound_message AS m ON m.id = found.id
  WHERE m.alias_id = :alias
  UNION ALL
  SELECT 'reply', p.id, m.author_handle, p.text, p.published_at, m.id, found.rank, m.private
  FROM (SELECT rowid AS id, -bm25(reply_search, 1.0, 0.0) AS rank FROM reply_search
        WHERE reply_search MATCH :query ORDER BY rowid DESC LIMIT :window) AS found
  CROSS JOIN post AS p ON p.id = found.id
  JOIN inbound_message AS m ON m.id = p.in_reply_to_id
  WHERE p.alias_id = :alias AND p.status = :published
)
{_ORDER}
"""

# {config} names the alias's configuration, as the stored vectors were made with (migration
# 0014); a literal, never a bound parameter (see README, Performance).
_POSTGRES = """
SELECT hits.kind, hits.id, m.author_handle, hits.text, hits.at, hits.message_id, hits.rank,
       m.private
FROM (
  SELECT kind, id, text, at, message_id, ts_rank(vector, {query}) AS rank FROM (
    (SELECT 'message'::text AS kind, m.id AS id, m.text AS text, m.received_at AS at,
            m.id AS message_id, m.search_vector AS vector
     FROM inbound_message AS m
     WHERE m.alias_id = :alias AND m.search_vector @@ {query}
     ORDER BY m.id DESC LIMIT :window)
    UNION ALL
    (SELECT 'reply'::text, p.id, p.text, p.published_at, p.in_reply_to_id, p.search_vector
     FROM post AS p
     WHERE p.alias_id = :alias AND p.status = :published AND p.in_reply_to_id IS NOT NULL
       AND p.search_vector @@ {query}
     ORDER BY p.id DESC LIMIT :window)
  ) AS matched
  {order}
) AS hits
-- The thread's contact, and whether the message (or the one a reply answers) is private, for
-- the page's rows only.
JOIN inbound_message AS m ON m.id = hits.message_id
ORDER BY hits.rank DESC, hits.at DESC, hits.kind, hits.id DESC
"""


# psycopg prepares a statement run five times, and PostgreSQL then plans it once for any words:
# that generic plan cannot know a word is common, and read every match of "remboursement" in
# the busiest alias (33,000) to sort them (330 ms). Planned for the words at hand, it walks the
# newest rows and stops at the window (18 ms). One SET per search, for its transaction only.
CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan"
_CUSTOM_PLANS = text(CUSTOM_PLANS)


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
            self._session.execute(_CUSTOM_PLANS)
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
                "window": WINDOW,
            },
        )
        return [
            SearchHit(HitKind(kind), id_, contact, body, at, message_id, float(rank), private)
            for kind, id_, contact, body, at, message_id, rank, private in rows
        ]


@functools.cache
def _statement(dialect: str, config: str) -> TextualSelect:
    sql = _SQLITE
    if dialect == "postgresql":
        sql = _POSTGRES.format(query=f"plainto_tsquery('{config}', :query)", order=_ORDER)
    columns: dict[str, Any] = {
        "kind": String,
        "id": Integer,
        "contact": String,
        "text": String,
        "at": _WHEN,
        "message_id": Integer,
        "rank": Float,
        "private": Boolean,
    }
    return text(sql).columns(**columns)
