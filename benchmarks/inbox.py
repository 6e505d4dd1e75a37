"""inbox_first_page, inbox_unanswered and inbox_by_facet: the first page of the busiest alias's
threads, with their states (the last sorted by the contacts' relevancy), as the console asks for
it, against the same rows fetched with the bare driver."""

from typing import Any

from benchmarks.results import Result
from benchmarks.timing import paired_median_ms
from benchmarks.workspace import Plain, Workspace
from cmconsole.domain.contacts import Facet
from cmconsole.services.bundle import Services
from cmconsole.services.guard import SignedIn
from cmconsole.services.inbox import INBOX_PAGE, InboxFilter

TARGET_MS = 50.0

# The statements the service runs, in the shape SQLAlchemy gives them.
_THREADS = (
    "SELECT contact_thread.id, contact_thread.alias_id, contact_thread.contact_handle, "
    "contact_thread.last_inbound_id, contact_thread.last_activity_at, "
    "contact_thread.waiting_since, contact_thread.unanswered, contact_thread.message_count, "
    "contact_thread.state, contact_thread.closed_reason, contact_thread.handed_to, "
    "inbound_message.text, handed_to_operator.name, handed_by_operator.name "
    "FROM contact_thread JOIN inbound_message "
    "ON inbound_message.id = contact_thread.last_inbound_id "
    "LEFT OUTER JOIN operator AS handed_to_operator "
    "ON handed_to_operator.id = contact_thread.handed_to "
    "LEFT OUTER JOIN operator AS handed_by_operator "
    "ON handed_by_operator.id = contact_thread.handed_by "
    "WHERE contact_thread.alias_id = ?{states} "
    "ORDER BY contact_thread.last_activity_at DESC, contact_thread.id DESC LIMIT ?"
)
# The contacts owed a promise now due, whose threads lead the page.
_DUE = (
    "SELECT DISTINCT follow_up.contact_handle FROM follow_up WHERE follow_up.alias_id = ? "
    "AND follow_up.done_at IS NULL AND follow_up.due_at <= ?"
)
# The rated contacts' threads, read from the facet's index down (SQLite: in that order).
_RATED_FROM = (
    "FROM contact {join} contact_handle ON contact.id = contact_handle.contact_id "
    "{join} contact_thread ON contact_handle.alias_id = contact_thread.alias_id "
    "AND contact_handle.handle = contact_thread.contact_handle JOIN inbound_message"
)
_RATED_WHERE = "WHERE contact.alias_id = ? AND contact.relevancy IS NOT NULL AND "
_NOT_RATED = (
    " AND NOT (EXISTS (SELECT contact_handle.contact_id FROM contact_handle JOIN contact "
    "ON contact.id = contact_handle.contact_id "
    "WHERE contact_handle.alias_id = contact_thread.alias_id "
    "AND contact_handle.handle = contact_thread.contact_handle "
    "AND contact.relevancy IS NOT NULL))"
)
_CLAIMS = (
    "SELECT claim.alias_id, claim.contact_handle, claim.operator_id, claim.claimed_at, "
    "claim.expires_at, operator.name FROM claim JOIN operator ON operator.id = claim.operator_id "
    "WHERE claim.alias_id = ? AND claim.expires_at > ?"
)


def run(
    workspace: Workspace, services: Services, plain: Plain, lead: SignedIn, repeats: int
) -> list[Result]:
    facts = workspace.facts
    now = plain.time(facts.moment)
    results = []
    for name, which in (
        ("inbox_first_page", InboxFilter.ALL),
        ("inbox_unanswered", InboxFilter.UNANSWERED),
    ):
        condition = " AND contact_thread.state NOT IN ('spam')"
        if which is InboxFilter.UNANSWERED:
            condition = " AND contact_thread.state IN ('new', 'open', 'awaiting_approval')"
        threads_sql = _THREADS.format(states=condition)

        def bare(sql: str = threads_sql) -> tuple[list[Any], list[Any]]:
            plain.fetch(_DUE, (facts.alias_id, now))  # none due in the generated workspace
            return (
                plain.fetch(sql, (facts.alias_id, INBOX_PAGE)),
                plain.fetch(_CLAIMS, (facts.alias_id, now)),
            )

        def service(which: InboxFilter = which) -> object:
            return services.inbox.threads(lead, facts.alias_id, which)

        listed = services.inbox.threads(lead, facts.alias_id, which)
        rows = bare()[0]
        assert [t.thread.contact_handle for t in listed] == [row[2] for row in rows], name
        assert len(listed) == INBOX_PAGE and any(t.claim for t in listed), name
        ours, baseline = paired_median_ms(service, bare, repeats)
        results.append(Result(name, ours, "ms", TARGET_MS, baseline=baseline))
    results.append(_by_facet(workspace, services, plain, lead, repeats))
    return results


def _by_facet(
    workspace: Workspace, services: Services, plain: Plain, lead: SignedIn, repeats: int
) -> Result:
    """The page sorted by relevancy: the rated contacts' threads by rating, then the rest."""
    facts = workspace.facts
    now = plain.time(facts.moment)
    spam = " AND contact_thread.state NOT IN ('spam')"
    join = "CROSS JOIN" if plain.database == "sqlite" else "JOIN"
    rated_sql = (
        _THREADS.format(states=spam)
        .replace("FROM contact_thread JOIN inbound_message", _RATED_FROM.format(join=join))
        .replace("WHERE ", _RATED_WHERE)
        .replace("ORDER BY ", "ORDER BY contact.relevancy DESC, ")
    )
    rest_sql = _THREADS.format(states=spam + _NOT_RATED)

    def bare() -> tuple[list[Any], list[Any]]:
        plain.fetch(_DUE, (facts.alias_id, now))
        rated = plain.fetch(rated_sql, (facts.alias_id, facts.alias_id, INBOX_PAGE))
        rest: list[Any] = []
        if len(rated) < INBOX_PAGE:
            rest = plain.fetch(rest_sql, (facts.alias_id, INBOX_PAGE - len(rated)))
        return rated + rest, plain.fetch(_CLAIMS, (facts.alias_id, now))

    def service() -> object:
        return services.inbox.threads(lead, facts.alias_id, sort=Facet.RELEVANCY)

    listed = services.inbox.threads(lead, facts.alias_id, sort=Facet.RELEVANCY)
    assert [t.thread.contact_handle for t in listed] == [row[2] for row in bare()[0]]
    assert len(listed) == INBOX_PAGE
    ours, baseline = paired_median_ms(service, bare, repeats)
    return Result("inbox_by_facet", ours, "ms", TARGET_MS, baseline=baseline)
