"""Entry script of the frozen app (PyInstaller): hands over to ``agent_app.cli.main``."""

import sys

from agent_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
