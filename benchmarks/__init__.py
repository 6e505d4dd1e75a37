"""cmconsole's benchmark suite: numbers on data of the size named, reported against targets."""
