"""cmconsole: a terminal console in which several people speak as one brand."""

__version__ = "0.1.0"
