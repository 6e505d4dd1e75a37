"""The who-spoke pane: what was published under the alias, read a page at a time, and who by."""

from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.worker import Worker

from cmconsole.domain.errors import CmconsoleError, NotFound
from cmconsole.services.audit import (
    SPOKEN_PAGE,
    AuditService,
    SpeakersReport,
    Spoken,
    SpokenPage,
)
from cmconsole.services.guard import SignedIn
from cmconsole.tui.screens.base import ConsoleScreen, service_work
from cmconsole.tui.widgets.spoken_history import SpokenHistory


@dataclass(frozen=True)
class SpokenFilters:
    operator: str = ""
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""


# What the per-operator numbers were counted for: the filters and the newest post.
SpeakersKey = tuple[SpokenFilters, int | None]


def _newest(page: SpokenPage) -> int | None:
    return page.posts[0].post.id if page.posts else None


class WhoSpokePane(Vertical):
    """Shows SpokenHistory and reads what it shows: `read` when the tab is shown, `read_again`
    on a refresh; its own filters and the cursor reaching the end start the other loads."""

    class SpokenLoaded(Message):
        """A page of who spoke: the first (read again on a refresh if `again`), or the one
        after `after`; `generation` numbers the load it came from."""

        def __init__(
            self,
            generation: int,
            filters: SpokenFilters,
            page: SpokenPage,
            after: Spoken | None,
            again: bool,
        ) -> None:
            super().__init__()
            self.generation = generation
            self.filters = filters
            self.page = page
            self.after = after
            self.again = again

    class SpeakersLoaded(Message):
        def __init__(self, generation: int, report: SpeakersReport, key: SpeakersKey) -> None:
            super().__init__()
            self.generation = generation
            self.report = report
            self.key = key

    class SpokenRefused(Message):
        def __init__(self, generation: int, reason: str) -> None:
            super().__init__()
            self.generation = generation
            self.reason = reason

    def __init__(
        self, audit: AuditService, who: SignedIn, alias_id: int, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.audit = audit
        self.who = who
        self.alias_id = alias_id
        self._spoken = SpokenFilters()
        # Who spoke is read by one load at a time, each numbered: a superseded load's thread
        # still finishes, and what it posts then is ignored.
        self._spoken_generation = 0
        self._spoken_worker: Worker[None] | None = None
        # The filters the rows shown were read with (None: nothing read yet).
        self._spoken_read: SpokenFilters | None = None
        # What the per-operator numbers shown were counted for (None: nothing counted).
        self._speakers_key: SpeakersKey | None = None

    def compose(self) -> ComposeResult:
        yield SpokenHistory(id="spoken-history")

    def read(self) -> None:
        """Read the first page (the tab was shown)."""
        self._read_spoken()

    def read_again(self) -> None:
        """A refresh: read what is new, the rows read so far and the cursor kept."""
        if self._spoken_worker is not None and not self._spoken_worker.is_finished:
            return  # a load under way (a first page, the next): it reads what is new anyway
        rows = max(SPOKEN_PAGE, self.query_one(SpokenHistory).rows)
        # Published posts never change, new ones come first: read the rows again only if the
        # newest differs, and then with the cursor left where the reader was.
        self._read_spoken(rows, again=self._spoken_read == self._spoken)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble: the screen, which says what failed, is handed it.
        if isinstance(self.screen, ConsoleScreen):
            self.screen.say_failure(event)

    def _read_spoken(
        self, rows: int = SPOKEN_PAGE, after: Spoken | None = None, *, again: bool = False
    ) -> None:
        """Start a load of who spoke, numbered here on the main thread (see _load_spoken)."""
        self._spoken_generation += 1
        shown = self.query_one(SpokenHistory).newest
        self._spoken_worker = self._load_spoken(
            self._spoken_generation, self._spoken, rows, after, again, shown
        )

    @service_work(exclusive=True, group="spoken")
    def _load_spoken(
        self,
        generation: int,
        filters: SpokenFilters,
        rows: int,
        after: Spoken | None,
        again: bool,
        shown: int | None,
    ) -> None:
        """A page of who spoke (the first `rows`, or those after `after`; read `again`, the
        first only if its newest post is not the `shown` one); then, when the filters or the
        newest post changed, the per-operator numbers, which take longer."""
        audit, who, alias_id = self.audit, self.who, self.alias_id
        operator, text = filters.operator or None, filters.text or None
        since, until = filters.since, filters.until

        def read(limit: int, after: Spoken | None = None) -> SpokenPage:
            return audit.spoken(
                who,
                alias_id,
                operator=operator,
                since=since,
                until=until,
                text=text,
                after=after,
                limit=limit,
            )

        try:
            if again and _newest(read(1)) == shown:
                newest = shown  # nothing new: the rows shown stay, and so does the cursor
            else:
                page = read(rows, after)
                self.post_message(self.SpokenLoaded(generation, filters, page, after, again))
                if after is not None:
                    return
                newest = _newest(page)
            key = (filters, newest)
            if key != self._speakers_key:
                speakers = audit.speakers(
                    who, alias_id, operator=operator, since=since, until=until, text=text
                )
                self.post_message(self.SpeakersLoaded(generation, speakers, key))
        except NotFound as error:  # an operator's name half typed in the filter
            self.post_message(self.SpokenRefused(generation, str(error)))
        except CmconsoleError as error:
            # It bubbles to the screen, which says it.
            self.post_message(ConsoleScreen.ProblemFound(str(error)))

    def on_who_spoke_pane_spoken_loaded(self, message: SpokenLoaded) -> None:
        history = self.query_one(SpokenHistory)
        if message.generation != self._spoken_generation:
            return  # a newer load superseded it
        if message.after is not None and message.after.post.id != history.last:
            return  # the rows changed since: it no longer follows them
        if message.after is None:
            self._spoken_read = message.filters
        history.show_page(
            message.page, appended=message.after is not None, keep_cursor=message.again
        )

    def on_who_spoke_pane_speakers_loaded(self, message: SpeakersLoaded) -> None:
        if message.generation != self._spoken_generation:
            return  # the next refresh counts them again if they are still wanted
        self._speakers_key = message.key
        self.query_one(SpokenHistory).show_speakers(message.report)

    def on_who_spoke_pane_spoken_refused(self, message: SpokenRefused) -> None:
        if message.generation != self._spoken_generation:
            return
        self._speakers_key = None
        self.query_one(SpokenHistory).show_problem(message.reason)

    @on(SpokenHistory.MoreWanted)
    def _more_spoken(self, event: SpokenHistory.MoreWanted) -> None:
        if self._spoken_read != self._spoken:
            return  # the rows shown are the old filters': the new first page is on its way
        self._read_spoken(SPOKEN_PAGE, event.after)

    @on(SpokenHistory.FiltersChanged)
    def _filter_spoken(self, event: SpokenHistory.FiltersChanged) -> None:
        self._spoken = SpokenFilters(event.operator, event.since, event.until, event.text)
        self._read_spoken()
