"""The device's side of the sync with the central server (no Qt here).

client.py (HTTP), credentials.py (tokens in the OS keyring), engine.py (a user's rounds),
push.py, pull.py, pulled_money.py, reconcile.py, reference.py (the round's parts),
headless.py (the ``perisai-agent login`` / ``sync --once`` commands). The wire schemas are
``perisai_protocol``; the reference server is ``central_server``.
"""
