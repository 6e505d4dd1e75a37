"""A post's text can be erased (GDPR art. 17) without breaking the ledger: no audit event holds a
post's or a fan's text, only the salted stamp; erasing the text with its salt leaves verify
intact and `audit who` saying so, while any other edit is still tampering. And a verification
on SQLite reads a snapshot without holding the write lock. On every engine."""

import threading

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from cmconsole.cli import main
from cmconsole.wiring import open_services
from tests.conftest import PASSPHRASE, receive

FAN = "@brand my parcel 4471 never came, I live at 12 Elm Road"
DRAFT = "We will check and come back"
EDITED = "Sorry about parcel 4471: we are on it and will write back today"


def _sql(url, *statements):
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            results = [connection.execute(text(s)) for s in statements]
            return [r.all() for r in results if r.returns_rows]
    finally:
        engine.dispose()


def _edited_and_published(services, team, draft=DRAFT, edited=EDITED, fan=FAN):
    message = receive(services, team.alias, "@fan", fan)
    post = services.posting.reply(team.trainee, message, draft)
    services.posting.approve(team.lead, post.id, edited)
    services.dispatcher.dispatch_pending()
    return services.posting.post(team.lead, post.id)


def _erase(url, post_id):
    """What issue 12's erasure does to a post: its text and its salt, nothing else."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE post SET text = '', content_salt = NULL WHERE id = :id"),
                {"id": post_id},
            )
    finally:
        engine.dispose()


def _who(url, post_id):
    command = ["audit", "who", str(post_id), "--db", url, "--as", "lena", "--passphrase-stdin"]
    return CliRunner().invoke(main, command, input=f"{PASSPHRASE}\n")


def test_no_audit_event_holds_a_posts_or_a_fans_text(services, database_url, team):
    for who in (team.trainee, team.lead, team.operator):
        services.shifts.start(who, team.alias.id)
    post = _edited_and_published(services, team)
    assert post.text == EDITED
    greeting = receive(services, team.alias, "@f2", "@brand hi")
    services.posting.reply(team.operator, greeting, "Hi!")
    [rows] = _sql(database_url, "SELECT kind, details FROM audit_event")
    leaked = [(kind, d) for kind, d in rows for words in (DRAFT, EDITED, FAN, "Hi!") if words in d]
    assert leaked == []
    assert {"post.awaiting_approval", "post.edited_and_approved", "post.published"} <= {
        kind for kind, _ in rows
    }


def test_an_edited_published_post_erased_as_designed_keeps_the_ledger_intact(
    services, database_url, team
):
    for who in (team.trainee, team.lead):
        services.shifts.start(who, team.alias.id)
    erased = _edited_and_published(services, team)
    kept = _edited_and_published(services, team, "Checking", "Checking now, sorry", "@brand hey")
    assert services.audit.verify().intact
    # Every reader of the audit shows a post's text from the post row.
    shown = {
        e.event.kind: e.post_text
        for e in services.audit.for_alias(team.lead, team.alias.id)
        if e.event.subject == f"post {erased.id}"
    }
    assert shown["post.published"] == EDITED and shown["post.edited_and_approved"] == EDITED

    _erase(database_url, erased.id)
    report = services.audit.verify()
    assert report.intact, [str(p) for p in report.tampered]
    assert report.redacted == [f"post {erased.id}"]
    who = _who(database_url, erased.id)
    assert who.exit_code == 0, who.output
    assert "text erased" in who.output
    assert "written by   Tina Trainee (tina)" in who.output
    assert "approved by  Lena Lead (lena)" in who.output
    assert "post.edited_and_approved\tlena" in who.output
    assert EDITED not in who.output and DRAFT not in who.output
    after = [
        e.post_text
        for e in services.audit.for_alias(team.lead, team.alias.id)
        if e.event.subject == f"post {erased.id}" and e.event.kind == "post.published"
    ]
    assert after == [""]

    # The same kind of row edited any other way is tampering, and says which event it breaks.
    _sql(database_url, f"UPDATE post SET text = 'We never said that' WHERE id = {kept.id}")
    report = services.audit.verify()
    assert [(p.ref, p.fields) for p in report.tampered] == [(f"post {kept.id}", ("text",))]
    assert report.redacted == [f"post {erased.id}"]
    assert "does not match: text" in _who(database_url, kept.id).output


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
