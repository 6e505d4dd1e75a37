"""The compose box: the reply being written, checked against the guide on every keystroke."""

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TextArea

from cmconsole.domain.checker import CheckResult, Finding, apply_fix, without_unsafe
from cmconsole.domain.display import printable
from cmconsole.domain.guide import Severity

Checker = Callable[[str], CheckResult]

# Lines the findings list has (#draft-findings' max-height in cmconsole.tcss).
FINDING_LINES = 6

_MARKS = {
    Severity.ERROR: ("✖", "bold white on darkred"),
    Severity.WARNING: ("▲", "black on yellow"),
    Severity.SUGGESTION: ("·", "underline"),
}


class ComposeBox(Vertical):
    """Shows the findings, the spans they cover and the length as X counts it, while typing."""

    class DraftChecked(Message):
        """Posted after each check; a newer one replaces an older one still in the queue."""

        def __init__(self, result: CheckResult) -> None:
            super().__init__()
            self.result = result

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ComposeBox.DraftChecked)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._checker: Checker | None = None
        self.result: CheckResult | None = None

    def compose(self) -> ComposeResult:
        yield TextArea(id="reply", soft_wrap=True, show_line_numbers=False)
        yield Static("", id="draft-length", markup=False)
        yield Static("", id="draft-preview", markup=False)
        yield Static("", id="draft-findings", markup=False)

    @property
    def text(self) -> str:
        return self.query_one("#reply", TextArea).text

    def use_checker(self, checker: Checker) -> None:
        """Check with `checker` (the alias's guide) from now on."""
        self._checker = checker
        self.recheck()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.recheck()

    def recheck(self) -> None:
        if self._checker is None:
            return
        text = self.text
        self.result = result = self._checker(text)
        over = result.published_length > result.limit
        length = self.query_one("#draft-length", Static)
        signed = result.published_length != result.weighted_length and text.strip()
        length.update(
            f"{result.published_length}/{result.limit}"
            + (" with the signature" if signed else "")
            + (" (too long)" if over else "")
        )
        length.set_class(over, "error")
        self.query_one("#draft-preview", Static).update(_highlighted(text, result.findings))
        self.query_one("#draft-findings", Static).update(_listed(result.findings))
        self.post_message(self.DraftChecked(result))

    def first_fixable(self) -> Finding | None:
        if self.result is None:
            return None
        return next((f for f in self.result.findings if f.suggestion is not None), None)

    def apply_first_fix(self) -> Finding | None:
        """Apply the first finding that has a fix; return it, or None if none has one."""
        finding = self.first_fixable()
        if finding is not None:
            if finding.rule == "unsafe-characters":
                fixed = without_unsafe(self.text)  # all of them: pasted text carries several
            else:
                fixed = apply_fix(self.text, finding)
            self.query_one("#reply", TextArea).load_text(fixed)
            self.recheck()
        return finding


def _highlighted(text: str, findings: list[Finding]) -> Content:
    # The operator's own text, but typed by anyone: still shown as data, index for index.
    preview = Content(printable(text, normalise=False))
    for finding in findings:
        if finding.end > finding.start:
            preview = preview.stylize(_MARKS[finding.severity][1], finding.start, finding.end)
    return preview


def _listed(findings: list[Finding]) -> Content:
    lines = []
    fixable = any(f.suggestion is not None for f in findings)
    room = FINDING_LINES - fixable
    shown = findings if len(findings) <= room else findings[: room - 1]
    for finding in shown:
        mark = _MARKS[finding.severity][0]
        fix = {None: "", "": "  → remove it"}.get(finding.suggestion, f"  → {finding.suggestion!r}")
        lines.append(f"{mark} {finding.severity.value} {finding.rule}: {finding.message}{fix}")
    if len(shown) < len(findings):
        lines.append(f"+{len(findings) - len(shown)} more")
    if fixable:
        lines.append("f2 applies the first fix")
    # Findings quote the draft and the guide's own messages: neither may reach the terminal raw.
    return Content(printable("\n".join(lines)))
