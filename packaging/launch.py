"""Entry point of the bundled app: the same ``playground`` command."""

import sys

from playground.cli import main

if __name__ == "__main__":
    sys.exit(main())
