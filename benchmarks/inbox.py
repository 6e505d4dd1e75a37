"""inbox_first_page and inbox_unanswered: the first page of the busiest alias's threads, as the
console asks for it every second, against the same rows fetched with the bare driver."""

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
    "inbound_message.text FROM contact_thread JOIN inbound_message "
    "ON inbound_message.id = contact_thread.last_inbound_id "
    "WHERE contact_thread.alias_id = ?{unanswered} "
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
        condition = ""
        if which is InboxFilter.UNANSWERED:
            truth = "1" if plain.database == "sqlite" else "true"
            condition = f" AND contact_thread.unanswered IS {truth}"
        threads_sql = _THREADS.format(unanswered=condition)

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
