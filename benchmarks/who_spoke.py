"""audit_first_page and audit_search: who spoke when under the busiest alias, over a million
published posts, as a lead reads it on the "Who spoke" tab; and, for information, the
per-operator numbers the tab reads after the page, once per change of selection."""

from datetime import timedelta

from benchmarks.results import Result
from benchmarks.timing import median_ms, paired_median_ms
from benchmarks.workspace import Plain, Workspace
from cmconsole.services.audit import SPOKEN_PAGE
from cmconsole.services.bundle import Services
from cmconsole.services.guard import SignedIn
from cmconsole.storage.converters import POST_COLUMNS

# The post's own columns, named (PostgreSQL keeps its search words beside them, migration 0014).
_POST = ", ".join(f"post.{column}" for column in POST_COLUMNS)

PAGE = SPOKEN_PAGE  # what the console's tab asks for (then the next page, as one scrolls)
FIRST_PAGE_TARGET_MS = 5.0
SEARCH_TARGET_MS = 100.0

# The page the service reads, in the shape SQLAlchemy gives it (without the outer joins for the
# approver's name and the replied message's time, which the bare page does not need).
_PAGE = (
    f"SELECT {_POST}, operator.name FROM post JOIN operator ON operator.id = post.author_id "
    "WHERE post.alias_id = ? AND post.status = 'published' AND post.author_id = ? "
    "AND post.published_at >= ? AND post.published_at < ? "
    "ORDER BY post.published_at DESC, post.id DESC LIMIT ?"
)


def run(
    workspace: Workspace, services: Services, plain: Plain, lead: SignedIn, repeats: int
) -> list[Result]:
    facts = workspace.facts
    now = facts.moment
    since = now - timedelta(days=30)
    [(author_id,)] = plain.fetch("SELECT id FROM operator WHERE name = ?", (facts.author,))

    def first_page() -> object:
        return services.audit.spoken(
            lead, facts.alias_id, operator=facts.author, since=since, until=now, limit=PAGE
        )

    def bare_page() -> object:
        return plain.fetch(
            _PAGE, (facts.alias_id, author_id, plain.time(since), plain.time(now), PAGE)
        )

    page = services.audit.spoken(
        lead, facts.alias_id, operator=facts.author, since=since, until=now, limit=PAGE
    )
    assert [s.post.id for s in page.posts] == [row[0] for row in bare_page()]  # type: ignore[attr-defined]
    ours, baseline = paired_median_ms(first_page, bare_page, repeats)
    found = services.audit.spoken(lead, facts.alias_id, text=facts.searched, limit=PAGE)
    assert found.posts and all(facts.searched in s.post.text.lower() for s in found.posts)
    search = median_ms(
        lambda: services.audit.spoken(lead, facts.alias_id, text=facts.searched, limit=PAGE),
        repeats,
    )
    speakers = median_ms(
        lambda: services.audit.speakers(
            lead, facts.alias_id, operator=facts.author, since=since, until=now
        ),
        repeats,
    )
    search_speakers = median_ms(
        lambda: services.audit.speakers(lead, facts.alias_id, text=facts.searched), repeats
    )
    return [
        Result("audit_first_page", ours, "ms", FIRST_PAGE_TARGET_MS, baseline=baseline),
        Result("audit_search", search, "ms", SEARCH_TARGET_MS),
        Result("audit_speakers", speakers, "ms", None),
        Result("audit_search_speakers", search_speakers, "ms", None),
    ]
