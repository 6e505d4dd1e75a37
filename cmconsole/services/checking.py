"""Drafts are checked outside any transaction: a unit of work that needs a check is rolled back,
the draft checked, and the unit run again, so no checker ever holds the database's write lock."""

from collections.abc import Callable
from typing import TypeVar

from cmconsole.domain.channel_limits import PostLimits
from cmconsole.domain.checker import CheckResult, check
from cmconsole.domain.errors import InvalidInput
from cmconsole.domain.guide import Guide
from cmconsole.domain.model import Alias
from cmconsole.services.channel_rules import post_limits
from cmconsole.services.guides import current_guide, guide_to_check
from cmconsole.services.ports import Transaction, Workspace

T = TypeVar("T")
# A unit is run again each time the guide changed while its draft was being checked; a guide
# edited more often than that is an attack or a loop, not a team.
ROUNDS = 5

_Key = tuple[object, ...]


class GuideKeptChanging(InvalidInput):
    """The guide changed each time the draft was checked: nothing was saved."""


class _Unchecked(Exception):
    """The unit asked for a check not made yet against the guide in force: roll back, check."""

    def __init__(
        self,
        key: _Key,
        text: str,
        guide: Guide | None,
        initials: str,
        channel: str,
        limits: PostLimits | None,
    ) -> None:
        super().__init__("unchecked draft")
        self.key, self.text, self.guide, self.initials = key, text, guide, initials
        self.channel, self.limits = channel, limits


class Checks:
    """The results of the drafts a unit of work checked, by what they were checked against."""

    def __init__(self) -> None:
        self._results: dict[_Key, CheckResult] = {}

    def result(self, tx: Transaction, alias: Alias, text: str, initials: str) -> CheckResult:
        """The draft's result against the alias's guide as it is in this transaction."""
        current = current_guide(tx, alias)
        version = current.version.version if current else None
        limits = post_limits(tx, alias)
        # A stored version never changes: its number names the guide. With no guide, the
        # alias's signature policy decides the length counted.
        key = (
            text,
            initials,
            alias.id,
            version,
            alias.signature_kind,
            alias.signature_text,
            alias.channel,
            limits,
        )
        found = self._results.get(key)
        if found is None:
            guide = guide_to_check(alias, current)
            raise _Unchecked(key, text, guide, initials, alias.channel, limits)
        return found

    def check_now(self, wanted: _Unchecked) -> None:
        self._results[wanted.key] = check(
            wanted.text,
            wanted.guide,
            author_initials=wanted.initials,
            channel=wanted.channel,
            limits=wanted.limits,
        )


def run_checked(workspace: Workspace, unit: Callable[[Transaction, Checks], T]) -> T:
    """Run `unit` in a transaction; the drafts it checks are checked between transactions."""
    checks = Checks()
    for _ in range(ROUNDS + 1):
        try:
            with workspace.transaction() as tx:
                return unit(tx, checks)
        except _Unchecked as wanted:
            checks.check_now(wanted)  # no transaction is open here
    raise GuideKeptChanging(
        "the guide changed each time this draft was checked; nothing was saved: check it again"
    )
