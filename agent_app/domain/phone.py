"""Indonesian mobile numbers: accept local or international spellings, store E.164.

Never validated by operator prefix (prefixes move between operators).
"""

from __future__ import annotations

import re

from .messages import Issue, error

_STRIP = re.compile(r"[\s\-.()]")
_MOBILE = re.compile(r"^(?:\+62|62|0)(8[1-35-9]\d{7,10})$")


def normalize_phone(text: str | None) -> str | None:
    """E.164 "+628..." for a valid mobile number, None otherwise (including empty)."""
    if not text:
        return None
    m = _MOBILE.match(_STRIP.sub("", text))
    return "+62" + m.group(1) if m else None


def check_phone(text: str | None, *, field: str = "phone") -> list[Issue]:
    """The phone is optional: empty is fine, anything else must be a valid mobile number."""
    if text is None or not text.strip():
        return []
    return [] if normalize_phone(text) else [error("phone.invalid", field)]


def format_phone_local(e164: str | None) -> str:
    """Display form "0812-3456-7890" (4-4-rest; 10 digits as 4-3-3); "" for None.

    Text that is not a valid number is returned unchanged.
    """
    if not e164:
        return ""
    normal = normalize_phone(e164)
    if normal is None:
        return e164
    local = "0" + normal[3:]
    if len(local) == 10:
        return f"{local[:4]}-{local[4:7]}-{local[7:]}"
    return f"{local[:4]}-{local[4:8]}-{local[8:]}"
