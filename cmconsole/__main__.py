"""Allows `python -m cmconsole`."""

from cmconsole.cli import main

main()
