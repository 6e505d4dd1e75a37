"""home_agent, home_lead, home_idle: the home read of a person on 5 of the 20 aliases and of a
lead of all 20, against the bare statements it needs; and an idle refresh (one counter read)."""

from typing import Any

from sqlalchemy import create_engine, text

from benchmarks.generate import PASSPHRASE
from benchmarks.results import Result
from benchmarks.timing import paired_median_ms
from benchmarks.workspace import Plain, Workspace
from cmconsole.domain.model import Role
from cmconsole.services.bundle import Services
from cmconsole.services.guard import SignedIn

TARGET_MS = 50.0
IDLE_TARGET_MS = 1.0
AGENT, LEAD = "bench-agent", "bench-lead"  # added once to the generated workspace

# What a hand-written client sends for a home: the person, their aliases, the counters, who is
# on shift, then per alias what waits and what the person must read.
_PERSON = [
    "SELECT id, name, active FROM operator WHERE id = ?",
    "SELECT alias.*, membership.role FROM alias JOIN membership ON membership.alias_id = "
    "alias.id WHERE membership.operator_id = ? ORDER BY alias.handle",
]
_PER_ALIAS = [
    (
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM contact_thread WHERE alias_id = ? AND state "
        "IN ('new', 'open') LIMIT 1001) AS t), (SELECT min(waiting_since) FROM contact_thread "
        "WHERE alias_id = ? AND state = 'new'), (SELECT min(waiting_since) FROM contact_thread "
        "WHERE alias_id = ? AND state = 'open'), (SELECT count(*) FROM (SELECT 1 FROM post WHERE "
        "alias_id = ? AND status = 'awaiting_approval' LIMIT 1001) AS a), (SELECT count(*) FROM "
        "(SELECT 1 FROM post WHERE alias_id = ? AND status = 'failed' LIMIT 1001) AS f), "
        "(SELECT count(*) FROM follow_up WHERE alias_id = ? AND done_at IS NULL AND due_at <= ?)",
        "alias alias alias alias alias alias now",
    ),
    (
        "SELECT * FROM shift WHERE operator_id = ? AND alias_id = ? AND ended_at IS NULL",
        "operator alias",
    ),
    (
        "SELECT * FROM shift WHERE operator_id = ? AND alias_id = ? AND ended_at IS NOT NULL "
        "ORDER BY id DESC LIMIT 1",
        "operator alias",
    ),
    ("SELECT max(id) FROM handover WHERE alias_id = ?", "alias"),
    (
        "SELECT count(*) FROM (SELECT 1 FROM handover WHERE alias_id = ? AND author_id <> ? AND "
        "NOT EXISTS (SELECT 1 FROM handover_ack WHERE handover_ack.handover_id = handover.id "
        "AND handover_ack.operator_id = ?) LIMIT 3) AS h",
        "alias operator operator",
    ),
    (
        "SELECT * FROM guide_version WHERE alias_id = ? ORDER BY version DESC LIMIT 1",
        "alias",
    ),
    (
        "SELECT max(version) FROM guide_ack WHERE alias_id = ? AND operator_id = ?",
        "alias operator",
    ),
    (
        "SELECT max(ended_at) FROM shift WHERE operator_id = ? AND alias_id = ? AND ended_at < ?",
        "operator alias now",
    ),
]


def _people(workspace: Workspace, services: Services) -> dict[str, tuple[int, list[int]]]:
    """The two benchmark people, added once through the services (audited, so that the ledger
    still verifies): the agent on the busiest alias and four more, the lead on all of them.
    Each alias's own lead grants the role, as the console requires."""
    engine = create_engine(workspace.url)
    try:
        with engine.connect() as db:
            aliases = [
                tuple(row) for row in db.execute(text("SELECT id, handle FROM alias ORDER BY id"))
            ]
            leads = {
                alias_id: SignedIn(operator_id, name)
                for alias_id, operator_id, name in db.execute(
                    text(
                        "SELECT membership.alias_id, operator.id, operator.name FROM membership "
                        "JOIN operator ON operator.id = membership.operator_id "
                        "WHERE membership.role = 'lead' AND operator.active"
                    )
                )
            }
    finally:
        engine.dispose()
    found = {}
    plan = ((AGENT, Role.OPERATOR, aliases[:5]), (LEAD, Role.LEAD, aliases))
    for name, role, granted in plan:
        existing = next((o for o in services.accounts.operators() if o.name == name), None)
        if existing is None:
            first = leads[granted[0][0]]
            existing = services.accounts.add_operator(name, name, PASSPHRASE, by=first)
            for alias_id, handle in granted:
                services.accounts.grant(name, handle, role, by=leads[alias_id])
        found[name] = (existing.id, [alias_id for alias_id, _ in granted])
    return found


def run(workspace: Workspace, services: Services, plain: Plain, repeats: int) -> list[Result]:
    now = plain.time(workspace.facts.moment)
    results: list[Result] = []
    for name, (operator_id, alias_ids) in _people(workspace, services).items():
        results += _measure(services, plain, SignedIn(operator_id, name), alias_ids, now, repeats)
    return results


def _measure(
    services: Services,
    plain: Plain,
    who: SignedIn,
    alias_ids: list[int],
    now: object,
    repeats: int,
) -> list[Result]:
    operator_id = who.operator_id
    marks = ", ".join("?" for _ in alias_ids)
    version_sql = (
        f"SELECT (SELECT coalesce(sum(version), 0) FROM desk_change WHERE alias_id IN (0, {marks}))"
        " + (SELECT count(*) FROM membership WHERE operator_id = ?)"
    )
    statements: list[tuple[str, tuple[Any, ...]]] = [(sql, (operator_id,)) for sql in _PERSON]
    statements.append((version_sql, (*alias_ids, operator_id)))
    statements.append(
        (
            "SELECT shift.alias_id, operator.name, coalesce(shift.heartbeat_at, shift.started_at) "
            f"FROM shift JOIN operator ON operator.id = shift.operator_id WHERE shift.alias_id IN "
            f"({marks}) AND shift.ended_at IS NULL ORDER BY shift.started_at",
            tuple(alias_ids),
        )
    )
    for alias_id in alias_ids:
        values = {"alias": alias_id, "operator": operator_id, "now": now}
        statements += [(sql, tuple(values[n] for n in names.split())) for sql, names in _PER_ALIAS]

    def bare() -> list[list[Any]]:
        return [plain.fetch(sql, parameters) for sql, parameters in statements]

    model = services.home.read(who)
    assert len(model.aliases) == len(alias_ids), "the benchmark person's aliases are missing"
    assert any(row.unanswered for row in model.aliases), "nothing waits on the aliases"
    ours, baseline = paired_median_ms(lambda: services.home.read(who), bare, repeats)
    label = "home_agent" if who.name == AGENT else "home_lead"
    results = [Result(label, ours, "ms", TARGET_MS, baseline=baseline)]
    if who.name == LEAD:
        idle, idle_baseline = paired_median_ms(
            lambda: services.home.version(who, model.alias_ids),
            lambda: plain.fetch(version_sql, (*alias_ids, operator_id)),
            repeats * 20,
        )
        results.append(Result("home_idle", idle, "ms", IDLE_TARGET_MS, baseline=idle_baseline))
    return results
