"""Atomic file writes: an export, a report or a receipt is either complete or absent.

Every file a person takes away (reports, receipts, data copies, import reports) and every
file the app reads back is written to a temporary file in the same folder, flushed to
disk, then moved over the target in one step, so a power cut never leaves half a file.

On Windows that last step fails while another program holds the target open (an export
open in Excel) or, for a moment, while an antivirus scans the new file: the move is tried
again for about a second, then :class:`FileInUse` says so in words; the previous file
stays as it was.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPLACE_ATTEMPTS = 6
REPLACE_PAUSE_S = 0.2


class FileInUse(PermissionError):
    """The target is held open by another program; its ``strerror`` is for a person."""

    def __init__(self, target: Path) -> None:
        super().__init__(13, "berkas sedang dibuka program lain (mis. Excel): tutup berkas itu lalu coba "
                             "lagi / the file is open in another program (e.g. Excel): close it and try "
                             "again", str(target))


def replace(source: Path, target: Path) -> None:
    """``os.replace``, patient with a file another program holds for a moment."""
    for attempt in range(REPLACE_ATTEMPTS):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == REPLACE_ATTEMPTS - 1:
                raise FileInUse(target) from None
            time.sleep(REPLACE_PAUSE_S)


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the block ends normally, whatever was
    written there replaces ``target``; on any exception it is removed and target untouched."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(target: str | os.PathLike[str], content: str, encoding: str = "utf-8") -> None:
    with atomic_path(target) as tmp:
        with open(tmp, "w", encoding=encoding, newline="") as handle:
            handle.write(content)
