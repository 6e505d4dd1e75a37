"""The dispatcher: publishes queued posts through their alias's channel, at most once each."""

import logging

from cmconsole.domain.model import Post
from cmconsole.domain.signature import signed_text
from cmconsole.services.ports import (
    AuditDraft,
    Channel,
    ChannelError,
    Clock,
    Workspace,
    channel_for,
)

log = logging.getLogger(__name__)


class Dispatcher:
    """Sends the outbox. A post is marked `sending` in its own commit before the channel is called,
    so a crash mid-send leaves it visibly unresolved rather than silently sent twice."""

    def __init__(self, workspace: Workspace, channels: dict[str, Channel], clock: Clock) -> None:
        self._workspace = workspace
        self._channels = channels
        self._clock = clock

    def dispatch_pending(self, limit: int = 100) -> list[Post]:
        """Publish up to `limit` queued posts; return them in their final state."""
        done: list[Post] = []
        for _ in range(limit):
            with self._workspace.transaction() as tx:
                post = tx.posts.take_next_queued()
                if post is None:
                    break
                alias = tx.aliases.by_id(post.alias_id)
                author = tx.operators.by_id(post.author_id)
                reply_to = tx.inbound.by_id(post.in_reply_to_id) if post.in_reply_to_id else None
            assert alias is not None and author is not None
            public_text = signed_text(post.text, alias, author)
            try:
                published = channel_for(self._channels, alias).publish(
                    alias, public_text, reply_to.channel_message_id if reply_to else None
                )
            except ChannelError as error:
                with self._workspace.transaction() as tx:
                    tx.posts.mark_failed(post.id, str(error))
                    tx.audit.append(
                        AuditDraft(
                            "post.failed",
                            post.author_id,
                            alias.id,
                            f"post {post.id}",
                            {"reason": str(error), "by": "dispatcher"},
                        ),
                        self._clock(),
                    )
                    failed = tx.posts.by_id(post.id)
                log.warning("post %s failed: %s", post.id, error)
                assert failed is not None
                done.append(failed)
                continue
            with self._workspace.transaction() as tx:
                tx.posts.mark_published(post.id, published.channel_post_id, published.published_at)
                tx.audit.append(
                    AuditDraft(
                        "post.published",
                        post.author_id,
                        alias.id,
                        f"post {post.id}",
                        {
                            "channel_post_id": published.channel_post_id,
                            "author": author.name,
                            "by": "dispatcher",
                            "approver": post.approver_id,
                            "text": public_text,
                        },
                    ),
                    self._clock(),
                )
                sent = tx.posts.by_id(post.id)
            assert sent is not None
            done.append(sent)
        return done
