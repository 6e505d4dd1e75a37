"""Reading the audit: who did what, when, on which alias; and checking that nobody rewrote it."""

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from itertools import islice

from cmconsole.domain import names
from cmconsole.domain.audit_chain import GENESIS_HASH, SEPARATOR
from cmconsole.domain.errors import InvalidInput, NotFound, PermissionDenied
from cmconsole.domain.model import AuditEntry, Post, Role
from cmconsole.services.authority import readable
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import Transaction, Workspace

PROGRESS_EVERY = 10_000
HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the audit chain."""

    events: int
    head_hash: str
    first_bad_seq: int | None
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.first_bad_seq is None


@dataclass(frozen=True)
class Checkpoint:
    """How long the chain was and what its head hash was, written `EVENTS:HASH`."""

    events: int
    head_hash: str

    def __str__(self) -> str:
        return f"{self.events}:{self.head_hash}"

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        events, _, head = text.strip().partition(":")
        if not events.isdigit() or len(head) != 64 or not all(c in HEX for c in head):
            raise InvalidInput(f"a checkpoint looks like 1234:<64 hex digits>, not {text!r}")
        return cls(int(events), head)


@dataclass(frozen=True)
class Attribution:
    """Who stands behind a post: everything a lead needs to answer for it months later."""

    post: Post
    alias_handle: str
    author: str
    approver: str | None
    queued_at: datetime | None
    shift_id: int | None
    events: list[AuditEntry]


@dataclass(frozen=True)
class Spoken:
    """One post the public saw, with the people behind it."""

    post: Post
    author: str
    approver: str | None
    reply_seconds: float | None


@dataclass(frozen=True)
class SpeakerStats:
    operator: str
    posts: int
    mean_reply_seconds: float | None


# How many posts a page of "who spoke" holds: more than a terminal shows, few enough to come
# back at once (the next page is read as the reader reaches the end).
SPOKEN_PAGE = 50


@dataclass(frozen=True)
class SpokenPage:
    """A page of who spoke when under an alias, newest first."""

    posts: list[Spoken]
    only_own: bool
    complete: bool  # nothing older matches: no next page


@dataclass(frozen=True)
class SpeakersReport:
    """Per operator, over the same selection: how many posts, how fast they replied."""

    speakers: list[SpeakerStats]
    only_own: bool


class AuditService:
    """Lists audit events for people and verifies the chain for leads and scripts."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace

    def for_alias(self, who: SignedIn, alias_id: int, limit: int = 200) -> list[AuditEntry]:
        """The alias's audit events, newest first: all of them for leads, one's own for others."""
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            role = role_on(tx, operator, existing_alias(tx, alias_id))
            return tx.audit.recent(alias_id, limit, None if role is Role.LEAD else operator.id)

    def spoken(
        self,
        who: SignedIn,
        alias_id: int,
        *,
        operator: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        text: str | None = None,
        after: Spoken | None = None,
        limit: int = SPOKEN_PAGE,
    ) -> SpokenPage:
        """Everything published under the alias with its real author, newest first, a page at
        a time (the page after `after`); leads see everyone, operators and trainees their own."""
        with self._workspace.transaction() as tx:
            author_id, only_own = _whose(tx, who, alias_id, operator)
            cursor = None
            if after is not None and after.post.published_at is not None:
                cursor = (after.post.published_at, after.post.id)
            rows = tx.posts.published(alias_id, author_id, since, until, text, limit, cursor)
        posts = [
            Spoken(
                post,
                author,
                approver,
                (post.published_at - received).total_seconds()
                if post.published_at and received
                else None,
            )
            for post, author, approver, received in rows
        ]
        return SpokenPage(posts, only_own, complete=len(posts) < limit)

    def speakers(
        self,
        who: SignedIn,
        alias_id: int,
        *,
        operator: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        text: str | None = None,
    ) -> SpeakersReport:
        """Per operator, over the same selection as `spoken`: posts and mean reply time. It reads
        every matching post, so the console asks only when the selection changes."""
        with self._workspace.transaction() as tx:
            author_id, only_own = _whose(tx, who, alias_id, operator)
            stats = tx.posts.speaker_stats(alias_id, author_id, since, until, text)
        return SpeakersReport([SpeakerStats(*row) for row in stats], only_own)

    def recent(self, limit: int = 50, by: SignedIn | None = None) -> list[AuditEntry]:
        """The newest events `by` may read (see `Readable`), newest first, for the command
        line."""
        with self._workspace.transaction() as tx:
            scope = readable(tx, by)
            if scope is None:
                return tx.audit.recent(None, limit)
            if not scope.led:
                return tx.audit.recent(None, limit, scope.reader_id)
            return tx.audit.recent_readable(scope.reader_id, scope.led, scope.team, limit)

    def who(self, reference: str, by: SignedIn | None = None) -> Attribution:
        """Attribute a post given its local id or the channel's id for it: for a lead of its
        alias, or its author or approver (anyone only while nobody leads)."""
        with self._workspace.transaction() as tx:
            scope = readable(tx, by)
            ref = reference.strip()
            post = tx.posts.by_id(int(ref)) if ref.isdigit() else None
            post = post or tx.posts.by_channel_id(ref)
            if post is None:
                raise NotFound(f"no post has the id {ref!r}, here or on its channel")
            alias = tx.aliases.by_id(post.alias_id)
            if scope is not None and not (
                post.alias_id in scope.led or scope.reader_id in (post.author_id, post.approver_id)
            ):
                handle = alias.handle if alias else "its alias"
                raise PermissionDenied(
                    f"only a lead of {handle}, or its author or approver, can read who wrote "
                    f"post {post.id}"
                )
            author = tx.operators.by_id(post.author_id)
            approver = tx.operators.by_id(post.approver_id) if post.approver_id else None
            events = tx.audit.for_subject(f"post {post.id}")
        assert alias is not None and author is not None
        queued = next((e.event for e in events if e.event.kind.startswith("post.")), None)
        shift = queued.details.get("shift") if queued else None
        return Attribution(
            post=post,
            alias_handle=alias.handle,
            author=f"{author.display_name} ({author.name})",
            approver=f"{approver.display_name} ({approver.name})" if approver else None,
            queued_at=queued.occurred_at if queued else None,
            shift_id=shift if isinstance(shift, int) else None,
            events=events,
        )

    def export(
        self,
        *,
        alias: str | None = None,
        operator: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        by: SignedIn | None = None,
    ) -> Iterator[AuditEntry]:
        """Stream the events that match and that `by` may read (see `Readable`), in chain
        order, in constant memory."""
        with self._workspace.transaction() as tx:
            scope = readable(tx, by)
            alias_id = actor_id = None
            if alias:
                found = tx.aliases.by_handle(names.handle(alias))
                if found is None:
                    raise NotFound(f"there is no alias {alias}")
                alias_id = found.id
            if operator:
                person = tx.operators.by_name(operator.strip().lower())
                if person is None:
                    raise NotFound(f"there is no operator {operator!r}")
                actor_id = person.id
            if scope is None:
                yield from tx.audit.stream(alias_id, actor_id, since, until)
                return
            if not scope.led:  # operators and trainees: their own events, whatever they ask
                if actor_id is not None and actor_id != scope.reader_id:
                    return
                actor_id = scope.reader_id
            for entry in tx.audit.stream(alias_id, actor_id, since, until):
                if scope.sees(entry.event):
                    yield entry

    def checkpoint(self) -> Checkpoint:
        """The chain's head, to keep outside the database: a later verify proves nothing up to
        it was rewritten and nothing after it was cut off."""
        report = self.verify()
        if not report.intact:
            raise InvalidInput(
                f"the audit is broken at event {report.first_bad_seq} ({report.problem}): "
                "no checkpoint of a broken chain"
            )
        return Checkpoint(report.events, report.head_hash)

    def verify(
        self,
        checkpoint: Checkpoint | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ChainReport:
        """Recompute every hash in order; name the first event that does not match.

        `progress(done, total)` is called every PROGRESS_EVERY events on long chains.
        """
        check_at = checkpoint.events if checkpoint else 0
        prev, next_seq = GENESIS_HASH, 1
        join = SEPARATOR.join
        # Closed before the transaction ends, even when a fault ends the walk early.
        with self._workspace.transaction() as tx, closing(tx.audit.walk()) as rows:
            total = tx.audit.count() if progress is not None else 0
            # The walk goes in slices that end at each progress mark and at the checkpoint, so the
            # hot loop below does nothing per event but what the chain itself needs checked.
            while True:
                done = next_seq - 1
                stop = done - done % PROGRESS_EVERY + PROGRESS_EVERY
                if done < check_at < stop:
                    stop = check_at
                # A million times: the record is joined inline (as audit_chain.record does) and
                # the three checks share one test; which of them failed is worked out only then.
                for seq, stamped, kind, actor, alias, subject, details, link, digest in islice(
                    rows, stop - done
                ):
                    if (
                        seq != next_seq
                        or link != prev
                        or sha256(
                            join(
                                (
                                    str(seq),
                                    stamped,
                                    kind,
                                    "" if actor is None else str(actor),
                                    "" if alias is None else str(alias),
                                    subject,
                                    details,
                                    link,
                                )
                            ).encode()
                        ).hexdigest()
                        != digest
                    ):
                        problem = _fault(seq, next_seq, link, prev)
                        return ChainReport(next_seq - 1, prev, seq, problem)
                    prev, next_seq = digest, seq + 1
                if next_seq - 1 < stop:
                    break  # the chain ended inside this slice
                if stop == check_at and checkpoint and prev != checkpoint.head_hash:
                    # `link` is the last event's stored link: the hash of the one before it.
                    return ChainReport(
                        stop - 1,
                        link,
                        stop,
                        "it does not match the checkpoint: the chain was rewritten",
                    )
                if progress is not None and stop % PROGRESS_EVERY == 0:
                    progress(stop, total)
        count = next_seq - 1
        if checkpoint and count < checkpoint.events:
            return ChainReport(
                count,
                prev,
                count + 1,
                f"the chain ends at event {count} but the checkpoint names event "
                f"{checkpoint.events}: events were removed from its end",
            )
        return ChainReport(count, prev, None, None)


def _fault(seq: int, expected_seq: int, link: str, expected_link: str) -> str:
    """What is wrong with an event that failed verification."""
    if seq != expected_seq:
        return f"expected event {expected_seq}, found {seq}"
    if link != expected_link:
        return "its link to the previous event does not match"
    return "its content does not match its hash"


def _whose(
    tx: Transaction, who: SignedIn, alias_id: int, operator: str | None
) -> tuple[int | None, bool]:
    """Whose posts `who` may see under the alias (None: everyone's), and whether only their
    own: leads choose anyone, others see themselves whoever they name."""
    me = active_operator(tx, who)
    only_own = role_on(tx, me, existing_alias(tx, alias_id)) is not Role.LEAD
    if only_own:
        return me.id, True
    if not operator:
        return None, False
    person = tx.operators.by_name(operator.strip().lower())
    if person is None:
        raise NotFound(f"there is no operator {operator.strip()!r}")
    return person.id, False
