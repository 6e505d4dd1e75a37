"""A handover as text to read: the writer's summary and marks, then what the data showed."""

from collections.abc import Sequence

from cmconsole.domain.model import Acknowledgement, Handover, HandoverContent


def watched_line(handle: str, display_name: str, tags: Sequence[str], note: str) -> str:
    """A contact as a handover names them: handle, name, tags, and why to watch them."""
    name = f" ({display_name})" if display_name else ""
    tagged = f" [{', '.join(tags)}]" if tags else ""
    return f"{handle}{name}{tagged}" + (f": {note}" if note else "")


def content_lines(content: HandoverContent) -> list[str]:
    """The gathered and marked parts of a handover, headed, skipping empty ones."""
    lines: list[str] = []
    for title, text in (
        ("People to watch", content.people_to_watch),
        ("Promises made", content.promises),
        ("Mood of the community", content.mood),
    ):
        if text:
            lines += [f"{title}: {text}"]
    if content.watched:
        lines += ["Contacts to watch:"] + [
            f"  • {watched_line(w.handle, w.display_name, w.tags, w.note)}" for w in content.watched
        ]
    for title, items in (
        ("Threads still open", content.open_threads),
        ("Replies awaiting approval", content.awaiting_approval),
        ("Posts that failed", content.failed_posts),
        ("Follow-ups due soon", content.follow_ups_due),
        ("Guide changes", content.guide_changes),
    ):
        if items:
            lines += ["", f"{title}:"] + [f"  • {item}" for item in items]
    return lines


def handover_text(handover: Handover, acknowledgements: list[Acknowledgement] | None = None) -> str:
    head = f"{handover.author_name}, {handover.written_at:%Y-%m-%d %H:%M} UTC"
    if handover.automatic:
        head += " (written automatically)"
    if handover.corrects_id is not None:
        head += f", corrects handover {handover.corrects_id}"
    lines = [head, "", handover.summary, "", *content_lines(handover.content)]
    if acknowledgements is not None:
        read = ", ".join(
            f"{a.operator_name} ({a.acknowledged_at:%Y-%m-%d %H:%M})" for a in acknowledgements
        )
        lines += ["", f"Acknowledged by: {read or 'nobody yet'}"]
    return "\n".join(lines).strip()
