"""The `warroom` command line: one module per subcommand family."""
