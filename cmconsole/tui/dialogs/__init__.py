"""Small modal dialogs: questions asked on top of a screen."""
