from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_domain_imports_without_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, agent_app.domain as d\n"
        "for m in pkgutil.iter_modules(d.__path__): importlib.import_module('agent_app.domain.' + m.name)\n"
        "bad = sorted(n for n in sys.modules\n"
        "             if n.split('.')[0] in ('PySide6', 'shiboken6', 'sqlalchemy', 'sqlmodel'))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
