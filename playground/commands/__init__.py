"""The headless subcommands of ``playground``; each module is one group of the CLI contract."""
