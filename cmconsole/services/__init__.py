"""Use cases of cmconsole; every rule about who may do what lives here, not in the UI."""
