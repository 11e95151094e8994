"""App-wide settings, declared once (key, type, default, label), stored in the DB ``meta``
table under ``setting.<key>``. Qt-free: the GUI, the CLI and tests share it.

Per-user choices (the UI language) live on the user row (``core.users.set_language``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from agent_app.services.base import get_meta, set_meta
from agent_app.store.db import Database

PREFIX = "setting."


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    label: dict[str, str]  # lang -> label
    minimum: int | None = None
    maximum: int | None = None
    clean: Callable[[str], str | None] | None = None  # text settings: normal form, None if invalid
    choices: tuple[str, ...] | None = None

    def parse(self, raw: str | None) -> Any:
        if raw is None:
            return self.default
        if self.clean is not None:
            cleaned = self.clean(raw)
            return self.default if cleaned is None else cleaned
        try:
            if self.type is bool:
                return raw in ("1", "true", "True")
            value = self.type(raw)
        except (TypeError, ValueError):
            return self.default
        if self.minimum is not None and value < self.minimum:
            return self.default
        if self.maximum is not None and value > self.maximum:
            return self.default
        if self.choices is not None and value not in self.choices:
            return self.default
        return value

    def dump(self, value: Any) -> str:
        if self.type is bool:
            return "1" if value else "0"
        if self.clean is not None:
            cleaned = self.clean(str(value))
            if cleaned is None:
                raise ValueError(f"{self.key}: {value!r} is not valid")
            return cleaned
        return str(self.type(value))


def clean_proxy_url(text: str) -> str | None:
    """An HTTP proxy as offices write it ("proxy.kantor:8080", with or without http://,
    a user and password allowed) in its normal form; "" for none; None when it is no proxy
    address."""
    text = text.strip()
    if not text:
        return ""
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None \
            or parts.path not in ("", "/") or parts.query or parts.fragment or " " in text:
        return None
    return f"{parts.scheme}://{parts.netloc}"


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "lock_minutes", int, 10,
            {"id": "Kunci otomatis setelah (menit tidak aktif)",
             "en": "Auto-lock after (minutes idle)"},
            minimum=1, maximum=120,
        ),
        Setting(
            "proxy_url", str, "",
            {"id": "Proxy kantor (kosong: pengaturan sistem)",
             "en": "Office proxy (empty: the system's settings)"},
            clean=clean_proxy_url,
        ),
        # The counter's printer: chosen once in Settings, remembered from the receipt dialog.
        Setting(
            "receipt_layout", str, "a4",
            {"id": "Kertas kuitansi", "en": "Receipt paper"},
            choices=("a4", "80mm", "58mm"),
        ),
        Setting(
            "receipt_printer", str, "",  # "": the system's default printer
            {"id": "Printer kuitansi", "en": "Receipt printer"},
        ),
    )
}


def get_settings(db: Database, *keys: str) -> dict[str, Any]:
    """Several settings in one read (the GUI loads them on its database thread)."""
    with db.read() as s:
        return {key: SETTINGS[key].parse(get_meta(s, PREFIX + key)) for key in keys}


def get_setting(db: Database, key: str) -> Any:
    setting = SETTINGS[key]
    with db.read() as s:
        return setting.parse(get_meta(s, PREFIX + key))


def set_setting(db: Database, key: str, value: Any) -> None:
    setting = SETTINGS[key]
    raw = setting.dump(value)
    if setting.clean is None and setting.parse(raw) != setting.type(value):
        raise ValueError(f"{key}: {value!r} out of range")
    with db.write() as s:
        set_meta(s, PREFIX + key, raw)

