"""desk_refresh and desk_idle: the busiest alias's whole desk, read in one transaction, against
the bare statements it needs; and an idle refresh (nothing changed), which is one counter read."""

from typing import Any

from benchmarks.results import Result
from benchmarks.timing import paired_median_ms
from benchmarks.workspace import Plain, Workspace
from cmconsole.services.bundle import Services
from cmconsole.services.desk_model import DeskFilters
from cmconsole.services.guard import SignedIn
from cmconsole.storage.converters import POST_COLUMNS

# The post's own columns, named (PostgreSQL keeps its search words beside them, migration 0014).
_POST = ", ".join(f"post.{column}" for column in POST_COLUMNS)

RATIO_TARGET = 3.0
IDLE_TARGET_MS = 1.0

# The statements the desk needs, as a hand-written client would send them: the same rows, in
# as few statements, with no mapping.
_BARE = [
    ("SELECT id, name, active FROM operator WHERE id = ?", "operator"),
    ("SELECT * FROM alias WHERE id = ?", "alias"),
    ("SELECT role FROM membership WHERE operator_id = ? AND alias_id = ?", "operator alias"),
    ("SELECT sum(version) FROM desk_change WHERE alias_id IN (0, ?)", "alias"),
    (
        f"SELECT {_POST}, operator.name, inbound_message.text, inbound_message.author_handle "
        "FROM post LEFT JOIN operator ON operator.id = post.author_id "
        "LEFT JOIN inbound_message ON inbound_message.id = post.in_reply_to_id "
        "WHERE post.alias_id = ? AND post.status = 'awaiting_approval' ORDER BY post.id LIMIT 200",
        "alias",
    ),
    (
        "SELECT claim.*, operator.name FROM claim JOIN operator ON operator.id = "
        "claim.operator_id WHERE claim.alias_id = ? AND claim.expires_at > ?",
        "alias now",
    ),
    (
        "SELECT contact_thread.*, inbound_message.text, handed_to.name, handed_by.name "
        "FROM contact_thread JOIN inbound_message "
        "ON inbound_message.id = contact_thread.last_inbound_id "
        "LEFT JOIN operator AS handed_to ON handed_to.id = contact_thread.handed_to "
        "LEFT JOIN operator AS handed_by ON handed_by.id = contact_thread.handed_by "
        "WHERE contact_thread.alias_id = ? AND contact_thread.state <> 'spam' "
        "ORDER BY contact_thread.last_activity_at DESC, contact_thread.id DESC LIMIT 200",
        "alias",
    ),
    (
        "SELECT count(*) FROM (SELECT id FROM contact_thread WHERE alias_id = ? "
        "AND state IN ('new', 'open', 'awaiting_approval') LIMIT 1001) AS waiting",
        "alias",
    ),
    (
        "SELECT * FROM post WHERE alias_id = ? AND status IN "
        "('queued', 'sending', 'unknown', 'failed') ORDER BY id + 0 DESC LIMIT 200",
        "alias",
    ),
    (
        "SELECT handover.*, operator.name FROM handover JOIN operator ON operator.id = "
        "handover.author_id WHERE handover.alias_id = ? ORDER BY handover.id DESC LIMIT 200",
        "alias",
    ),
    (
        "SELECT handover_ack.handover_id, operator.name, handover_ack.acknowledged_at "
        "FROM handover_ack JOIN operator ON operator.id = handover_ack.operator_id "
        "WHERE handover_ack.handover_id IN (SELECT id FROM handover WHERE alias_id = ? "
        "ORDER BY id DESC LIMIT 200)",
        "alias",
    ),
    (
        "SELECT audit_event.*, operator.name, alias.handle FROM audit_event "
        "LEFT JOIN operator ON operator.id = audit_event.actor_id "
        "LEFT JOIN alias ON alias.id = audit_event.alias_id WHERE audit_event.alias_id = ? "
        "AND audit_event.kind <> 'inbox.synced' ORDER BY audit_event.seq DESC LIMIT 200",
        "alias",
    ),
    (
        "SELECT post.id, post.text FROM post WHERE post.id IN (SELECT CAST(substr(subject, 6) "
        "AS INTEGER) FROM audit_event WHERE alias_id = ? AND substr(kind, 1, 5) = 'post.' "
        "ORDER BY seq DESC LIMIT 200)",
        "alias",
    ),
    (
        "SELECT shift.*, operator.name FROM shift JOIN operator ON operator.id = "
        "shift.operator_id WHERE shift.alias_id = ? AND shift.ended_at IS NULL",
        "alias",
    ),
    (
        "SELECT * FROM follow_up WHERE alias_id = ? AND done_at IS NULL AND due_at < ?",
        "alias now",
    ),
    (
        "SELECT * FROM shift WHERE operator_id = ? AND alias_id = ? ORDER BY id DESC LIMIT 2",
        "operator alias",
    ),
    (
        "SELECT handover.id FROM handover LEFT JOIN handover_ack ON handover_ack.handover_id = "
        "handover.id AND handover_ack.operator_id = ? WHERE handover.alias_id = ? "
        "AND handover_ack.handover_id IS NULL ORDER BY handover.id DESC LIMIT 3",
        "operator alias",
    ),
    (
        "SELECT guide_version.*, operator.name FROM guide_version LEFT JOIN operator "
        "ON operator.id = guide_version.created_by WHERE guide_version.alias_id = ? "
        "ORDER BY guide_version.version DESC",
        "alias",
    ),
    (
        "SELECT max(version) FROM guide_ack WHERE alias_id = ? AND operator_id = ?",
        "alias operator",
    ),
    (
        "SELECT operator.*, membership.role FROM membership JOIN operator ON operator.id = "
        "membership.operator_id WHERE membership.alias_id = ?",
        "alias",
    ),
]


def run(
    workspace: Workspace, services: Services, plain: Plain, lead: SignedIn, repeats: int
) -> list[Result]:
    facts = workspace.facts
    values = {
        "alias": facts.alias_id,
        "operator": lead.operator_id,
        "now": plain.time(facts.moment),
    }
    statements = [(sql, tuple(values[name] for name in names.split())) for sql, names in _BARE]
    # The timeline comes from the channel, outside the transaction: not what is compared here.
    filters = DeskFilters(timeline=False)

    def bare() -> list[list[Any]]:
        return [plain.fetch(sql, parameters) for sql, parameters in statements]

    def desk() -> object:
        return services.desk.read(lead, facts.alias_id, filters)

    model = services.desk.read(lead, facts.alias_id, filters)
    assert model.threads and model.audit, "the busiest alias's desk is empty"
    assert all(e.event.kind != "inbox.synced" for e in model.audit)
    ours, baseline = paired_median_ms(desk, bare, repeats)
    refresh = Result("desk_refresh", ours, "ms", RATIO_TARGET * baseline, baseline=baseline)

    version_sql = _BARE[3][0]
    idle, idle_baseline = paired_median_ms(
        lambda: services.desk.version(facts.alias_id),
        lambda: plain.fetch(version_sql, (facts.alias_id,)),
        repeats * 20,
    )
    return [refresh, Result("desk_idle", idle, "ms", IDLE_TARGET_MS, baseline=idle_baseline)]
