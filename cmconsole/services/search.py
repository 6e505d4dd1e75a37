"""Search: an alias's threads (the public's messages and the alias's replies) by their words."""

from dataclasses import dataclass

from cmconsole.domain.errors import InvalidInput
from cmconsole.domain.search import SearchHit, search_words
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import Workspace

SEARCH_PAGE = 20
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class SearchPage:
    """One page of hits, best first, and whether another follows."""

    query: str
    page: int
    hits: list[SearchHit]
    more: bool


class SearchService:
    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace

    def search(
        self,
        who: SignedIn,
        alias_id: int,
        query: str,
        page: int = 0,
        page_size: int = SEARCH_PAGE,
    ) -> SearchPage:
        """Page `page` (from 0) of the alias's messages and replies holding every word of
        `query`; any member of the alias may search it."""
        words = search_words(query)
        if page < 0:
            raise InvalidInput("pages are numbered from 0")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"a page holds 1 to {MAX_PAGE_SIZE} results")
        with self._workspace.reading() as tx:
            alias = existing_alias(tx, alias_id)
            role_on(tx, active_operator(tx, who), alias)
            found = tx.search.threads(
                alias.id, alias.language, words, page_size + 1, page * page_size
            )
        return SearchPage(query, page, found[:page_size], len(found) > page_size)
