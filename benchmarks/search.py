"""search_threads: the first page of a search for a common word over the busiest alias's
messages and replies, as the console's search screen and `cmconsole search` ask for it, against
the same rows fetched by the bare driver with the same statement."""

from benchmarks.results import Result
from benchmarks.timing import paired_median_ms
from benchmarks.workspace import Plain, Workspace
from cmconsole.services.bundle import Services
from cmconsole.services.guard import SignedIn
from cmconsole.services.search import SEARCH_PAGE

TARGET_MS = 100.0
_ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUY"
_ORDER = "ORDER BY rank DESC, at DESC, kind, id DESC LIMIT ? OFFSET 0"
_SQLITE = (
    "SELECT kind, id FROM ("
    "SELECT 'message' AS kind, m.id AS id, m.received_at AS at, "
    "-bm25(inbound_search, 1.0, 0.0) AS rank "
    "FROM inbound_search CROSS JOIN inbound_message AS m ON m.id = inbound_search.rowid "
    "WHERE inbound_search MATCH ? AND m.alias_id = ? "
    "UNION ALL "
    "SELECT 'reply', p.id, p.published_at, -bm25(reply_search, 1.0, 0.0) "
    "FROM reply_search CROSS JOIN post AS p ON p.id = reply_search.rowid "
    "JOIN inbound_message AS m ON m.id = p.in_reply_to_id "
    "WHERE reply_search MATCH ? AND p.alias_id = ? AND p.status = 'published') " + _ORDER
)
_POSTGRES = (
    "SELECT kind, id FROM ("
    "SELECT 'message'::text AS kind, m.id AS id, m.received_at AS at, "
    "ts_rank({message}, {query}) AS rank FROM inbound_message AS m "
    "WHERE m.alias_id = ? AND {message} @@ {query} "
    "UNION ALL "
    "SELECT 'reply'::text, p.id, p.published_at, ts_rank({reply}, {query}) "
    "FROM post AS p JOIN inbound_message AS m ON m.id = p.in_reply_to_id "
    "WHERE p.alias_id = ? AND p.status = 'published' AND {reply} @@ {query}) AS hits " + _ORDER
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
        parameters: tuple[object, ...] = (quoted, facts.alias_id, quoted, facts.alias_id)
    else:
        config = {"fr": "french", "en": "english"}.get(language[:2], "simple")

        def vector(column: str) -> str:
            return f"to_tsvector('{config}', translate({column}, '{_ACCENTED}', '{_PLAIN}'))"

        statement = _POSTGRES.format(
            message=vector("m.text"),
            reply=vector("p.text"),
            query=f"plainto_tsquery('{config}', ?)",
        )
        # The query's placeholder comes first in each branch's SELECT list (ts_rank).
        parameters = (word, facts.alias_id, word, word, facts.alias_id, word)

    def bare_page() -> list[tuple[str, int]]:
        return [(kind, id_) for kind, id_ in plain.fetch(statement, (*parameters, SEARCH_PAGE + 1))]

    found = first_page()
    assert found and found == bare_page()[:SEARCH_PAGE], "the service and the bare SQL disagree"
    ours, baseline = paired_median_ms(first_page, bare_page, repeats)
    return Result("search_threads", ours, "ms", TARGET_MS, baseline=baseline)
