"""What every console screen shares: typed access to the app's services and clock."""

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from cmconsole.services.bundle import Services
    from cmconsole.tui.app import CmconsoleApp


Result = TypeVar("Result")


class ConsoleScreen(Screen[Result]):
    @property
    def console(self) -> "CmconsoleApp":
        from cmconsole.tui.app import CmconsoleApp

        return cast(CmconsoleApp, self.app)

    @property
    def services(self) -> "Services":
        return self.console.services
