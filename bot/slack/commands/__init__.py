"""`/incident` subcommands: one module per family, each with a `register` function."""
