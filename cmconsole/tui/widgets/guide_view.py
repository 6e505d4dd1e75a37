"""A guide as text to read: who we are and how we sound, the rules, and golden examples."""

from cmconsole.domain.guide import Guide
from cmconsole.domain.model import GuideVersion
from cmconsole.domain.rule_text import rule_message


def guide_text(guide: Guide, version: GuideVersion) -> str:
    by = f" by {version.author_name}" if version.author_name else ""
    lines = [
        f"{guide.name}: guide version {version.version}, {version.created_at:%Y-%m-%d %H:%M} UTC"
        f"{by}",
        f"What changed: {version.change_note}",
    ]
    for title, text in guide.prose.items():
        lines += ["", title, text.strip()]
    if guide.rules:
        lines += ["", "Rules the checker applies while you type"]
        lines += [
            f"  [{rule.severity.value}] {rule.id}: {rule_message(rule)}" for rule in guide.rules
        ]
    lines += ["", f"Length limit: {guide.length} (as X counts it, signature included)"]
    if guide.examples:
        lines += ["", "Golden examples"]
        for example in guide.examples:
            lines += [f"  They said: {example.context}", f"  We said:  {example.reply}", ""]
    return "\n".join(lines).rstrip()
