"""The checker never holds the database's write lock: another console writes while a draft is
being checked, and a guide changed meanwhile is the one the draft is finally checked against."""

import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import cmconsole.domain.checker as checker
from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import PostStatus
from cmconsole.services.bundle import Services
from cmconsole.services.posting import DraftRefused
from cmconsole.wiring import open_services
from tests.conftest import PASSPHRASE, Team, make_team, receive

GUIDE_V1 = '[prose]\n"Who we are" = "A brand that says super when it is."\n'
GUIDE_V2 = (
    '[prose]\n"Who we are" = "A brand that never says super."\n\n'
    '[[rules]]\nid = "no-super"\nkind = "forbidden"\nseverity = "error"\nterms = ["super"]\n'
)


class HeldCheck:
    """The real checker, held at its first call until released: a slow draft, on cue."""

    def __init__(self) -> None:
        self.entered, self.released = threading.Event(), threading.Event()
        self.calls = 0

    def wrap(self, real: Callable[..., checker.CheckResult]) -> Callable[..., checker.CheckResult]:
        def held(*args: object, **kwargs: object) -> checker.CheckResult:
            self.calls += 1
            if self.calls == 1:
                self.entered.set()
                assert self.released.wait(60), "the test never released the check"
            return real(*args, **kwargs)

        return held


@pytest.fixture
def held(monkeypatch) -> HeldCheck:
    """Every service module that runs the checker gets the held one."""
    hold = HeldCheck()
    real = checker.check
    for name, module in list(sys.modules.items()):
        if name.startswith("cmconsole.services") and getattr(module, "check", None) is real:
            monkeypatch.setattr(module, "check", hold.wrap(real))
    return hold


@pytest.fixture
def consoles(database_url: str) -> Iterator[tuple[Services, Services, Team, int]]:
    """Two consoles on one database (a SQLite file, then PostgreSQL), each with its own
    connections; a message waiting for the first console's operator."""
    first, second = open_services(database_url), open_services(database_url)
    team = make_team(first)
    message_id = receive(first, team.alias, "@fan", "@brand is it good?")
    first.shifts.start(team.operator, team.alias.id)
    yield first, second, team, message_id
    first.close()
    second.close()


def _reply_in_background(
    services: Services, team: Team, message_id: int, text: str
) -> tuple[threading.Thread, dict[str, object]]:
    outcome: dict[str, object] = {}

    def reply() -> None:
        try:
            outcome["post"] = services.posting.reply(team.operator, message_id, text)
        except CmconsoleError as error:
            outcome["error"] = error

    worker = threading.Thread(target=reply)
    worker.start()
    return worker, outcome


def test_another_console_writes_while_a_draft_is_being_checked(consoles, held):
    first, second, team, message_id = consoles
    worker, outcome = _reply_in_background(first, team, message_id, "It is super good")
    assert held.entered.wait(30), "the reply never reached the checker"
    try:
        # With the checker inside the write transaction this waited out the busy timeout and
        # failed "database is locked".
        added = second.accounts.add_operator("zoe", "Zoé Second", PASSPHRASE, by=team.lead)
    finally:
        held.released.set()
        worker.join(60)
    assert added.name == "zoe"
    post = outcome.get("post")
    assert post is not None, outcome
    assert post.status is PostStatus.QUEUED  # type: ignore[attr-defined]


def test_a_guide_changed_during_the_check_is_the_one_the_draft_answers_to(
    consoles, held, tmp_path: Path
):
    first, second, team, message_id = consoles
    lenient = tmp_path / "v1.toml"
    lenient.write_text(GUIDE_V1, encoding="utf-8")
    first.guides.import_file("@brand", lenient, by=team.lead)
    first.guides.acknowledge(team.operator, team.alias.id, 1)
    worker, outcome = _reply_in_background(first, team, message_id, "It is super good")
    assert held.entered.wait(30), "the reply never reached the checker"
    try:
        stricter = tmp_path / "v2.toml"
        stricter.write_text(GUIDE_V2, encoding="utf-8")
        second.guides.import_file("@brand", stricter, by=team.lead)
    finally:
        held.released.set()
        worker.join(60)
    refused = outcome.get("error")
    assert isinstance(refused, DraftRefused), outcome
    assert [f.rule for f in refused.findings] == ["no-super"]
    assert first.posting.posts(team.operator, team.alias.id) == []
