"""Use cases: each call is one transaction (record + outbox operation + audit entry)."""

from agent_app.services import messages as _messages  # noqa: F401  (registers their texts)
