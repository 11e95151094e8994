"""The central server is its own install: nothing of Qt, SQLCipher or the keyring comes with
it, and no shipped package carries test-support code."""

from __future__ import annotations

import re
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
DEVICE_ONLY = {"pyside6", "pyside6-essentials", "shiboken6", "sqlcipher3", "keyring"}


def _closure(name: str) -> set[str]:
    """Every distribution ``name`` needs, recursively (no extras)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if current in seen:
            continue
        seen.add(current)
        for text in distribution(current).requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def test_central_server_install_needs_nothing_of_the_device():
    needed = _closure("perisai-central")
    assert "perisai-protocol" in needed and "fastapi" in needed
    assert not needed & DEVICE_ONLY, needed & DEVICE_ONLY
    assert "perisai-agent" not in needed


def test_protocol_needs_only_pydantic():
    assert _closure("perisai-protocol") - {"perisai-protocol"} <= _closure("pydantic")


def test_shipped_packages_carry_no_test_support():
    shipped = [REPO / "agent_app", REPO / "sync", REPO / "central" / "central_server", REPO / "protocol"]
    names = {p.name for root in shipped for p in root.rglob("*.py")}
    assert not names & {"faultproxy.py", "testing.py", "samples.py"}
    assert not [p for root in shipped for p in root.rglob("*.pem") if "private" in p.name]
