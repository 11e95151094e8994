"""``perisai-agent import`` run by someone whose role may not import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "daftar_pekerja_apbd_contoh.csv"


def test_an_agent_running_import_is_refused_in_words(tmp_path):
    data_dir = tmp_path / "data"
    # The real keyring code path, with a file backend standing in for Credential Manager.
    env = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
           "XDG_DATA_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c",
                    "import sys; from agent_app.services.core import open_core; from agent_app.paths import app_paths;"
                    "c=open_core(app_paths(sys.argv[1])); c.users.create_user(username='besse', "
                    "full_name='Besse Agen', role='agent', password='rahasia-besse'); c.close()",
                    str(data_dir)], check=True, env=env, timeout=60)
    report = tmp_path / "laporan.csv"
    result = subprocess.run(
        [sys.executable, "-m", "agent_app", "--data-dir", str(data_dir), "import", str(SAMPLE),
         "--report", str(report), "--user", "besse", "--password-stdin"],
        input="rahasia-besse\n", capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Peran Anda (agen) tidak boleh mengimpor daftar peserta" in result.stderr
    assert "Your role (agent) may not import participant lists" in result.stderr
    assert not report.exists()  # refused before the list was read
