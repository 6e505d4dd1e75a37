"""contact_card: the card of the busiest contact of the busiest alias, whole history included,
as the console and `cmconsole contact show` read it, against the same rows fetched by the bare
driver (the card's reads, one statement each, without mapping them to records)."""

from benchmarks.results import Result
from benchmarks.timing import paired_median_ms
from benchmarks.workspace import Plain, Workspace
from cmconsole.services.bundle import Services
from cmconsole.services.guard import SignedIn

TARGET_MS = 20.0
_THREAD_EVENTS = ("thread.closed", "thread.reopened", "thread.handed", "claim.taken_over")
_READS = (
    "SELECT c.* FROM contact c JOIN contact_handle h ON h.contact_id = c.id "
    "WHERE h.alias_id = ? AND h.handle = ?",
    "SELECT contact_id, handle FROM contact_handle WHERE contact_id = ? ORDER BY handle",
    "SELECT r.*, o.name FROM contact_rating r JOIN operator o ON o.id = r.rated_by "
    "WHERE r.contact_id = ? ORDER BY r.id",
    "SELECT name FROM contact_tag WHERE contact_id = ? ORDER BY name",
    "SELECT n.*, o.name FROM contact_note n JOIN operator o ON o.id = n.author_id "
    "WHERE n.contact_id = ? ORDER BY n.id",
)
_BY_HANDLE = (
    "SELECT * FROM follow_up WHERE alias_id = ? AND contact_handle = ? AND done_at IS NULL "
    "ORDER BY due_at, id",
    "SELECT * FROM inbound_message WHERE alias_id = ? AND author_handle = ?",
    "SELECT p.id, p.text, p.status, p.created_at, p.published_at, m.author_handle, a.name, "
    "ap.name FROM post p JOIN inbound_message m ON m.id = p.in_reply_to_id "
    "JOIN operator a ON a.id = p.author_id LEFT JOIN operator ap ON ap.id = p.approver_id "
    "WHERE m.alias_id = ? AND m.author_handle = ?",
    "SELECT f.*, o.name FROM follow_up f JOIN operator o ON o.id = f.created_by "
    "WHERE f.alias_id = ? AND f.contact_handle = ?",
    "SELECT * FROM contact_thread WHERE alias_id = ? AND contact_handle = ?",
    "SELECT * FROM claim WHERE alias_id = ? AND contact_handle = ?",
)
_HANDOVERS = (
    "SELECT h.*, o.name FROM handover h JOIN operator o ON o.id = h.author_id "
    "WHERE h.alias_id = ? AND (h.content LIKE ? ESCAPE '\\' OR h.summary LIKE ? ESCAPE '\\')"
)
_EVENTS = (
    "SELECT e.*, o.name FROM audit_event e LEFT JOIN operator o ON o.id = e.actor_id "
    "WHERE e.subject = ? AND e.alias_id = ? AND e.kind IN (?, ?, ?, ?)"
)


def run(
    workspace: Workspace, services: Services, plain: Plain, lead: SignedIn, repeats: int
) -> Result:
    alias = workspace.facts.alias_id
    [(handle, count)] = plain.fetch(
        "SELECT contact_handle, message_count FROM contact_thread WHERE alias_id = ? "
        "ORDER BY message_count DESC, id LIMIT 1",
        (alias,),
    )
    [(contact_id,)] = plain.fetch(
        "SELECT contact_id FROM contact_handle WHERE alias_id = ? AND handle = ?", (alias, handle)
    )
    pattern = "%" + handle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    def card() -> int:
        return len(services.contacts.card(lead, alias, handle).history)

    def bare_card() -> int:
        plain.fetch(_READS[0], (alias, handle))
        for statement in _READS[1:]:
            plain.fetch(statement, (contact_id,))
        rows = 0
        for statement in _BY_HANDLE:
            rows += len(plain.fetch(statement, (alias, handle)))
        rows += len(plain.fetch(_HANDOVERS, (alias, pattern, pattern)))
        rows += len(plain.fetch(_EVENTS, (handle, alias, *_THREAD_EVENTS)))
        return rows

    messages = services.contacts.card(lead, alias, handle).history
    assert sum(1 for item in messages if item.kind.value == "message") == count
    ours, baseline = paired_median_ms(card, bare_card, repeats)
    return Result("contact_card", ours, "ms", TARGET_MS, baseline=baseline)
