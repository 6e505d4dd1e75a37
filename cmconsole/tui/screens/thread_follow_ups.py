"""The thread screen's follow-ups: promised by hand (ctrl+f), done (ctrl+d), or proposed from
the promises a reply makes ("nous revenons vers vous demain") before it is sent."""

from collections.abc import Callable
from datetime import datetime, timedelta

from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Alias, FollowUp
from cmconsole.domain.promises import Promise
from cmconsole.services.follow_ups import DUE_FORMAT
from cmconsole.services.guard import SignedIn
from cmconsole.tui.dialogs.prompt import Field, PromptDialog
from cmconsole.tui.screens.base import ConsoleScreen, service_work

MAX_FOLLOW_UP_HOURS = 24 * 365

# A follow-up accepted before sending: what was promised, and when, on the alias's clock.
Accepted = tuple[str, str]


class ThreadFollowUps(ConsoleScreen[str]):
    """Follow-up keys and proposals; the thread screen provides what is declared here."""

    who: SignedIn
    alias: Alias
    _follow_ups: list[FollowUp]

    @property
    def inbound_id(self) -> int | None:
        raise NotImplementedError

    def _status(self, text: str, *, error: bool = False) -> None:
        raise NotImplementedError

    def _load(self) -> None:
        raise NotImplementedError

    def propose_follow_ups(self, text: str, then: Callable[[list[Accepted]], None]) -> None:
        """Offer each promise the reply makes as a follow-up, prefilled, to accept (enter), edit
        or skip (escape); then call `then` with those accepted, skipped or not. The service reads
        no data to find them, so the dialog is up before the next key is handled."""
        proposals = self.services.follow_ups.proposed(self.alias, text)
        self._next_proposal(proposals, [], then)

    def _next_proposal(
        self,
        proposals: list[Promise],
        accepted: list[Accepted],
        then: Callable[[list[Accepted]], None],
    ) -> None:
        if not proposals:
            then(accepted)
            return
        first, rest = proposals[0], proposals[1:]

        def answered(values: list[str] | None) -> None:
            if values is not None:
                accepted.append((values[0], values[1]))
            self._next_proposal(rest, accepted, then)

        self.app.push_screen(
            PromptDialog(
                f"This reply promises something: follow it up? (enter: accept · esc: skip; "
                f"the reply is sent either way) “{first.when}”",
                [
                    Field("What did we promise?", value=first.text),
                    Field(
                        f"Due (YYYY-MM-DD HH:MM, {self.alias.time_zone})",
                        value=f"{first.due_at:{DUE_FORMAT}}",
                    ),
                ],
            ),
            answered,
        )

    def record_accepted(self, inbound_id: int, accepted: list[Accepted]) -> list[str]:
        """From the send worker, once the reply is on its way: the accepted follow-ups are
        recorded; returns why any was refused (a time edited into the past, say)."""
        refused = []
        for promise, due in accepted:
            try:
                self.services.follow_ups.promise_on_alias_clock(self.who, inbound_id, promise, due)
            except CmconsoleError as error:
                refused.append(f"Follow-up not recorded: {error}")
        return refused

    def action_promise(self) -> None:
        def promised(values: list[str] | None) -> None:
            if not values:
                return
            try:
                hours = float(values[1].replace(",", "."))
            except ValueError:
                hours = -1.0
            if not 0 < hours <= MAX_FOLLOW_UP_HOURS:  # also refuses nan and inf
                self._status(
                    f"Say in how many hours the follow-up is due: 1 to {MAX_FOLLOW_UP_HOURS}.",
                    error=True,
                )
                return
            if self.inbound_id is not None:
                self._promise(values[0], self.console.clock() + timedelta(hours=hours))

        self.app.push_screen(
            PromptDialog(
                "Promise a follow-up to this person",
                [Field("What did we promise?"), Field("Due in how many hours?", value="24")],
            ),
            promised,
        )

    @service_work(exclusive=True, group="follow-up")
    def _promise(self, promise: str, due_at: datetime) -> None:
        assert self.inbound_id is not None
        self.services.follow_ups.promise(self.who, self.inbound_id, promise, due_at)
        self.app.call_from_thread(self._load)

    def action_follow_up_done(self) -> None:
        open_ones = [f for f in self._follow_ups if f.done_at is None]
        if open_ones:
            self._complete(open_ones[0].id)

    @service_work(exclusive=True, group="follow-up")
    def _complete(self, follow_up_id: int) -> None:
        self.services.follow_ups.complete(self.who, follow_up_id)
        self.app.call_from_thread(self._load)
