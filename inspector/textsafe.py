"""Make untrusted text safe to print to a terminal.

Repository content, file names, payloads and server answers are data. Control characters,
escape sequences, bidi overrides and invisible characters are shown visibly (``\\x1b``,
``<U+202E>``) instead of being emitted, so a file name cannot move the cursor, retitle the
terminal, or reorder what the reviewer reads.
"""

from __future__ import annotations

import unicodedata

# Format (Cf) characters are invisible or reorder text (bidi controls, zero-width joiners);
# control (Cc) characters drive the terminal; separators other than space break lines.
_VISIBLE_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _is_unsafe(ch: str) -> bool:
    if ch == " ":
        return False
    category = unicodedata.category(ch)
    if category in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp", "Cn"):
        return True
    # Variation selectors (Mn) can smuggle data invisibly (GlassWorm).
    code = ord(ch)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def escape_char(ch: str) -> str:
    if ch in _VISIBLE_ESCAPES:
        return _VISIBLE_ESCAPES[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def terminal_safe(text: str, *, keep_newlines: bool = False, limit: int | None = None) -> str:
    """Return ``text`` with every unsafe character replaced by a visible escape."""
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"… [{len(text) - limit} more characters]"
    out = []
    for ch in text:
        if keep_newlines and ch == "\n":
            out.append(ch)
        elif _is_unsafe(ch):
            out.append(escape_char(ch))
        else:
            out.append(ch)
    return "".join(out)
