"""inbox_first_page and inbox_unanswered: the first page of the busiest alias's threads, with
their states, as the console asks for it, against the same rows fetched with the bare driver."""

from typing import Any

from benchmarks.results import Result
from benchmarks.timing import paired_median_ms
from benchmarks.workspace import Plain, Workspace
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
    return results
