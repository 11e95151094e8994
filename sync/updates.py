"""A newer version from the centre: what it announced, its installer downloaded and checked,
then run silently over this install. No Qt (the status bar's button calls these on the
network thread).

The centre announces a release with its download URL, and publishes the installer's size
and SHA-256 in the URL's fragment, where older apps ignore them
(``perisai-server set-app-version 0.2.0 --url https://... --installer FILE`` writes it):

    https://pusat.example/unduh/PerisaiAgent-0.2.0-win64-setup.exe#sha256=<64 hex>&size=<bytes>

Only an HTTPS download (every redirect too) whose size and SHA-256 match is kept; anything
else is deleted and refused in words. The installer then runs with ``/S`` (silent, in
place: program files replaced, data and its queue untouched) and ``/relaunch`` (the app
starts again when it is done); the app closes itself so its files can be replaced.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from agent_app.domain.messages import register, render
from agent_app.files import replace
from sync.client import os_trust_session, proxies_for

CHUNK = 256 * 1024
INSTALLER_ARGS = ("/S", "/relaunch")

register({
    "update.unverifiable": {
        "id": "Pusat tidak menerbitkan ukuran dan SHA-256 pemasang ini, atau alamatnya bukan HTTPS: "
              "pemasang tidak diunduh. Minta pemasang ke admin TI.",
        "en": "The centre did not publish this installer's size and SHA-256, or its address is not "
              "HTTPS: it was not downloaded. Ask IT support for the installer.",
    },
    "update.mismatch": {
        "id": "Pemasang yang diunduh tidak sama dengan yang diterbitkan pusat ({detail}); pemasang "
              "dihapus dan tidak dijalankan.",
        "en": "The downloaded installer is not the one the centre published ({detail}); it was "
              "deleted and not run.",
    },
    "update.download_failed": {
        "id": "Pemasang tidak dapat diunduh ({detail}). Coba lagi nanti.",
        "en": "The installer could not be downloaded ({detail}). Try again later.",
    },
})


class UpdateRefused(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    def text(self, lang: str = "id") -> str:
        return render(self.code, lang, detail=self.detail)


@dataclass(frozen=True)
class Release:
    version: str
    url: str  # without the fragment
    sha256: str
    size: int

    @property
    def file_name(self) -> str:
        name = Path(urlsplit(self.url).path).name
        return name if re.fullmatch(r"[\w.+-]+\.exe", name) else f"PerisaiAgent-{self.version}-setup.exe"


def parse_release(version: str, download_url: str) -> Release:
    """The announced release, or UpdateRefused("update.unverifiable")."""
    parts = urlsplit(download_url)
    fields = parse_qs(parts.fragment)
    sha256 = (fields.get("sha256") or [""])[0].lower()
    size = (fields.get("size") or [""])[0]
    if parts.scheme != "https" or not parts.hostname or not re.fullmatch(r"[0-9a-f]{64}", sha256) \
            or not size.isdigit() or int(size) <= 0:
        raise UpdateRefused("update.unverifiable")
    return Release(version, parts._replace(fragment="").geturl(), sha256, int(size))


def download(release: Release, folder: Path, *, proxy: str | None = None, ca_bundle: str | None = None,
             progress: Callable[[int, int], None] | None = None,
             cancelled: Callable[[], bool] | None = None, timeout: float = 30) -> Path:
    """Download the installer into ``folder``, check its size and SHA-256, return its path.
    A mismatch, a non-HTTPS hop or a broken download leaves nothing behind."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / release.file_name
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    received = 0
    session = os_trust_session()
    try:
        with _follow_https(session, release.url, proxy=proxy, verify=ca_bundle or True,
                           timeout=timeout) as response:
            if response.status_code != 200:
                raise UpdateRefused("update.download_failed", f"HTTP {response.status_code}")
            with open(partial, "wb") as out:
                for chunk in response.iter_content(CHUNK):
                    if cancelled is not None and cancelled():
                        raise UpdateRefused("update.download_failed", "cancelled")
                    received += len(chunk)
                    if received > release.size:
                        raise UpdateRefused("update.mismatch", f"> {release.size} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                    if progress is not None:
                        progress(received, release.size)
        if received != release.size:
            raise UpdateRefused("update.mismatch", f"{received} != {release.size} bytes")
        if digest.hexdigest() != release.sha256:
            raise UpdateRefused("update.mismatch", "SHA-256")
        replace(partial, target)
        return target
    except requests.RequestException as exc:
        raise UpdateRefused("update.download_failed", type(exc).__name__) from exc
    finally:
        session.close()
        partial.unlink(missing_ok=True)


def _follow_https(session: requests.Session, url: str, *, proxy: str | None, verify: bool | str,
                  timeout: float, hops: int = 5) -> requests.Response:
    """GET ``url``, following redirects (download hosts use them) only to HTTPS."""
    for _ in range(hops):
        if urlsplit(url).scheme != "https":
            raise UpdateRefused("update.unverifiable")
        response = session.get(url, stream=True, timeout=timeout, allow_redirects=False,
                               proxies=proxies_for(url, proxy), verify=verify)
        if not response.is_redirect:
            return response
        url = requests.compat.urljoin(url, response.headers["Location"])
        response.close()
    raise UpdateRefused("update.download_failed", "too many redirects")


def start_installer(installer: Path) -> subprocess.Popen:
    """Run the installer silently, detached from this app (which then quits so its files
    can be replaced; the installer waits for it and starts the new version)."""
    flags = 0
    if sys.platform == "win32":
        flags = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
    return subprocess.Popen([str(installer), *INSTALLER_ARGS], creationflags=flags, close_fds=True,
                            cwd=os.path.dirname(installer) or None)
