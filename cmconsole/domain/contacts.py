"""Contacts as the alias knows them: handles, notes, tags, facet ratings, and their history."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from cmconsole.domain.model import Claim, ContactThread, FollowUp

DO_NOT_ENGAGE = "do-not-engage"
DEFAULT_TAGS = ("VIP", "journalist", "partner", DO_NOT_ENGAGE)
TAG_LIMIT = 32  # characters in a tag's name
NOTE_LIMIT = 2000  # characters in a note: past that it is a document, not a note
REASON_LIMIT = 500
RATING_MIN, RATING_MAX = 0, 5


class Facet(StrEnum):
    """The six things influence is made of, as the alias rates a contact."""

    REACH = "reach"
    PROXIMITY = "proximity"
    EXPERTISE = "expertise"
    RELEVANCY = "relevancy"
    CREDIBILITY = "credibility"
    TRUST = "trust"


class DirectorySort(StrEnum):
    LAST_CONTACT = "last-contact"
    OPEN_PROMISES = "open-promises"
    # Who the alias should get to know: high relevancy and expertise, low proximity.
    GET_TO_KNOW = "get-to-know"


class HistoryKind(StrEnum):
    MESSAGE = "message"  # from the contact
    REPLY = "reply"  # the alias's, with its real author
    FOLLOW_UP = "follow-up"
    HANDOVER = "handover"  # one that mentions one of the contact's handles
    CLOSED = "thread.closed"
    REOPENED = "thread.reopened"
    HANDED = "thread.handed"
    TAKEN_OVER = "claim.taken_over"


def get_to_know_score(facets: dict[Facet, int]) -> int | None:
    """How much the alias would gain from knowing the contact better; None while neither their
    relevancy nor their expertise has been rated (nothing to go on)."""
    if Facet.RELEVANCY not in facets and Facet.EXPERTISE not in facets:
        return None
    return (
        facets.get(Facet.RELEVANCY, 0)
        + facets.get(Facet.EXPERTISE, 0)
        - facets.get(Facet.PROXIMITY, 0)
    )


@dataclass(frozen=True)
class Contact:
    id: int
    alias_id: int
    handles: tuple[str, ...]
    display_name: str
    language: str | None
    first_contact_at: datetime
    last_contact_at: datetime
    facets: dict[Facet, int] = field(default_factory=dict)  # the current rating of each rated
    erased_at: datetime | None = None  # their personal data erased on request (GDPR art. 17)
    # How many follow them, as the channel reported it, and when it was read: apart from the
    # operators' `reach` rating in `facets`.
    channel_reach: int | None = None
    channel_reach_at: datetime | None = None


@dataclass(frozen=True)
class ContactNote:
    """Append-only: a correction is a new note that names the one it corrects."""

    id: int
    contact_id: int
    author_id: int
    author_name: str
    text: str
    written_at: datetime
    pinned: bool
    by_trainee: bool
    corrects_id: int | None
    corrected: bool = False  # a later note corrects this one


@dataclass(frozen=True)
class FacetRating:
    facet: Facet
    value: int
    reason: str
    rated_by: str
    rated_at: datetime


@dataclass(frozen=True)
class HistoryItem:
    """One thing that passed between the alias and the contact, or about them."""

    kind: HistoryKind
    at: datetime
    text: str
    by: str | None = None  # the contact's handle, or the operator who did it
    approved_by: str | None = None
    ref: int | None = None  # the message, post, follow-up or handover id; the audit seq
    status: str = ""
    handle: str = ""  # which of the contact's handles it concerns
    # A private message (Mastodon's `direct`), or the reply to one: shown as such, never quoted.
    private: bool = False


@dataclass(frozen=True)
class ContactCard:
    contact: Contact
    tags: tuple[str, ...]
    notes: tuple[ContactNote, ...]  # pinned first, then newest first
    ratings: tuple[FacetRating, ...]  # the current one of each facet rated, in Facet order
    open_promises: tuple[FollowUp, ...]  # soonest due first
    history: tuple[HistoryItem, ...]  # oldest first
    threads: tuple[ContactThread, ...]
    claims: tuple[Claim, ...]

    @property
    def do_not_engage(self) -> bool:
        return DO_NOT_ENGAGE in self.tags


@dataclass(frozen=True)
class DirectoryEntry:
    contact: Contact
    tags: tuple[str, ...]
    open_promises: int


@dataclass(frozen=True)
class DirectoryPage:
    entries: tuple[DirectoryEntry, ...]
    page: int  # from 0
    more: bool


def ordered_notes(notes: list[ContactNote]) -> tuple[ContactNote, ...]:
    """Pinned notes first (among those not corrected since), then newest first; each marked if
    a later note corrects it."""
    corrected = {note.corrects_id for note in notes if note.corrects_id is not None}
    marked = [replace(note, corrected=note.id in corrected) for note in notes]
    return tuple(sorted(marked, key=lambda n: (not (n.pinned and not n.corrected), -n.id)))


@dataclass(frozen=True)
class ContactMerge:
    """A contact merged into another: the handles that moved with it."""

    id: int
    kept_id: int
    merged_id: int
    handles: tuple[str, ...]
    merged_at: datetime
