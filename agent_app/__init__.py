from agent_app.version import __version__  # noqa: F401
