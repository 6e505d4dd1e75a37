"""A guide rule's message as a reader sees it in the guide: its placeholders filled in."""

from cmconsole.domain.guide import LimitRule, PatternRule, PersonRule, Rule, WordRule

# The message of a rule names what a draft broke ({found}, {count}); read in the guide, before
# any draft, it names what the rule looks for instead.


def rule_message(rule: Rule) -> str:
    """`rule.message` with {found}, {suggestion}, {count} and {max} said for the rule itself."""
    message = rule.message
    if "{" not in message:
        return message
    for name, value in _values(rule).items():
        message = message.replace("{" + name + "}", value)
    return message


def _values(rule: Rule) -> dict[str, str]:
    if isinstance(rule, WordRule):
        suggestions = dict.fromkeys(s for s in rule.suggestions.values() if s)
        return {
            "found": " / ".join(rule.suggestions) or "…",
            "suggestion": " / ".join(suggestions) or "…",
        }
    if isinstance(rule, PatternRule):
        return {"found": rule.regex.pattern, "suggestion": rule.suggestion or "…"}
    if isinstance(rule, LimitRule):
        return {"count": f"more than {rule.max}", "max": str(rule.max), "found": "…"}
    if isinstance(rule, PersonRule):
        words = ["je" if rule.language == "fr" else "I"] if rule.speaks_as_we else []
        words += ["tu"] if rule.says_vous else []
        return {"found": " / ".join(words) or "…", "suggestion": "…"}
    return {"found": "…", "suggestion": "…"}
