"""Test-only entry point: one sync round of a device in a child process, killed with
SIGKILL at the crash point named by PERISAI_CRASH_AT (see sync.engine.CHECKPOINTS, plus
"server_committed": the push answer's headers arrived, i.e. the server committed).

    python tests/e2e/sync_child.py <db path> <base url> <username> <keyring file>

Exit 0 when the round ended without reaching the crash point.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> int:
    db_path, base_url, username, keyring_file = sys.argv[1:5]
    point = os.environ.get("PERISAI_CRASH_AT", "")

    import keyring
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = keyring_file
    keyring.set_keyring(backend)

    from agent_app.services.core import AgentCore
    from sync.client import SyncClient
    from sync.headless import make_engine

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    core = AgentCore.open(Path(db_path))
    client = SyncClient(base_url, connect_timeout=2, read_timeout=10, deadline=30)
    if point == "server_committed":
        original = client.session.request

        def request(method, url, *args, **kwargs):
            response = original(method, url, *args, **kwargs)
            if url.endswith("/v1/push"):
                die()  # headers in hand: the server committed; the answer is lost
            return response

        client.session.request = request
    engine = make_engine(core, base_url, username, client=client, backoff_base=0.001,
                         backoff_cap=0.01)

    def checkpoint(name: str) -> None:
        if name == point:
            die()

    engine._checkpoint = checkpoint
    report = engine.sync_round()
    print(report.state)
    core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
