"""search_threads: the first page of a search for a common word over the busiest alias's
messages and replies, as the console's search screen and `cmconsole search` ask for it, against
the same rows fetched by the bare driver with the same statement."""

from benchmarks.results import Result
from benchmarks.timing import paired_median_ms
from benchmarks.workspace import Plain, Workspace
from cmconsole.services.bundle import Services
from cmconsole.services.guard import SignedIn
from cmconsole.services.search import SEARCH_PAGE
from cmconsole.storage.search import CUSTOM_PLANS, WINDOW

TARGET_MS = 100.0
_ORDER = "ORDER BY rank DESC, at DESC, kind, id DESC LIMIT ? OFFSET 0"
_SQLITE = (
    "SELECT kind, id, contact, text, at, message_id, rank FROM ("
    "SELECT 'message' AS kind, m.id AS id, m.author_handle AS contact, m.text AS text, "
    "m.received_at AS at, m.id AS message_id, found.rank AS rank "
    "FROM (SELECT rowid AS id, -bm25(inbound_search, 1.0, 0.0) AS rank FROM inbound_search "
    "WHERE inbound_search MATCH ? ORDER BY rowid DESC LIMIT ?) AS found "
    "CROSS JOIN inbound_message AS m ON m.id = found.id WHERE m.alias_id = ? "
    "UNION ALL "
    "SELECT 'reply', p.id, m.author_handle, p.text, p.published_at, m.id, found.rank "
    "FROM (SELECT rowid AS id, -bm25(reply_search, 1.0, 0.0) AS rank FROM reply_search "
    "WHERE reply_search MATCH ? ORDER BY rowid DESC LIMIT ?) AS found "
    "CROSS JOIN post AS p ON p.id = found.id "
    "JOIN inbound_message AS m ON m.id = p.in_reply_to_id "
    "WHERE p.alias_id = ? AND p.status = 'published') " + _ORDER
)
_POSTGRES = (
    "SELECT hits.kind, hits.id, m.author_handle, hits.text, hits.at, hits.message_id, hits.rank "
    "FROM (SELECT kind, id, text, at, message_id, ts_rank(vector, {query}) AS rank FROM ("
    "(SELECT 'message'::text AS kind, m.id AS id, m.text AS text, m.received_at AS at, "
    "m.id AS message_id, m.search_vector AS vector FROM inbound_message AS m "
    "WHERE m.alias_id = ? AND m.search_vector @@ {query} ORDER BY m.id DESC LIMIT ?) "
    "UNION ALL "
    "(SELECT 'reply'::text, p.id, p.text, p.published_at, p.in_reply_to_id, p.search_vector "
    "FROM post AS p WHERE p.alias_id = ? AND p.status = 'published' "
    "AND p.in_reply_to_id IS NOT NULL AND p.search_vector @@ {query} "
    "ORDER BY p.id DESC LIMIT ?)) AS matched " + _ORDER + ") AS hits "
    "JOIN inbound_message AS m ON m.id = hits.message_id "
    "ORDER BY hits.rank DESC, hits.at DESC, hits.kind, hits.id DESC"
)


def run(
    workspace: Workspace, services: Services, plain: Plain, lead: SignedIn, repeats: int
) -> Result:
    facts = workspace.facts
    word = facts.searched
    [(language,)] = plain.fetch("SELECT language FROM alias WHERE id = ?", (facts.alias_id,))

    def first_page() -> list[tuple[str, int]]:
        page = services.search.search(lead, facts.alias_id, word)
        return [(hit.kind.value, hit.id) for hit in page.hits]

    if plain.database == "sqlite":
        quoted = f'alias_id : "{facts.alias_id}" AND text : "{word}"'
        statement = _SQLITE
        alias = facts.alias_id
        parameters: tuple[object, ...] = (quoted, WINDOW, alias, quoted, WINDOW, alias)
    else:
        config = {"fr": "french", "en": "english"}.get(language[:2], "simple")

        statement = _POSTGRES.format(query=f"plainto_tsquery('{config}', ?)")
        # In the order of the placeholders: the rank's query first, then each branch's.
        alias = facts.alias_id
        parameters = (word, alias, word, WINDOW, alias, word, WINDOW)

    def bare_page() -> list[tuple[str, int]]:
        rows = plain.fetch_in_transaction(CUSTOM_PLANS, statement, (*parameters, SEARCH_PAGE + 1))
        return [(row[0], row[1]) for row in rows]

    found = first_page()
    assert found and found == bare_page()[:SEARCH_PAGE], "the service and the bare SQL disagree"
    ours, baseline = paired_median_ms(first_page, bare_page, repeats)
    return Result("search_threads", ours, "ms", TARGET_MS, baseline=baseline)
