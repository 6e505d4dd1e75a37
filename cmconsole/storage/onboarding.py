"""Repository of trainees' onboarding: steps done, practice replies, and what they learn from."""

from datetime import datetime

from sqlalchemy import exists, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from cmconsole.domain.model import InboundMessage, Post, PostStatus
from cmconsole.storage import converters
from cmconsole.storage.tables import (
    InboundMessageRow,
    OnboardingStepRow,
    PostRow,
    PracticeReplyRow,
)


class SqlOnboarding:
    def __init__(self, session: Session) -> None:
        self._session = session

    def mark(self, alias_id: int, operator_id: int, step: str, now: datetime) -> bool:
        """Record the step as done; False if it already was."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(OnboardingStepRow)
            .values(alias_id=alias_id, operator_id=operator_id, step=step, done_at=now)
            .on_conflict_do_nothing(index_elements=["alias_id", "operator_id", "step"])
            # RETURNING, not rowcount: psycopg reports -1 rows for this statement.
            .returning(col(OnboardingStepRow.step))
        )
        return self._session.execute(statement).first() is not None

    def unmark(self, alias_id: int, operator_id: int, step: str) -> None:
        self._session.execute(
            delete(OnboardingStepRow).where(
                col(OnboardingStepRow.alias_id) == alias_id,
                col(OnboardingStepRow.operator_id) == operator_id,
                col(OnboardingStepRow.step) == step,
            )
        )

    def done(self, alias_id: int, operator_id: int) -> dict[str, datetime]:
        rows = self._session.exec(
            select(OnboardingStepRow).where(
                OnboardingStepRow.alias_id == alias_id,
                OnboardingStepRow.operator_id == operator_id,
            )
        )
        return {row.step: row.done_at for row in rows}

    def add_practice(
        self,
        alias_id: int,
        operator_id: int,
        inbound_id: int,
        text: str,
        closeness: int,
        errors: int,
        warnings: int,
        now: datetime,
    ) -> None:
        self._session.add(
            PracticeReplyRow(
                alias_id=alias_id,
                operator_id=operator_id,
                inbound_id=inbound_id,
                text=text,
                closeness=closeness,
                errors=errors,
                warnings=warnings,
                created_at=now,
            )
        )

    def practised(self, alias_id: int, operator_id: int) -> int:
        return int(
            self._session.exec(
                select(func.count(func.distinct(PracticeReplyRow.inbound_id))).where(
                    PracticeReplyRow.alias_id == alias_id,
                    PracticeReplyRow.operator_id == operator_id,
                )
            ).one()
        )

    def answered_history(
        self, alias_id: int, operator_id: int, limit: int, clean_only: bool = False
    ) -> list[tuple[InboundMessage, Post]]:
        """Past messages of the alias with the reply it published, newest first; those the
        operator already practised on left out. `clean_only` keeps replies published as written
        (no reviewer's edit, no warning passed): the alias's best."""
        practised = exists().where(
            col(PracticeReplyRow.inbound_id) == InboundMessageRow.id,
            col(PracticeReplyRow.operator_id) == operator_id,
        )
        query = (
            select(InboundMessageRow, PostRow)
            .join(PostRow, col(PostRow.in_reply_to_id) == InboundMessageRow.id)
            .where(
                col(PostRow.alias_id) == alias_id,
                col(PostRow.status) == PostStatus.PUBLISHED.value,
                ~practised,
            )
        )
        if clean_only:
            query = query.where(
                col(PostRow.review_comment).is_(None), col(PostRow.overrides) == "{}"
            )
        rows = self._session.exec(query.order_by(col(PostRow.id).desc()).limit(limit))
        return [
            (converters.inbound(message, True), converters.post(post)) for message, post in rows
        ]

    def reviewed(self, alias_id: int, author_id: int, limit: int) -> list[Post]:
        """The author's replies someone reviewed (approved or rejected), newest first."""
        rows = self._session.exec(
            select(PostRow)
            .where(
                col(PostRow.alias_id) == alias_id,
                col(PostRow.author_id) == author_id,
                col(PostRow.approver_id).is_not(None),
            )
            .order_by(col(PostRow.id).desc())
            .limit(limit)
        )
        return [converters.post(row) for row in rows]
