"""Reference central server of Perisai Agent (FastAPI + SQLModel, no Qt).

Entry points: ``sync.server.app.create_app(Settings)``, the ``perisai-server`` CLI
(``sync.server.cli:main``) and ``sync.server.testing.run_server`` for end-to-end tests.
"""

SERVER_VERSION = "0.1.0"
