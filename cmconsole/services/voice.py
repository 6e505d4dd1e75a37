"""The alias's voice profile from what it published, and which operators drift from it."""

from dataclasses import dataclass

from cmconsole.domain.model import Role
from cmconsole.domain.voice import Drift, VoiceProfile, drift, profile
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import Workspace

HISTORY = 2000  # the alias's most recent published replies that make its profile
RECENT = 20  # each operator's most recent published replies compared with it


@dataclass(frozen=True)
class OperatorVoice:
    operator: str
    replies: int
    drifts: list[Drift]


@dataclass(frozen=True)
class VoiceReport:
    profile: VoiceProfile
    operators: list[OperatorVoice]


class VoiceService:
    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace

    def report(self, who: SignedIn, alias_id: int) -> VoiceReport:
        """The alias's profile and each operator's drift: leads see everyone, others themselves."""
        with self._workspace.transaction() as tx:
            me = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            lead = role_on(tx, me, alias) is Role.LEAD
            published = tx.posts.published(alias.id, None, None, None, None, HISTORY)
            history = [(post.author_id, post.text) for post, *_ in published]  # newest first
            people = [
                operator
                for operator, _ in tx.memberships.for_alias(alias.id)
                if lead or operator.id == me.id
            ]
            recent = {
                person: [
                    p.text
                    for p, *_ in tx.posts.published(alias.id, person.id, None, None, None, RECENT)
                ]
                for person in people
            }
        # Against the alias's long history, one operator's recent replies weigh little: the
        # profile stays the alias's, not the drifter's.
        alias_profile = profile([text for _, text in history])
        return VoiceReport(
            alias_profile,
            [
                OperatorVoice(person.name, len(texts), drift(alias_profile, texts))
                for person, texts in recent.items()
            ],
        )
