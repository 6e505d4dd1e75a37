"""The desk's banner (the alias, who you are, your role as it is now) and its status line."""

from cmconsole.domain.model import PostStatus, Role
from cmconsole.services.desk_model import DeskModel
from cmconsole.services.guard import SignedIn


def banner_text(model: DeskModel, who: SignedIn) -> str:
    alias = model.alias
    return f"{alias.display_name}  {alias.handle}  ·  you: {who.name} ({model.role.value})"


def status_text(model: DeskModel, who: SignedIn) -> str:
    """Who is on shift, what waits, and what the reader should do next."""
    parts = [f"On shift now: {', '.join(model.on_shift) or 'nobody'}", model.waiting_text]
    failed = sum(o.post.status is PostStatus.FAILED for o in model.outbox)
    if failed:
        parts.append(f"{failed} failed to send (Outbox)")
    if model.awaiting:
        parts.append(f"{len(model.awaiting)} awaiting approval")
    if model.follow_ups_due:
        parts.append(f"{model.follow_ups_due} follow-ups due within a day")
    if model.handovers_unread:
        parts.append(f"{model.handovers_unread} to read before you speak")
    ready = [t.operator.name for t in model.tracks if t.graduation.met]
    if ready and model.role is Role.LEAD:
        parts.append(f"ready to promote: {', '.join(ready)} (m)")
    own = own_track_summary(model, who)
    if own:
        parts.append(f"onboarding {own} (O)")
    return "  ·  ".join(parts)


def own_track_summary(model: DeskModel, who: SignedIn) -> str | None:
    """The reader's own onboarding progress, while their track is not complete."""
    own = [t for t in model.tracks if t.operator.id == who.operator_id]
    if own and not own[0].progress.complete:
        return own[0].progress.summary
    return None
