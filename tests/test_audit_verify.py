"""Verifying the audit chain: each kind of tampering is named at its event, on every engine,
wherever it falls against the slices the walk is checked in (progress marks, the checkpoint)."""

import pytest
from sqlalchemy import create_engine, text

import cmconsole.services.verification as audit_service
from cmconsole.domain.audit_chain import record, record_hash
from cmconsole.services.audit import Checkpoint
from tests.conftest import PASSPHRASE

EVENTS = 7
CONTENT = "its content does not match its hash"
LINK = "its link to the previous event does not match"
REWRITTEN = (
    "it does not match the checkpoint at event {}: the chain was rewritten up to there and its "
    "hashes recomputed"
)
GENESIS = "0" * 64


@pytest.fixture(params=[10_000, 3], ids=["one-slice", "slices-of-3"])
def slices(request, monkeypatch):
    """With slices of 3, events 3 and 6 end a slice and 4 and 7 begin or end one."""
    monkeypatch.setattr(audit_service, "PROGRESS_EVERY", request.param)
    return request.param


@pytest.fixture
def chain(services):
    for n in range(EVENTS):
        services.accounts.add_operator(f"op{n}", f"Op {n}", PASSPHRASE)
    return services


def _rows(url):
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT seq, occurred_at, kind, actor_id, alias_id, subject, details, "
                "content_ref, content, prev_hash, hash FROM audit_event ORDER BY seq"
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def _tamper(url, *statements, params=None):
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_event_no_update"))
            connection.execute(text("DROP TRIGGER audit_event_no_delete"))
        else:
            connection.execute(text("DROP TRIGGER audit_event_no_change ON audit_event"))
        for statement in statements:
            connection.execute(text(statement), params or {})
    engine.dispose()


def _hash_of(url, seq):
    return GENESIS if seq == 0 else _rows(url)[seq - 1][10]


@pytest.mark.parametrize("bad", [1, 3, 4, 7])
def test_altered_content_is_named_at_its_event(chain, database_url, slices, bad):
    head = _hash_of(database_url, bad - 1)
    _tamper(database_url, f"UPDATE audit_event SET subject = 'forged' WHERE seq = {bad}")
    report = chain.audit.verify()
    assert (report.first_bad_seq, report.problem) == (bad, CONTENT)
    assert (report.events, report.head_hash) == (bad - 1, head)


@pytest.mark.parametrize("bad", [1, 3, 4, 7])
def test_a_broken_link_is_named_at_its_event(chain, database_url, slices, bad):
    # The forger fixes the event's own hash, so only its link gives it away.
    seq, *fields, ref, content, _prev, _digest = _rows(database_url)[bad - 1]
    forged_prev = "f" * 64
    digest = record_hash(record(seq, *fields, forged_prev, ref, content))
    _tamper(
        database_url,
        "UPDATE audit_event SET prev_hash = :prev, hash = :hash WHERE seq = :seq",
        params={"prev": forged_prev, "hash": digest, "seq": bad},
    )
    report = chain.audit.verify()
    assert (report.first_bad_seq, report.problem) == (bad, LINK)
    assert report.events == bad - 1


@pytest.mark.parametrize("missing", [1, 3, 4, 6])
def test_a_missing_event_is_named_by_the_one_found_in_its_place(
    chain, database_url, slices, missing
):
    _tamper(database_url, f"DELETE FROM audit_event WHERE seq = {missing}")
    report = chain.audit.verify()
    assert report.first_bad_seq == missing + 1
    assert report.problem == f"expected event {missing}, found {missing + 1}"
    assert report.events == missing - 1


def _rewrite_from(url, first):
    """Edit event `first` and recompute every hash after it, so that every link holds."""
    rows = _rows(url)
    prev = rows[first - 2][10] if first > 1 else GENESIS
    statements, params = [], {}
    for seq, stamped, kind, actor, alias, subject, details, ref, content, _, _ in rows[first - 1 :]:
        subject = "forged" if seq == first else subject
        digest = record_hash(
            record(seq, stamped, kind, actor, alias, subject, details, prev, ref, content)
        )
        statements.append(
            f"UPDATE audit_event SET subject = :s{seq}, prev_hash = :p{seq}, hash = :h{seq} "
            f"WHERE seq = {seq}"
        )
        params |= {f"s{seq}": subject, f"p{seq}": prev, f"h{seq}": digest}
        prev = digest
    _tamper(url, *statements, params=params)


@pytest.mark.parametrize("mark", [3, 4, 7])
def test_a_rewritten_chain_is_named_at_the_checkpoint(chain, database_url, slices, mark):
    kept = Checkpoint(mark, _hash_of(database_url, mark))
    _rewrite_from(database_url, 2)
    assert chain.audit.verify().intact
    report = chain.audit.verify(kept)
    assert (report.first_bad_seq, report.problem) == (mark, REWRITTEN.format(mark))
    assert (report.events, report.head_hash) == (mark - 1, _hash_of(database_url, mark - 1))


@pytest.mark.parametrize("mark", [3, 4, 7])
def test_a_rewrite_after_the_checkpoint_is_not_its_business(chain, database_url, slices, mark):
    kept = Checkpoint(mark, _hash_of(database_url, mark))
    if mark < EVENTS:
        _rewrite_from(database_url, mark + 1)
    assert chain.audit.verify(kept).intact


def test_a_cut_tail_is_named_against_the_checkpoint(chain, database_url, slices):
    kept = chain.audit.checkpoint()
    _tamper(database_url, "DELETE FROM audit_event WHERE seq >= 6")
    report = chain.audit.verify(kept)
    assert report.first_bad_seq == 6
    assert report.problem == (
        "the chain ends at event 5 but the checkpoint names event 7: "
        "events were removed from its end"
    )


def test_progress_comes_at_each_mark_and_not_at_the_checkpoint(chain, database_url, monkeypatch):
    monkeypatch.setattr(audit_service, "PROGRESS_EVERY", 3)
    calls: list[tuple[int, int]] = []
    report = chain.audit.verify(
        Checkpoint(4, _hash_of(database_url, 4)),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert report.intact and report.events == EVENTS
    assert calls == [(3, EVENTS), (6, EVENTS)]


def test_a_walk_ended_by_a_fault_leaves_the_workspace_usable(chain, database_url):
    _tamper(database_url, "UPDATE audit_event SET subject = 'forged' WHERE seq = 2")
    for _ in range(3):
        assert chain.audit.verify().first_bad_seq == 2
    chain.accounts.add_operator("late", "Late", PASSPHRASE)
    assert chain.audit.recent(1)[0].event.seq == EVENTS + 1
