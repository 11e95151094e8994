"""Reference central server of Perisai Agent (FastAPI + SQLModel, no Qt).

Its own install (``central/pyproject.toml``): it shares only the wire protocol
(``perisai_protocol``) with the agent app and imports nothing of it. Entry points:
``central_server.app.create_app(Settings)`` and the ``perisai-server`` CLI
(``central_server.cli:main``).
"""

SERVER_VERSION = "0.2.0"
