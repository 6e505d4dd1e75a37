"""Panes: the parts of a screen that each render one piece of a service's model."""
