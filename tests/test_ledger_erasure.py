"""A verification on SQLite reads a snapshot without holding the write lock, as on PostgreSQL."""

import threading

from cmconsole.wiring import open_services
from tests.conftest import PASSPHRASE


def test_a_verification_reads_a_snapshot_while_others_write(database_url, clock, monkeypatch):
    """Writers carry on during a verification, on a connection of their own in another thread:
    no "database is locked", and what they commit meanwhile is in neither the walk nor the rows
    it checks."""
    import cmconsole.services.verification as verification

    monkeypatch.setattr(verification, "PROGRESS_EVERY", 2)
    checking = open_services(database_url, clock=clock)
    writing = open_services(database_url, clock=clock)
    try:
        for n in range(5):
            writing.accounts.add_operator(f"op{n}", f"Op {n}", PASSPHRASE)
        added = iter(range(100))
        errors: list[BaseException] = []

        def write() -> None:
            try:
                writing.accounts.add_operator(f"late{next(added)}", "Late", PASSPHRASE)
            except BaseException as error:  # reported by the assertion below
                errors.append(error)

        def meanwhile(done, total):
            # The walk is held here, mid-chain, until the writer has committed.
            writer = threading.Thread(target=write)
            writer.start()
            writer.join()

        report = checking.audit.verify(progress=meanwhile)
        assert errors == []
        assert report.intact, [str(p) for p in report.tampered]
        assert report.events == 5
        assert checking.audit.verify().events == 7
    finally:
        checking.close()
        writing.close()
