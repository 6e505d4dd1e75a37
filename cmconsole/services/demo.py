"""The demo workspace: seeded through the services themselves, with a public that keeps writing."""

import itertools
from dataclasses import dataclass
from pathlib import Path

from cmconsole.domain.contacts import Facet
from cmconsole.domain.errors import NotFound
from cmconsole.domain.model import Alias, Role
from cmconsole.services import demo_data
from cmconsole.services.accounts import AccountService
from cmconsole.services.contact_tags import ContactTagService
from cmconsole.services.contacts import ContactService
from cmconsole.services.dispatch import Dispatcher
from cmconsole.services.guard import SignedIn
from cmconsole.services.guides import GuideService
from cmconsole.services.handover import HandoverService
from cmconsole.services.inbox import InboxService
from cmconsole.services.ports import Clock, SandboxTimeline
from cmconsole.services.posting import PostingService
from cmconsole.services.saved_replies import SavedReplyService
from cmconsole.services.shifts import ShiftService

# The example guides shipped in the repository's config/ folder.
EXAMPLE_GUIDES = Path(__file__).resolve().parents[2] / "config" / "guides"


class DemoPublic:
    """Members of the public writing to the demo aliases through the sandbox channel."""

    def __init__(self, timeline: SandboxTimeline, clock: Clock) -> None:
        self._timeline = timeline
        self._clock = clock
        self._script = itertools.cycle(
            [item for pair in zip(*demo_data.LIVE.values(), strict=True) for item in pair]
        )

    def mention(self, author_handle: str, text: str, *, private: bool = False) -> str:
        """Post `text` from `author_handle` on the sandbox timeline (`private`: as a private
        message to those it mentions); return its channel id."""
        author = "@" + author_handle.lstrip("@")
        now = self._clock()
        return self._timeline.add(author, author, text, None, now, private=private).channel_post_id

    def send_next(self) -> str:
        """Play the next line of the demo public's script."""
        author, text = next(self._script)
        return self.mention(author, text)


@dataclass(frozen=True)
class DemoSeeder:
    accounts: AccountService
    shifts: ShiftService
    inbox: InboxService
    posting: PostingService
    dispatcher: Dispatcher
    handovers: HandoverService
    guides: GuideService
    public: DemoPublic
    saved_replies: SavedReplyService
    contacts: ContactService
    contact_tags: ContactTagService

    def seed_if_empty(self) -> bool:
        """Fill a new workspace with the demo; return False if it already had people in it."""
        if not self.accounts.is_empty():
            return False
        for alias in demo_data.ALIASES:
            self.accounts.add_alias(
                alias.handle,
                alias.display_name,
                language=alias.language,
                signature=alias.signature,
                time_zone=alias.time_zone,
            )
        # Once the first lead is named the workspace is set up: the lead does the rest, as
        # anyone would have to.
        lead: SignedIn | None = None
        for account in demo_data.ACCOUNTS:
            added = self.accounts.add_operator(
                account.name, account.display_name, account.passphrase, by=lead
            )
            for alias in demo_data.ALIASES:
                self.accounts.grant(account.name, alias.handle, account.role, by=lead)
                if lead is None and account.role is Role.LEAD:
                    lead = SignedIn(added.id, added.name)  # the demo's script: no sign-in event
        for alias in demo_data.ALIASES:
            self.accounts.set_colour(alias.handle, alias.colour, by=lead)
            guide = EXAMPLE_GUIDES / f"{alias.handle.lstrip('@')}.toml"
            self.guides.import_file(alias.handle, guide, "the guide the demo starts with", by=lead)
        handles = {alias.handle: alias for alias in self.accounts.aliases()}
        for handle, name, text in demo_data.SAVED_REPLIES:
            self.saved_replies.save(lead, handles[handle].id, name, text)
        self._play_history()
        return True

    def _play_history(self) -> None:
        handles = {alias.handle: alias for alias in self.accounts.aliases()}
        passphrases = {a.name: a.passphrase for a in demo_data.ACCOUNTS}
        for handle, fan, asked, author, text in demo_data.EARLIER:
            self._answer(handles[handle], fan, asked, author, passphrases[author], text)
        self._know_contacts(handles, passphrases)
        for handle, messages in demo_data.HISTORY.items():
            for author, text in messages:
                self.public.mention(author, text)
            self.inbox.sync(handles[handle].id)
        for handle, index, author, text in demo_data.ANSWERED:
            alias = handles[handle]
            who = self.accounts.sign_in(author, passphrases[author])
            self.shifts.start(who, alias.id)
            current = self.guides.current(who, alias.id)
            if current is not None:
                self.guides.acknowledge(who, alias.id, current.version.version)
            wanted = demo_data.HISTORY[handle][index][1]
            message = next(
                (m for m in self.inbox.messages(who, alias.id) if m.text == wanted), None
            )
            if message is None:
                raise NotFound(f"demo history message {wanted!r} did not arrive")
            self.posting.reply(who, message.id, text)
            self.dispatcher.run_once()
            self.shifts.end(who, alias.id)
        # Written after every shift above ended: whoever signs in first has one to read.
        for handle, author, summary, watch, mood in demo_data.HANDOVERS:
            who = self.accounts.sign_in(author, passphrases[author])
            self.handovers.write(who, handles[handle].id, summary, people_to_watch=watch, mood=mood)

    def _know_contacts(self, handles: dict[str, Alias], passphrases: dict[str, str]) -> None:
        """What the team already knows of a few contacts: the lead tags, each author notes."""
        lead = self.accounts.sign_in("lea", passphrases["lea"])
        for handle, contact, name, language, tags, notes, ratings in demo_data.CONTACTS:
            alias_id = handles[handle].id
            self.contacts.describe(lead, alias_id, contact, name, language)
            for tag in tags:
                self.contact_tags.tag(lead, alias_id, contact, tag)
            for author, text, pinned in notes:
                who = self.accounts.sign_in(author, passphrases[author])
                self.contacts.note(who, alias_id, contact, text, pinned=pinned)
            for author, facet, value, reason in ratings:
                who = self.accounts.sign_in(author, passphrases[author])
                self.contacts.rate(who, alias_id, contact, Facet(facet), value, reason)

    def _answer(
        self, alias: Alias, fan: str, asked: str, author: str, passphrase: str, text: str
    ) -> None:
        """A fan writes and an operator answers, published: a conversation of the past."""
        self.public.mention(fan, asked)
        self.inbox.sync(alias.id)
        who = self.accounts.sign_in(author, passphrase)
        self.shifts.start(who, alias.id)
        current = self.guides.current(who, alias.id)
        if current is not None:
            self.guides.acknowledge(who, alias.id, current.version.version)
        conversation = self.inbox.conversation(who, alias.id, fan)
        message = next(m for m in conversation.messages if m.text == asked)
        self.posting.reply(who, message.id, text)
        self.dispatcher.run_once()
        self.shifts.end(who, alias.id)
