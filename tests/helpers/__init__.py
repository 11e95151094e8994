"""Test support shared by the suites: a central server on loopback, sample payloads, a
fault-injecting proxy. Never shipped: nothing in agent_app, sync or central_server imports it."""

from pathlib import Path

# The private half of the demo recovery key pair (resources/reference/recovery_public_key.pem).
# It lives with the tests: a release build seals device keys to the organisation's own key.
DEMO_PRIVATE_KEY = Path(__file__).resolve().parent / "demo_recovery_private.pem"
