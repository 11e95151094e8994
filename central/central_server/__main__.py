"""``python -m central_server ...`` is ``perisai-server ...``."""

from central_server.cli import main

raise SystemExit(main())
