"""Obfuscation shapes in code: javascript-obfuscator output, packers, huge encoded or encrypted
literals, builtins looked up by a computed name.

Outside vendor paths these hide what a file does; inside ``node_modules/``, ``dist/`` or a
``*.min.js`` they are usually just a build artifact: the static stage caps them at LOW there
(``merge.downgrade_vendored``, applied to every engine alike). Minification alone is INFO: it
is how libraries ship, not a sign of intent.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from inspector.model import Category, Finding, Severity
from inspector.static.text.common import (
    Deadline,
    line_starts,
    make_finding,
    position,
)
from inspector.textsafe import terminal_safe

_HEX_NAME = re.compile(r"\b_0x[0-9a-f]{4,}\b")
_ROTATION = re.compile(r"while\s*\(\s*!!\s*\[\s*\]\s*\)|\[\s*'push'\s*\]\s*\(\s*\w+\s*\[\s*'shift'\s*\]")
_PACKER = re.compile(r"eval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,\s*[dr]\s*\)")
_JSFUCK = re.compile(r"[\[\]()!+]{200,}")
# A long literal handed straight to a decoder, a hex decoder or a decryption (a Fernet token, say: the
# key sits beside it, so the code hides from the reader, not from an attacker). A bytes prefix is fine.
_DECODE_CALL = re.compile(
    r"(Buffer\.from|atob|b64decode|base64\.b64decode|decodestring|a2b_base64|fromhex|unhexlify|\.decrypt)"
    r"\s*\(\s*[bBrRuU]{0,2}[\"'`]([A-Za-z0-9+/=_-]{200,})"
)
# Long hex literals (test vectors) and encrypted ones (stored secrets) are ordinary data; they count
# only in a file that also evaluates code.
_ONLY_BESIDE_EXEC = frozenset({"fromhex", "unhexlify", ".decrypt"})
# getattr(__builtins__, <an expression>): the builtin's name is assembled (concatenation, chr,
# join, shifts, slices of other names' text, reversal) so that neither "exec" nor "eval" appears.
# A literal, a plain variable or an attribute as the name, or a name converted by a method call
# (`errclass.decode("ascii")`), is ordinary compatibility or introspection code and does not match.
_COMPUTED_BUILTIN = re.compile(
    r"getattr\s*\(\s*(?:__builtins__|builtins)\s*,(?!\s*[\"']?[\w.]*[\"']?\s*[,)])"
    r"[^)\n]{0,200}?(?:\+|\bchr\s*\(|\.join\s*\(|<<|>>|\^|__str__|\[::-1\])"
)
_LONG_LITERAL = re.compile(r"[\"'`]([A-Za-z0-9+/=_\-\\x%]{1000,})[\"'`]")
_EXEC_NEAR = re.compile(r"\beval\s*\(|\bnew\s+Function\b|\bFunction\s*\(|\bexec\s*\(|\bvm\.run")
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,$")

OBFUSCATOR_NAMES = 10
MINIFIED_LINE = 5000


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def check_obfuscation(path: str, text: str, deadline: Deadline) -> list[Finding]:
    findings: list[Finding] = []
    starts: list[int] | None = None

    def at(offset: int) -> tuple[int, int]:
        nonlocal starts
        starts = starts or line_starts(text)
        return position(starts, offset)

    def add(rule: str, severity: Severity, offset: int, message: str, evidence: str) -> None:
        line, column = at(offset)
        findings.append(make_finding(rule, severity, Category.OBFUSCATION, path, line, column, message, evidence))

    names = Counter(_HEX_NAME.findall(text))
    if len(names) >= OBFUSCATOR_NAMES:
        first = _HEX_NAME.search(text)
        rotation = _ROTATION.search(text)
        assert first is not None
        add(
            "obfuscation.javascript-obfuscator",
            Severity.HIGH,
            first.start(),
            f"javascript-obfuscator output: {len(names)} distinct _0x names"
            + (" and a rotated string array" if rotation else ""),
            text[first.start() : first.start() + 120],
        )
    if deadline.expired():
        return findings
    packed = _PACKER.search(text)
    if packed:
        add(
            "obfuscation.packed-eval",
            Severity.HIGH,
            packed.start(),
            "packed code unpacked with eval (Dean Edwards packer)",
            text[packed.start() : packed.start() + 120],
        )
    jsfuck = _JSFUCK.search(text)
    if jsfuck:
        add("obfuscation.jsfuck", Severity.HIGH, jsfuck.start(), "JSFuck-encoded code", jsfuck.group()[:120])
    if deadline.expired():
        return findings
    has_exec = _EXEC_NEAR.search(text) is not None
    for match in _DECODE_CALL.finditer(text):
        if match.group(1) in _ONLY_BESIDE_EXEC and not has_exec:
            continue
        blob = match.group(2)
        what = "encrypted literal decrypted" if match.group(1) == ".decrypt" else "encoded literal decoded"
        add(
            "obfuscation.encoded-blob-decoded",
            Severity.HIGH if has_exec else Severity.MEDIUM,
            match.start(),
            f"{len(blob)}-character {what} at runtime"
            + (" in a file that also evaluates code" if has_exec else ""),
            match.group()[:120],
        )
        break
    computed = _COMPUTED_BUILTIN.search(text)
    if computed:
        add(
            "obfuscation.computed-builtin",
            Severity.HIGH,
            computed.start(),
            "a builtin looked up by a computed name (getattr(__builtins__, ...)): the name it runs is hidden",
            text[computed.start() : computed.start() + 120],
        )
    for match in _LONG_LITERAL.finditer(text):
        if deadline.expired():
            break
        blob = match.group(1)
        prefix = text[max(0, match.start() - 40) : match.start() + 1]
        if _DATA_URI.search(prefix[:-1]) or blob.startswith("data:"):
            continue
        entropy = shannon_entropy(blob[:20000])
        if entropy >= 5.0 or (entropy >= 4.0 and "\\x" in blob[:200]):
            add(
                "obfuscation.high-entropy-literal",
                Severity.MEDIUM,
                match.start(),
                f"{len(blob)}-character high-entropy literal ({entropy:.1f} bits/char)",
                terminal_safe(blob[:120]),
            )
            break
    longest = max((len(line) for line in text.split("\n", 2000)[:2000]), default=0)
    if longest >= MINIFIED_LINE and not findings:
        findings.append(
            make_finding(
                "obfuscation.minified",
                Severity.INFO,
                Category.OBFUSCATION,
                path,
                None,
                None,
                f"minified code (a {longest}-character line)",
                "",
            )
        )
    return findings


__all__ = ["check_obfuscation", "shannon_entropy"]
