"""Reading the audit: who did what, when, on which alias; and checking that nobody rewrote it."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from cmconsole.domain import names
from cmconsole.domain.content import differences
from cmconsole.domain.errors import InvalidInput, NotFound, PermissionDenied
from cmconsole.domain.model import AuditEntry, Post, Role
from cmconsole.services import verification
from cmconsole.services.authority import readable
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import Transaction, Workspace
from cmconsole.services.verification import PROGRESS_EVERY as PROGRESS_EVERY
from cmconsole.services.verification import ChainReport as ChainReport
from cmconsole.services.verification import Checkpoint as Checkpoint


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
    # The post's fields that no longer match its newest ledger stamp (none: it matches).
    tampered: tuple[str, ...] = ()
    redacted: bool = False  # its text was erased with its salt, as designed
    stamped: bool = True  # False: written before content hashing, nothing to compare with


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
            local = ref.isascii() and ref.isdigit() and int(ref) < 2**63  # else not one of ours
            post = tx.posts.by_id(int(ref)) if local else None
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
            check = tx.audit.stamp_check(f"post {post.id}", f"post {post.id}")
        assert alias is not None and author is not None
        tampered, redacted = differences(*check) if check else ([], False)
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
            tampered=tuple(tampered),
            redacted=redacted,
            stamped=check is not None,
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
        order, in constant memory, from one snapshot that no writer waits for."""
        with self._workspace.reading() as tx:
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
        if not report.chain_intact:
            raise InvalidInput(
                f"the audit is broken at event {report.first_bad_seq} ({report.problem}): "
                "no checkpoint of a broken chain"
            )
        if report.tampered:
            raise InvalidInput(
                f"{report.tampered[0]} ({len(report.tampered)} rows in all): "
                "no checkpoint of a ledger whose rows were edited"
            )
        return Checkpoint(report.events, report.head_hash)

    def verify(
        self,
        checkpoint: Checkpoint | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ChainReport:
        """Recompute every hash in order, naming the first event that does not match, and check
        every stored post, handover, guide version and operator against the newest stamp of it
        in the chain (see services.verification).

        `progress(done, total)` is called every PROGRESS_EVERY events on long chains.
        """
        with self._workspace.reading() as tx:  # no writer waits for a walk of the whole chain
            return verification.verify(tx, checkpoint, progress)


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
