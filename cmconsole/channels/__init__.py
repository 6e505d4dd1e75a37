"""Where aliases speak: the only code that talks to the outside world."""
