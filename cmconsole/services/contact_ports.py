"""The interface the contact services need from storage (kept apart: ports.py is long)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from cmconsole.domain.contacts import (
    Contact,
    ContactMerge,
    ContactNote,
    DirectoryEntry,
    DirectorySort,
    Facet,
    FacetRating,
    HistoryItem,
)
from cmconsole.domain.model import FollowUp


class ContactRepository(Protocol):
    def by_handle(self, alias_id: int, handle: str) -> Contact | None: ...
    def describe(self, contact_id: int, display_name: str, language: str | None) -> None: ...
    def record_reach(self, contact_id: int, followers: int, read_at: datetime) -> None:
        """Keep the reach the channel reported, and when it was read."""
        ...

    def add_note(
        self,
        contact: Contact,
        author_id: int,
        text: str,
        pinned: bool,
        by_trainee: bool,
        corrects_id: int | None,
        now: datetime,
    ) -> ContactNote: ...
    def notes(self, contact_id: int) -> list[ContactNote]:
        """Every note, oldest first."""
        ...

    def tag_list(self, alias_id: int) -> list[str] | None:
        """The alias's tags as a lead set them; None while the defaults apply."""
        ...

    def set_tag_list(
        self, alias_id: int, names: Sequence[str], by_id: int, now: datetime
    ) -> None: ...
    def tags(self, contact_id: int) -> list[str]: ...
    def tag(self, contact_id: int, name: str, by_id: int, now: datetime) -> bool: ...
    def untag(self, contact_id: int, name: str) -> bool: ...
    def rate(
        self, contact: Contact, facet: Facet, value: int, reason: str, by_id: int, now: datetime
    ) -> None: ...
    def ratings(self, contact_id: int, facet: Facet | None = None) -> list[FacetRating]:
        """Every rating given, oldest first."""
        ...

    def open_promises(self, alias_id: int, handles: Sequence[str]) -> list[FollowUp]: ...
    def history(self, alias_id: int, handles: Sequence[str]) -> list[HistoryItem]: ...
    def directory(
        self,
        alias_id: int,
        search: str,
        tag: str | None,
        sort: DirectorySort,
        limit: int,
        offset: int,
    ) -> list[DirectoryEntry]: ...
    def merge(self, kept: Contact, merged: Contact, by_id: int, now: datetime) -> int:
        """Move the merged contact's handles, notes, ratings and tags to the kept one; the
        merge's id."""
        ...

    def last_merge(self, kept_id: int, handle: str) -> ContactMerge | None:
        """The newest merge into the contact, not undone, that moved this handle to it."""
        ...

    def unmerge(self, merge_id: int, by_id: int, now: datetime) -> None: ...
    def erase(self, contact: Contact, now: datetime) -> dict[str, int]:
        """Redact the contact's profile and messages; how many rows of each kind were redacted
        and, of the notes and ratings `redact_notes` will redact, how many there are."""
        ...

    def redact_notes(self, contact: Contact) -> dict[str, int]:
        """Redact the team's notes and rating reasons about the contact (and the contacts merged
        into it), once the ledger records the erasure; how many rows of each."""
        ...
