"""One pump for every console and `cmconsole dispatch`: fetch what the public sent, send what
is due; and the send path, which returns when the reply is out, failed, or left queued."""

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Post, PostStatus
from cmconsole.services.desk import Desk
from cmconsole.services.dispatch import Dispatcher, DispatchReport
from cmconsole.services.guard import SignedIn
from cmconsole.services.inbox import InboxService
from cmconsole.services.ports import Clock, Workspace
from cmconsole.services.posting import PostingService

# How long `send` waits for a post another dispatcher took (the console's own pump, say) to
# settle before saying it is still on its way.
SEND_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class SyncFailure:
    """An alias whose mentions could not be fetched this time, and why (the channel's words)."""

    alias_id: int
    handle: str
    reason: str


@dataclass(frozen=True)
class PumpReport:
    """What one pass did: new mentions per alias, fetches that failed, and the dispatch."""

    mentions: dict[str, int] = field(default_factory=dict)  # alias handle → new, if any
    sync_failures: list[SyncFailure] = field(default_factory=list)
    dispatch: DispatchReport = field(default_factory=DispatchReport)

    @property
    def new_mentions(self) -> int:
        return sum(self.mentions.values())


class Pump:
    """Syncs inbound mentions and dispatches due posts, in one place."""

    def __init__(
        self,
        workspace: Workspace,
        inbox: InboxService,
        posting: PostingService,
        dispatcher: Dispatcher,
        desk: Desk,
        clock: Clock,
    ) -> None:
        self._workspace = workspace
        self._inbox = inbox
        self._posting = posting
        self._dispatcher = dispatcher
        self._desk = desk
        self._clock = clock

    def run(
        self, alias_ids: Sequence[int] | None = None, *, dispatch: bool = True, limit: int = 100
    ) -> PumpReport:
        """Fetch new mentions of these aliases (all by default; a channel that fails is named
        in the report, the others go on), then settle the unknown and send what is due."""
        with self._workspace.transaction() as tx:
            aliases = [a for a in tx.aliases.all() if alias_ids is None or a.id in alias_ids]
        report = PumpReport()
        for alias in aliases:
            try:
                new = self._inbox.sync(alias.id)
            except CmconsoleError as error:
                report.sync_failures.append(SyncFailure(alias.id, alias.handle, str(error)))
                continue
            if new:
                report.mentions[alias.handle] = new
        if dispatch:
            self._dispatcher.run_once(limit, report.dispatch)
        return report

    def send(
        self,
        who: SignedIn,
        inbound_id: int,
        text: str,
        overrides: Mapping[str, str] | None = None,
        *,
        dispatch: bool = True,
        wait: float = SEND_WAIT_SECONDS,
    ) -> Post:
        """Reply to the message `inbound_id` (the one the operator picked; by default the
        conversation's `answer_to`). Returns the post once settled (published, failed) or
        queued: awaiting approval, not due yet, or with `dispatch` False (a team whose
        dispatcher runs elsewhere). Only this post is dispatched, never the rest."""
        post = self._posting.reply(who, inbound_id, text, overrides)
        if post.status is not PostStatus.QUEUED or not dispatch:
            return post
        sent = self._dispatcher.dispatch_post(post.id)
        if sent is not None:
            return sent
        return self._settled(who, post, wait)

    def _settled(self, who: SignedIn, post: Post, wait: float) -> Post:
        """Another dispatcher took the post (or it is not due): wait for the desk to move until
        it settles, at most `wait` seconds; a post not due yet is returned queued at once."""
        deadline = time.monotonic() + wait
        while True:
            version = self._desk.version(post.alias_id)
            post = self._posting.post(who, post.id)
            if post.status not in (PostStatus.QUEUED, PostStatus.SENDING):
                return post
            due = post.retry_at is None or post.retry_at <= self._clock()
            left = deadline - time.monotonic()
            if (post.status is PostStatus.QUEUED and not due) or left <= 0:
                return post
            if post.status is PostStatus.QUEUED:
                # Due, queued, and nobody held it a moment ago: take it ourselves.
                sent = self._dispatcher.dispatch_post(post.id)
                if sent is not None:
                    return sent
            self._desk.wait_for_change(post.alias_id, version, left)
