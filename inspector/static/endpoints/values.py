"""Folded string values and the decoders that un-hide them.

A :class:`Folded` value is what constant folding knows about an expression: text parts, and
:class:`Ref` parts that only ``link`` can fill in (an environment variable read from the
repository's .env files, or a constant exported by another module). Every step that built the
value is kept as a :class:`How` so the reviewer sees how a host was hidden, and the literal texts
exactly as written are kept as ``pieces``: a host that appears in none of them was hidden.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Stands for a part whose value is not known (a parameter, a call result): it breaks a host in two.
UNKNOWN = "\x00"

# Bounds that keep folding linear on hostile input.
MAX_VALUE_CHARS = 64 * 1024
MAX_DEPTH = 40
MAX_ITEMS = 4096


@dataclass(frozen=True)
class How:
    slug: str  # hiding technique for the rule name ("base64", "charcode", ...); "" hides nothing
    label: str  # for the reviewer: "atob", "constant API (line 3)", ...


@dataclass(frozen=True)
class Ref:
    """A value only ``link`` knows: an environment variable or another module's export."""

    kind: str  # "env" | "import" | "literal" (a known text handed to another module's decoder)
    name: str  # variable name, export name (dotted for object fields: "default.api"), or the text
    module: str = ""  # import specifier as written (imports only)
    reader: str = ""  # how the code reads it: "process.env.AUTH_API"
    # decoders the code applies after reading, in order; "call:<module>\x1f<name>" is a one-argument
    # decoder function of another module, expanded by ``link``
    transforms: tuple[str, ...] = ()


Part = str | Ref


@dataclass(frozen=True)
class Folded:
    parts: tuple[Part, ...]
    hows: tuple[How, ...] = ()
    pieces: tuple[str, ...] = ()  # literal texts as written in the source
    numeric: bool = False  # a number: `+` with another number is arithmetic, not concatenation

    def text(self) -> str | None:
        """The whole value when it has no Ref part."""
        if all(isinstance(part, str) for part in self.parts):
            return "".join(part for part in self.parts if isinstance(part, str))
        return None

    def has_refs(self) -> bool:
        return any(isinstance(part, Ref) for part in self.parts)

    def known(self) -> bool:
        """Something in it is more than an unknown placeholder."""
        return any(isinstance(part, Ref) or part.strip(UNKNOWN) for part in self.parts)

    def with_how(self, how: How) -> Folded:
        return Folded(self.parts, _merge_hows(self.hows, (how,)), self.pieces, self.numeric)


def literal(value: str, raw: str, hows: tuple[How, ...] = ()) -> Folded:
    return Folded((value,), hows, (raw,) if raw else ())


def number(value: str) -> Folded:
    return Folded((value,), numeric=True)


def unknown() -> Folded:
    return Folded((UNKNOWN,))


def concat(values: Iterable[Folded], how: How | None = None) -> Folded | None:
    parts: list[Part] = []
    hows: tuple[How, ...] = ()
    pieces: list[str] = []
    size = 0
    for value in values:
        for part in value.parts:
            if isinstance(part, str):
                size += len(part)
                if parts and isinstance(parts[-1], str):
                    parts[-1] = parts[-1] + part
                    continue
            parts.append(part)
        hows = _merge_hows(hows, value.hows)
        pieces.extend(value.pieces)
        if size > MAX_VALUE_CHARS or len(parts) > MAX_ITEMS:
            return None
    if how is not None:
        hows = _merge_hows(hows, (how,))
    return Folded(tuple(parts), hows, tuple(pieces[:MAX_ITEMS]))


def call_transform(module: str, name: str) -> str:
    return f"call:{module}\x1f{name}"


def split_call_transform(transform_name: str) -> tuple[str, str] | None:
    if not transform_name.startswith("call:"):
        return None
    module, _, name = transform_name[len("call:") :].partition("\x1f")
    return module, name


def through_call(value: Folded, module: str, name: str) -> Folded | None:
    """``decoder(value)`` where ``decoder`` lives in another module: resolved by ``link``."""
    text = value.text()
    if text is not None:
        if UNKNOWN in text or not text:
            return None
        ref = Ref("literal", text, transforms=(call_transform(module, name),))
        return Folded((ref,), value.hows, value.pieces)
    if len(value.parts) == 1 and isinstance(value.parts[0], Ref):
        inner = value.parts[0]
        moved = Ref(
            inner.kind, inner.name, inner.module, inner.reader, (*inner.transforms, call_transform(module, name))
        )
        return Folded((moved,), value.hows, value.pieces)
    return None


def transform(value: Folded, name: str, how: How) -> Folded | None:
    """Apply decoder ``name``; a lone Ref carries the decoder along until ``link`` resolves it."""
    text = value.text()
    if text is not None:
        if UNKNOWN in text:
            return None
        decoded = decode(name, text)
        if decoded is None:
            return None
        return Folded((decoded,), _merge_hows(value.hows, (how,)), value.pieces)
    if len(value.parts) == 1 and isinstance(value.parts[0], Ref):
        ref = value.parts[0]
        moved = Ref(ref.kind, ref.name, ref.module, ref.reader, (*ref.transforms, name))
        return Folded((moved,), _merge_hows(value.hows, (how,)), value.pieces)
    return None


def _merge_hows(first: tuple[How, ...], second: tuple[How, ...]) -> tuple[How, ...]:
    merged = list(first)
    for how in second:
        if how not in merged:
            merged.append(how)
    return tuple(merged[:16])


# ---------------------------------------------------------------------------------------------
# decoders: text in, text out (bytes are carried as latin-1-free UTF-8 text); None when invalid

_B64_STRICT = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_B64URL_STRICT = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_NOT_B64 = re.compile(r"[^A-Za-z0-9+/_-]")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
_PRINTABLE_PREFIX = re.compile(r"[\t\n\r\x20-\x7e\u00a0-\uffff]*")


def _text_of(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if _PRINTABLE_PREFIX.fullmatch(text) else None


def decode_base64(text: str) -> str | None:
    """atob / Buffer.from(x, 'base64') / b64decode: whitespace ignored, missing padding added."""
    compact = "".join(text.split())
    alphabet = _B64URL_STRICT if ("-" in compact or "_" in compact) else _B64_STRICT
    if not compact or not alphabet.fullmatch(compact) or len(compact.rstrip("=")) % 4 == 1:
        return None
    body = compact.rstrip("=")
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_" if alphabet is _B64URL_STRICT else None)
    except (binascii.Error, ValueError):
        return None
    return _text_of(raw)


def decode_base64_lenient(text: str) -> list[str]:
    """Junk-padded base64: drop characters outside the alphabet, try a few start offsets and the
    offset of ``aHR0`` (base64 of "htt"), stop at padding, keep the printable prefix."""
    results: list[str] = []
    for variant in (text.split("=", 1)[0], text):
        cleaned = _NOT_B64.sub("", variant).replace("-", "+").replace("_", "/")
        starts = {0, 1, 2, 3}
        starts.update(match.start() for match in re.finditer("aHR0", cleaned))
        _decode_from(cleaned, sorted(starts), results)
    return results


def _decode_from(cleaned: str, starts: list[int], results: list[str]) -> None:
    for start in starts:
        body = cleaned[start:]
        body = body[: len(body) - len(body) % 4]
        if len(body) < 8:
            continue
        try:
            raw = base64.b64decode(body)
        except (binascii.Error, ValueError):
            continue
        decoded = raw.decode("utf-8", "replace")
        prefix = _PRINTABLE_PREFIX.match(decoded)
        kept = prefix.group(0).replace("\ufffd", "") if prefix else ""
        if len(kept) >= 6 and kept not in results:
            results.append(kept)


def decode_hex(text: str) -> str | None:
    compact = "".join(text.split())
    if compact.lower().startswith("0x"):
        compact = compact[2:]
    if not _HEX.fullmatch(compact):
        return None
    return _text_of(bytes.fromhex(compact))


def _rot13(text: str) -> str:
    return codecs.decode(text, "rot13")


def _reverse(text: str) -> str:
    return text[::-1]


def _percent(text: str) -> str:
    return urllib.parse.unquote(text)


def _identity(text: str) -> str:
    return text


DECODERS: dict[str, Callable[[str], str | None]] = {
    "base64": decode_base64,
    "hex": decode_hex,
    "rot13": _rot13,
    "reverse": _reverse,
    "percent": _percent,
    "text": _identity,
}

# The How each decoder adds when ``link`` applies it to a resolved Ref.
DECODER_SLUGS = {
    "base64": "base64",
    "hex": "hex",
    "rot13": "rot13",
    "reverse": "reversed",
    "percent": "percent-encoding",
    "text": "",
}


def decode(name: str, text: str) -> str | None:
    return DECODERS[name](text)


# Encodings of "http" at the start of a literal: base64 ("aHR0c"), hex ("68747470"). A literal
# that starts so is read decoded even when the decoding call is out of our sight (a string array
# rotated by obfuscator code, a value handed to a decoder in another file).
ENCODED_URL_MARKERS = ("aHR0c", "68747470")


def marked_url_decoding(text: str) -> tuple[str, How] | None:
    if text.startswith("aHR0c"):
        decoded = decode_base64(text)
        return (decoded, How("base64", "base64 literal")) if decoded is not None else None
    decoded = decode_hex(text)
    return (decoded, How("hex", "hex literal")) if decoded is not None else None


# ---------------------------------------------------------------------------------------------
# string literal escapes (JavaScript and Python share the forms that matter)

_ESCAPE = re.compile(
    r"\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|\r\n|[\s\S])"
)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "\n": "", "\r\n": ""}


def unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    return _ESCAPE.sub(_one_escape, raw)


def _one_escape(match: re.Match[str]) -> str:
    body = match.group(1)
    head = body[0]
    if head in "xuU" and len(body) > 1:
        digits = body[1:].strip("{}")
        code = int(digits, 16)
        return chr(code) if code <= 0x10FFFF else ""
    if head.isdigit() and body not in _SIMPLE_ESCAPES:
        return chr(int(body, 8))
    return _SIMPLE_ESCAPES.get(body, body)


def chars_from_codes(codes: Iterable[str]) -> str | None:
    """String.fromCharCode / chr: decimal, hex (0x..), octal (0o..) or binary (0b..) integers."""
    out: list[str] = []
    for code in codes:
        try:
            value = int(code.replace("_", ""), 0)
        except ValueError:
            return None
        if not 0 <= value <= 0x10FFFF:
            return None
        out.append(chr(value))
        if len(out) > MAX_VALUE_CHARS:
            return None
    return "".join(out)
