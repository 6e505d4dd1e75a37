"""A trainee's way onto an alias: the track's steps, practice closeness, and the graduation rule.

Closeness of a practice reply to what the alias really said is plain statistics on the voice
dimensions of `voice.py`, each scored from 0 to 1 and averaged into a percentage:
- each share dimension (a '!', a '?', "je"/"I", "tu", a signature): 1 when both replies agree on
  having it or not, else 0;
- each mean dimension (weighted length, emoji): the smaller over the larger (1 when both are 0);
- `words`: the words both use over the words either uses (content words only; 1 if neither has
  any).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cmconsole.domain.guide import Guide, Onboarding
from cmconsole.domain.model import Post, PostStatus
from cmconsole.domain.voice import MEANS, SHARES, content_words


class StepKind(StrEnum):
    GUIDE = "guide"
    HANDOVERS = "handovers"
    EXAMPLES = "examples"
    PRACTICE = "practice"


@dataclass(frozen=True)
class Step:
    key: str
    kind: StepKind
    title: str


RULES_SECTION = "rules"


def track(guide: Guide | None) -> list[Step]:
    """The steps a trainee goes through on an alias, in order."""
    steps = []
    if guide is not None:
        steps += [
            Step(f"guide:{title}", StepKind.GUIDE, f"Read the guide: {title}")
            for title in guide.prose
        ]
        steps.append(Step(f"guide:{RULES_SECTION}", StepKind.GUIDE, "Read the guide: its rules"))
    steps += [
        Step("handovers", StepKind.HANDOVERS, "Read the recent handovers"),
        Step("examples", StepKind.EXAMPLES, "Study the golden examples and the best past replies"),
        Step("practice", StepKind.PRACTICE, "Practise on past conversations"),
    ]
    return steps


@dataclass(frozen=True)
class Progress:
    """Where a trainee is on the track."""

    steps: list[tuple[Step, datetime | None]]
    practised: int
    practice_needed: int

    def done(self, step: Step) -> bool:
        if step.kind is StepKind.PRACTICE:
            return self.practised >= self.practice_needed
        return dict((s.key, at) for s, at in self.steps).get(step.key) is not None

    @property
    def complete(self) -> bool:
        return all(self.done(step) for step, _ in self.steps)

    @property
    def summary(self) -> str:
        finished = sum(self.done(step) for step, _ in self.steps)
        return (
            f"{finished}/{len(self.steps)} steps, "
            f"{self.practised}/{self.practice_needed} practice replies"
        )


def progress(
    steps: Sequence[Step], done: dict[str, datetime], practised: int, rule: Onboarding
) -> Progress:
    return Progress([(step, done.get(step.key)) for step in steps], practised, rule.practice)


@dataclass(frozen=True)
class Graduation:
    """Whether a trainee meets the alias's rule, and how far they are from it."""

    rule: Onboarding
    track_complete: bool
    clean_in_a_row: int

    @property
    def met(self) -> bool:
        return (self.track_complete or not self.rule.track) and (
            self.clean_in_a_row >= self.rule.approved_in_a_row
        )

    def describe(self) -> str:
        parts = []
        if self.rule.track:
            parts.append("track done" if self.track_complete else "track not done")
        parts.append(
            f"{self.clean_in_a_row}/{self.rule.approved_in_a_row} last replies approved "
            "without edits or warnings"
        )
        return ("ready: " if self.met else "not yet: ") + ", ".join(parts)


def clean_in_a_row(reviewed_newest_first: Sequence[Post]) -> int:
    """How many of the trainee's latest reviewed replies in a row were approved as written, with
    no warning passed."""
    count = 0
    for post in reviewed_newest_first:
        if post.status is PostStatus.REJECTED or post.review_comment or post.overrides:
            break
        count += 1
    return count


@dataclass(frozen=True)
class Closeness:
    """How close a practice reply is to the alias's real one, with each part shown."""

    score: int  # 0 to 100
    parts: dict[str, float]

    def describe(self) -> str:
        shown = ", ".join(f"{name} {value:.0%}" for name, value in self.parts.items())
        return f"{self.score}% close in voice ({shown})"


def closeness(practice: str, actual: str) -> Closeness:
    parts: dict[str, float] = {}
    for name, has in SHARES.items():
        parts[name] = 1.0 if has(practice) == has(actual) else 0.0
    for name, measure in MEANS.items():
        mine, theirs = measure(practice), measure(actual)
        parts[name] = 1.0 if max(mine, theirs) == 0 else min(mine, theirs) / max(mine, theirs)
    mine_words, their_words = set(content_words(practice)), set(content_words(actual))
    either = mine_words | their_words
    parts["words"] = len(mine_words & their_words) / len(either) if either else 1.0
    return Closeness(round(100 * sum(parts.values()) / len(parts)), parts)
