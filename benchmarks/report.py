"""report_90_days: a lead's 90-day report on the busiest alias, as `R` and `cmconsole report`
read it; the baseline is the bare driver running the same six reads, without any counting."""

from datetime import timedelta

from benchmarks.results import Result
from benchmarks.timing import paired_median_ms
from benchmarks.workspace import Plain, Workspace
from cmconsole.services.bundle import Services
from cmconsole.services.guard import SignedIn

TARGET_MS = 1000.0
DAYS = 90
REPEATS = 10  # a report is read on demand, not on every keystroke: fewer runs suffice

_READS = (
    "SELECT id, author_handle, received_at FROM inbound_message "
    "WHERE alias_id = ? AND received_at >= ? AND received_at < ? ORDER BY id",
    "SELECT post.author_id, post.in_reply_to_id, replied.author_handle, post.published_at "
    "FROM post JOIN inbound_message AS replied ON replied.id = post.in_reply_to_id "
    "WHERE post.alias_id = ? AND post.status = 'published' "
    "AND post.published_at >= ? AND post.published_at < ?",
    "SELECT author_id, published_at, text FROM post WHERE alias_id = ? AND status = 'published' "
    "AND published_at >= ? AND published_at < ? AND in_reply_to_id IS NOT NULL",
    "SELECT contact_handle, closed_by, closed_at, closed_upto FROM contact_thread "
    "WHERE alias_id = ? AND closed_at >= ? AND closed_at < ?",
    "SELECT author_id, status, created_at, overrides FROM post WHERE alias_id = ? "
    "AND created_at >= ? AND created_at < ? AND (status = 'rejected' OR overrides != '{}')",
    "SELECT id, operator_id, started_at, ended_at FROM shift WHERE alias_id = ? "
    "AND started_at < ? AND (ended_at IS NULL OR ended_at >= ?) ORDER BY started_at, id",
)


def run(
    workspace: Workspace, services: Services, plain: Plain, lead: SignedIn, repeats: int
) -> Result:
    facts = workspace.facts
    until = facts.moment.date()
    since = until - timedelta(days=DAYS - 1)
    # The alias lives in UTC in the generated workspace: its days are UTC days.
    start = facts.moment.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=DAYS - 1
    )
    end = start + timedelta(days=DAYS)

    def report() -> object:
        return services.reports.report(lead, facts.alias_id, since, until)

    def bare() -> object:
        window = (facts.alias_id, plain.time(start), plain.time(end))
        rows = [plain.fetch(sql, window) for sql in _READS[:-1]]
        rows.append(plain.fetch(_READS[-1], (facts.alias_id, plain.time(end), plain.time(start))))
        return rows

    made = services.reports.report(lead, facts.alias_id, since, until)
    assert made.team is not None
    [(received,)] = plain.fetch(
        "SELECT COUNT(*) FROM inbound_message WHERE alias_id = ? "
        "AND received_at >= ? AND received_at < ?",
        (facts.alias_id, plain.time(start), plain.time(end)),
    )
    assert made.team.received == received > 0, (made.team.received, received)
    ours, baseline = paired_median_ms(report, bare, min(repeats, REPEATS))
    return Result("report_90_days", ours, "ms", TARGET_MS, baseline=baseline)
