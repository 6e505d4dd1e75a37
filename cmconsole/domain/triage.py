"""A thread as a unit of work: its state, derived here and nowhere else, and why it was closed."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ThreadState(StrEnum):
    """Where a contact's thread stands for the team."""

    NEW = "new"  # the fan waits, and nobody has answered or been handed the thread yet
    OPEN = "open"  # the fan waits in a conversation the team already holds (answered, handed)
    AWAITING_APPROVAL = "awaiting_approval"  # the reply is written; a lead has to approve it
    ANSWERED = "answered"
    CLOSED = "closed"  # settled without a reply; the fan's next message reopens it
    SPAM = "spam"  # closed as spam: it stays closed, whatever the sender writes next

    @property
    def waiting(self) -> bool:
        """Whether the fan still waits for the alias (what the unanswered count counts)."""
        return self in (ThreadState.NEW, ThreadState.OPEN, ThreadState.AWAITING_APPROVAL)

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ThreadState.NEW: "new",
    ThreadState.OPEN: "open",
    ThreadState.AWAITING_APPROVAL: "approval",
    ThreadState.ANSWERED: "answered",
    ThreadState.CLOSED: "closed",
    ThreadState.SPAM: "spam",
}
WAITING_STATES = tuple(state for state in ThreadState if state.waiting)


class CloseReason(StrEnum):
    """Why a thread was settled without a reply."""

    NO_REPLY_NEEDED = "no_reply_needed"
    HANDLED_ELSEWHERE = "handled_elsewhere"
    SPAM = "spam"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class Closing:
    """Who settled a thread without a reply, why, and up to which of the fan's messages."""

    reason: CloseReason
    note: str
    by_id: int
    at: datetime
    upto_inbound_id: int


@dataclass(frozen=True)
class Handing:
    """A thread passed to a named colleague, with the note they read first."""

    to_id: int
    to_name: str
    by_id: int
    by_name: str
    at: datetime
    note: str


def thread_state(
    *,
    waiting: bool,
    awaiting_approval: bool,
    answered_before: bool,
    handed: bool,
    closed_reason: CloseReason | None,
    closed_covers_newest: bool,
) -> ThreadState:
    """The one derivation of a thread's state from what storage knows of it.

    A closing covers the messages up to the newest one when it was made: a newer message from the
    fan reopens the thread (spam excepted: a spammer writing again stays in spam)."""
    if closed_reason is CloseReason.SPAM:
        return ThreadState.SPAM
    if closed_reason is not None and closed_covers_newest:
        return ThreadState.CLOSED
    if not waiting:
        return ThreadState.ANSWERED
    if awaiting_approval:
        return ThreadState.AWAITING_APPROVAL
    if answered_before or handed:
        return ThreadState.OPEN
    return ThreadState.NEW
