"""``python -m sync.server ...`` is ``perisai-server ...``."""

from sync.server.cli import main

raise SystemExit(main())
