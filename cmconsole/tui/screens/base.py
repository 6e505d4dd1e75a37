"""What every console screen shares: typed access to the app's services and clock, and the one
place where a failed background task (a worker) is caught and shown."""

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual import work
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from cmconsole.domain.errors import CmconsoleError
from cmconsole.logs import redact
from cmconsole.tui.safe import inert

if TYPE_CHECKING:
    from cmconsole.services.bundle import Services
    from cmconsole.tui.app import CmconsoleApp

_log = logging.getLogger(__name__)

Result = TypeVar("Result")
Task = TypeVar("Task", bound=Callable[..., Any])


def service_work(*, group: str = "default", exclusive: bool = False) -> Callable[[Task], Task]:
    """Run the decorated method in a thread worker whose failure does not end the console:
    `ConsoleScreen.say_failure` catches it and the screen's `show_problem` says it."""
    return cast(
        Callable[[Task], Task],
        work(thread=True, group=group, exclusive=exclusive, exit_on_error=False),
    )


class ConsoleScreen(Screen[Result]):
    class ProblemFound(Message):
        """A background task met a problem it carries on past (a channel that failed to sync)."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    @property
    def console(self) -> "CmconsoleApp":
        from cmconsole.tui.app import CmconsoleApp

        return cast(CmconsoleApp, self.app)

    @property
    def services(self) -> "Services":
        return self.console.services

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Textual calls this after a subclass's own handler (each class in the MRO has its
        # turn): a subclass must not call it again, or every failure is said twice.
        self.say_failure(event)

    def say_failure(self, event: Worker.StateChanged) -> None:
        """Say why a worker of this screen (or of a widget on it) failed, if it did."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, CmconsoleError):
            # The services' refusals and faults are written for the person at the keyboard; a
            # channel's may quote what the platform answered: any credential loaded is masked.
            self.show_problem(redact(str(error)))
            return
        # Anything else is a bug: its text may hold a database URL, so only its kind is shown.
        _log.error("a console task failed", exc_info=error)
        self.show_problem(
            f"Something went wrong ({type(error).__name__}); the log has the details."
        )

    def report_problem(self, reason: str) -> None:
        """From a worker: have the screen say `reason`, and carry on."""
        self.post_message(self.ProblemFound(reason))

    def on_console_screen_problem_found(self, message: ProblemFound) -> None:
        self.show_problem(message.reason)

    def show_problem(self, reason: str) -> None:
        """Say what went wrong; screens with an error line show it there."""
        self.notify(inert(reason), severity="error", markup=False)
