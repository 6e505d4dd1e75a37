"""The voice guide of each alias: imported and edited as versions, read by all, checked on send."""

import difflib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from cmconsole.domain import names
from cmconsole.domain.channel_limits import CHANNELS, LONGEST_KEPT, PostLimits, longest_post
from cmconsole.domain.checker import CheckResult, check
from cmconsole.domain.errors import InvalidInput, NotFound
from cmconsole.domain.guide import Guide, Signature, parse_guide, refuse_empty
from cmconsole.domain.model import Alias, GuideVersion, Operator, SignatureKind
from cmconsole.domain.weighted_length import LIMIT
from cmconsole.services.accounts import os_user
from cmconsole.services.authority import administrator
from cmconsole.services.channel_rules import post_limits
from cmconsole.services.guard import (
    SignedIn,
    active_operator,
    existing_alias,
    lead_of,
    role_on,
    unread_guide,
)
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace


@dataclass(frozen=True)
class CurrentGuide:
    """The guide in force on an alias, parsed, with its version."""

    version: GuideVersion
    guide: Guide

    def check(self, text: str, initials: str) -> CheckResult:
        return check(text, self.guide, author_initials=initials)


_SAVED = {channel: LONGEST_KEPT for channel in CHANNELS}


@lru_cache(maxsize=64)
def _parsed(source: str, origin: str) -> Guide:
    # Versions never change once stored, so a parsed guide can be kept by its source. Each was
    # held against its channel's longest when saved (its instance's, for Mastodon).
    return parse_guide(source, origin, longest_on=_SAVED)


def parsed_version(version: GuideVersion, handle: str) -> CurrentGuide:
    return CurrentGuide(version, _parsed(version.source, f"{handle} guide v{version.version}"))


def current_guide(tx: Transaction, alias: Alias) -> CurrentGuide | None:
    version = tx.guides.current(alias.id)
    return parsed_version(version, alias.handle) if version else None


def checking_guide(tx: Transaction, alias: Alias) -> Guide | None:
    """What a draft is checked against: the guide in force or, with none, the alias's own
    signature policy, so that the length counted is the length published."""
    return guide_to_check(alias, current_guide(tx, alias))


def guide_to_check(alias: Alias, current: CurrentGuide | None) -> Guide | None:
    """checking_guide, from the guide in force as already read."""
    if current is not None:
        return current.guide
    if alias.signature_kind is SignatureKind.NONE:
        return None
    return Guide(
        origin=f"{alias.handle} settings",
        source="",
        name=alias.display_name,
        handle=alias.handle,
        language=alias.language,
        length=LIMIT,
        signature=Signature(alias.signature_kind, alias.signature_text),
    )


def changes_since_last_shift(
    tx: Transaction, operator: Operator, alias: Alias, now: datetime
) -> list[GuideVersion]:
    """Versions saved since the operator's previous shift on the alias ended, oldest first."""
    shift = tx.shifts.open_for(operator.id, alias.id)
    until = shift.started_at if shift else now
    previous_end = tx.shifts.last_ended_before(operator.id, alias.id, until)
    if previous_end is None:
        return []
    return [v for v in reversed(tx.guides.versions(alias.id)) if v.created_at > previous_end]


class GuideService:
    """Guides as versions: a malformed one is refused and the previous version stays in force."""

    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def import_file(
        self, handle: str, path: Path, note: str = "", by: SignedIn | None = None
    ) -> GuideVersion:
        """Import a guide file from the shell: as a lead of the alias, or by anyone while the
        workspace has no lead yet."""
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidInput(f"cannot read the guide {path}: {error}") from None
        tag = names.handle(handle)
        with self._workspace.transaction() as tx:
            alias = tx.aliases.by_handle(tag)
            if alias is None:
                raise NotFound(f"there is no alias {tag}")
            actor = administrator(tx, by, "change its guide", alias)
            return self._save(
                tx,
                alias,
                source,
                str(path),
                note or f"imported {path.name}",
                actor.id if actor is not None else None,
            )

    def save(self, who: SignedIn, alias_id: int, source: str, note: str) -> GuideVersion:
        """A lead saves an edited guide as a new version, with a note saying what changed."""
        if not note.strip():
            raise InvalidInput("say what changed in this version (the change note)")
        with self._workspace.transaction() as tx:
            lead = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            lead_of(tx, lead, alias)
            return self._save(tx, alias, source, f"{alias.handle} guide", note, lead.id)

    def _save(
        self,
        tx: Transaction,
        alias: Alias,
        source: str,
        origin: str,
        note: str,
        author_id: int | None,
    ) -> GuideVersion:
        # Each raises GuideError, naming the file and line: nothing is stored.
        limits = post_limits(tx, alias)
        longest = limits.longest if limits else longest_post(alias.channel)
        guide = parse_guide(source, origin, longest, {alias.channel: longest})
        refuse_empty(guide)
        current = tx.guides.current(alias.id)
        if current is not None and current.source == source:
            raise InvalidInput(f"this is already version {current.version} of the guide")
        now = self._clock()
        version = tx.guides.add(alias.id, source, note.strip(), author_id, now)
        # The guide's signature policy is the alias's: the dispatcher signs with it at send time.
        tx.aliases.set_signature(alias.id, guide.signature.policy, guide.signature.text)
        tx.audit.append(
            AuditDraft(
                "guide.version_created",
                author_id,
                alias.id,
                f"guide v{version.version}",
                {
                    "note": version.change_note,
                    "rules": len(guide.rules),
                    "by": os_user() if author_id is None else None,
                },
                content=f"guide_version {alias.id}.{version.version}",
            ),
            now,
        )
        return version

    def check_may_edit(self, who: SignedIn, alias_id: int) -> None:
        """Raise what `save` would raise for who may not edit the guide (PermissionDenied:
        only a lead), so that an editor is refused before anything is typed."""
        with self._workspace.reading() as tx:
            lead_of(tx, active_operator(tx, who), existing_alias(tx, alias_id))

    def current(self, who: SignedIn, alias_id: int) -> CurrentGuide | None:
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            role_on(tx, active_operator(tx, who), alias)
            return current_guide(tx, alias)

    def current_for_handle(self, handle: str) -> CurrentGuide:
        """For the command line: the guide in force on an alias (no sign-in: it is not secret)."""
        tag = names.handle(handle)
        with self._workspace.transaction() as tx:
            alias = tx.aliases.by_handle(tag)
            if alias is None:
                raise NotFound(f"there is no alias {tag}")
            found = current_guide(tx, alias)
        if found is None:
            raise NotFound(f"{tag} has no guide yet: cmconsole guide import {tag} FILE")
        return found

    def versions_for_handle(self, handle: str) -> list[GuideVersion]:
        """For the command line: every version of an alias's guide, newest first."""
        tag = names.handle(handle)
        with self._workspace.transaction() as tx:
            alias = tx.aliases.by_handle(tag)
            if alias is None:
                raise NotFound(f"there is no alias {tag}")
            return tx.guides.versions(alias.id)

    def for_checking(self, who: SignedIn, alias_id: int) -> Guide | None:
        """What the compose box checks drafts against (see checking_guide)."""
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            role_on(tx, active_operator(tx, who), alias)
            return checking_guide(tx, alias)

    def limits_for_checking(
        self, who: SignedIn, alias_id: int, channel: str | None = None
    ) -> PostLimits | None:
        """What the alias's server on `channel` (its own by default) said of a post's length, for
        the compose box's check; None: the channel's usual limit."""
        with self._workspace.reading() as tx:
            alias = existing_alias(tx, alias_id)
            role_on(tx, active_operator(tx, who), alias)
            return post_limits(tx, alias, channel)

    def limits_for_handle(self, handle: str, channel: str) -> PostLimits | None:
        """For the command line: what the alias's server on `channel` said of a post's length
        (no sign-in: it is not secret)."""
        tag = names.handle(handle)
        with self._workspace.reading() as tx:
            alias = tx.aliases.by_handle(tag)
            if alias is None:
                raise NotFound(f"there is no alias {tag}")
            return post_limits(tx, alias, channel)

    def unread(self, who: SignedIn, alias_id: int) -> CurrentGuide | None:
        """The guide, if the operator must still read it before speaking (never acknowledged)."""
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            version = unread_guide(tx, operator, alias)
            return parsed_version(version, alias.handle) if version else None

    def changed_since_last_shift(self, who: SignedIn, alias_id: int) -> list[GuideVersion]:
        """Versions saved since the operator's previous shift on the alias ended, oldest first."""
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            return changes_since_last_shift(tx, operator, alias, self._clock())

    def versions(self, who: SignedIn, alias_id: int) -> list[GuideVersion]:
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            role_on(tx, active_operator(tx, who), alias)
            return tx.guides.versions(alias.id)

    def diff(self, who: SignedIn, alias_id: int, version: int) -> str:
        """What `version` changed from the one before it, as a unified diff."""
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            role_on(tx, active_operator(tx, who), alias)
            after = tx.guides.by_version(alias.id, version)
            if after is None:
                raise NotFound(f"{alias.handle} has no guide version {version}")
            before = tx.guides.by_version(alias.id, version - 1)
        return "".join(
            difflib.unified_diff(
                before.source.splitlines(keepends=True) if before else [],
                after.source.splitlines(keepends=True),
                fromfile=f"v{version - 1}" if before else "(none)",
                tofile=f"v{version}",
            )
        )

    def acknowledge(self, who: SignedIn, alias_id: int, version: int) -> None:
        """The operator has read this version of the guide."""
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            if tx.guides.by_version(alias.id, version) is None:
                raise NotFound(f"{alias.handle} has no guide version {version}")
            if tx.guides.acknowledge(alias.id, operator.id, version, self._clock()):
                tx.audit.append(
                    AuditDraft("guide.acknowledged", operator.id, alias.id, f"guide v{version}"),
                    self._clock(),
                )
