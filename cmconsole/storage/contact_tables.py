"""The contact tables: who the alias talks to, their handles, notes, tags and facet ratings."""

from datetime import datetime

from sqlalchemy import Index, SmallInteger, text
from sqlmodel import Field, SQLModel


class ContactRow(SQLModel, table=True):
    """A person the alias talks to, kept current as their messages arrive."""

    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_last", "alias_id", "last_contact_at"),
        # The inbox sorted by a facet finds the rated contacts through these.
        *(
            Index(f"ix_contact_{facet}", "alias_id", facet)
            for facet in ("reach", "proximity", "expertise", "relevancy", "credibility", "trust")
        ),
        # A card reads the contacts merged into its own; few ever are (migration 0026).
        Index(
            "ix_contact_merged_into",
            "merged_into",
            sqlite_where=text("merged_into IS NOT NULL"),
            postgresql_where=text("merged_into IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    alias_id: int = Field(foreign_key="alias.id")
    display_name: str = Field(default="", max_length=100)
    language: str | None = Field(default=None, max_length=8)
    first_contact_at: datetime
    last_contact_at: datetime
    # The current rating of each facet (the newest in contact_rating), kept here so that the
    # directory sorts by them without reading every rating ever given.
    reach: int | None = Field(default=None, sa_type=SmallInteger)
    proximity: int | None = Field(default=None, sa_type=SmallInteger)
    expertise: int | None = Field(default=None, sa_type=SmallInteger)
    relevancy: int | None = Field(default=None, sa_type=SmallInteger)
    credibility: int | None = Field(default=None, sa_type=SmallInteger)
    trust: int | None = Field(default=None, sa_type=SmallInteger)
    # Set while the contact is merged into another: it then has no handle of its own.
    merged_into: int | None = Field(default=None, foreign_key="contact.id")
    erased_at: datetime | None = None  # when their personal data was erased (GDPR art. 17)
    # Their reach as the channel reports it (followers), and when it was read: apart from the
    # operators' `reach` rating above.
    channel_reach: int | None = None
    channel_reach_at: datetime | None = None


class ContactHandleRow(SQLModel, table=True):
    """A handle of a contact: on one alias, each handle belongs to one contact."""

    __tablename__ = "contact_handle"

    alias_id: int = Field(foreign_key="alias.id", primary_key=True)
    handle: str = Field(max_length=64, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)


class ContactNoteRow(SQLModel, table=True):
    """Append-only: a correction is a new note naming the one it corrects."""

    __tablename__ = "contact_note"
    __table_args__ = (Index("ix_contact_note_contact", "contact_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    alias_id: int = Field(foreign_key="alias.id")
    author_id: int = Field(foreign_key="operator.id")
    written_at: datetime
    text: str
    pinned: bool = False
    by_trainee: bool = False
    corrects_id: int | None = Field(default=None, foreign_key="contact_note.id")
    # The salt of the text's stamp in the ledger (domain.content): erased with the text.
    content_salt: str | None = Field(default=None, max_length=32)


class ContactTagListRow(SQLModel, table=True):
    """The tags a lead has chosen for an alias; without a row, the defaults."""

    __tablename__ = "contact_tag_list"

    alias_id: int = Field(foreign_key="alias.id", primary_key=True)
    names: str  # JSON list, in the lead's order
    edited_by: int = Field(foreign_key="operator.id")
    edited_at: datetime


class ContactTagRow(SQLModel, table=True):
    __tablename__ = "contact_tag"
    __table_args__ = (Index("ix_contact_tag_name", "name", "contact_id"),)

    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    name: str = Field(max_length=32, primary_key=True)
    tagged_by: int = Field(foreign_key="operator.id")
    tagged_at: datetime


class ContactRatingRow(SQLModel, table=True):
    """Append-only: every rating of a facet ever given, with who gave it and why."""

    __tablename__ = "contact_rating"
    __table_args__ = (Index("ix_contact_rating_contact", "contact_id", "facet", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    alias_id: int = Field(foreign_key="alias.id")
    facet: str = Field(max_length=16)
    value: int = Field(sa_type=SmallInteger)
    reason: str
    rated_by: int = Field(foreign_key="operator.id")
    rated_at: datetime


class ContactMergeRow(SQLModel, table=True):
    """A merge of one contact into another, with what moved (JSON), so that it can be undone."""

    __tablename__ = "contact_merge"
    __table_args__ = (Index("ix_contact_merge_merged", "merged_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    alias_id: int = Field(foreign_key="alias.id")
    kept_id: int = Field(foreign_key="contact.id")
    merged_id: int = Field(foreign_key="contact.id")
    moved: str
    merged_by: int = Field(foreign_key="operator.id")
    merged_at: datetime
    undone_by: int | None = Field(default=None, foreign_key="operator.id")
    undone_at: datetime | None = None
