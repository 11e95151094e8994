"""Refresh ``perisai_id.ts`` from the source without losing anyone's work.

    .venv/bin/python resources/translations/update_ts.py [--prune] [FILES...]

Runs ``pyside6-lupdate`` over the given Python files (default: every file under
``agent_app/``) into a scratch .ts, then merges into ``perisai_id.ts``: existing
translations are kept, new source strings are added as "unfinished", contexts and messages
that the scanned files no longer produce are left alone (several engineers edit this file;
a partial scan must never delete someone else's strings). ``--prune`` removes strings the
code no longer has, but only inside the contexts the scanned files produce. Then fill in
the Indonesian in Qt Linguist (``pyside6-linguist``) or any text editor.

Qt's own contexts (``QPlatformTheme``: standard dialog buttons, ``QLineEdit`` and
``QWidgetTextControl``: context menus) are kept here by hand: PySide6 ships no
``qtbase_id.qm``, so without them "Cancel"/"Close" would stay English.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TS = Path(__file__).resolve().parent / "perisai_id.ts"


def lupdate(files: list[Path], out: Path) -> None:
    exe = Path(sys.executable).parent / "pyside6-lupdate"
    subprocess.run([str(exe), *map(str, files), "-ts", str(out)], check=True,
                   capture_output=True)


def merge(fresh: Path, target: Path = TS, *, prune: bool = False) -> tuple[int, int]:
    tree = ET.parse(target)
    root = tree.getroot()
    contexts = {c.findtext("name"): c for c in root.findall("context")}
    added = kept = 0
    for fresh_ctx in ET.parse(fresh).getroot().findall("context"):
        name = fresh_ctx.findtext("name")
        ctx = contexts.get(name)
        if ctx is None:
            ctx = ET.SubElement(root, "context")
            ET.SubElement(ctx, "name").text = name
            contexts[name] = ctx
        have = {m.findtext("source") for m in ctx.findall("message")}
        if prune:
            wanted = {m.findtext("source") for m in fresh_ctx.findall("message")}
            for message in list(ctx.findall("message")):
                if message.findtext("source") not in wanted:
                    ctx.remove(message)
                    have.discard(message.findtext("source"))
        for message in fresh_ctx.findall("message"):
            source = message.findtext("source")
            if source in have:
                kept += 1
                continue
            new = ET.SubElement(ctx, "message")
            ET.SubElement(new, "source").text = source
            ET.SubElement(new, "translation", type="unfinished")
            have.add(source)
            added += 1
    write(tree, target)
    return added, kept


def write(tree: ET.ElementTree, target: Path = TS) -> None:
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    target.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                      encoding="utf-8")


def main(argv: list[str]) -> int:
    prune = "--prune" in argv
    files = [Path(a) for a in argv if a != "--prune"] or sorted((ROOT / "agent_app").rglob("*.py"))
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "scan.ts"
        lupdate(files, scratch)
        added, kept = merge(scratch, prune=prune)
    print(f"{TS.name}: {added} new strings (unfinished), {kept} already there")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
