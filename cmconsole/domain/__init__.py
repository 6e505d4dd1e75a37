"""Plain-Python core of cmconsole: the words of the product, with no I/O and no framework."""
