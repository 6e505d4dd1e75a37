"""The terminal console: the only code that imports textual."""
