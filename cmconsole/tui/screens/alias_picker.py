"""Pick the alias to speak as: the home screen (tui/screens/home.py) is the picker now."""

from cmconsole.tui.screens.home import HomeScreen

# The name sign-in and the tests know the picker by: the home lists the same aliases, and Enter
# on one starts a shift there as the picker did.
AliasPickerScreen = HomeScreen

__all__ = ["AliasPickerScreen"]
