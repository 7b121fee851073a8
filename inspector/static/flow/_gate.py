"""Which parts of a file are worth walking: the speed of the flow analysis comes from here.

Walking a syntax tree node by node in Python costs far more than parsing it, and most code
never touches a network source or an execution sink. A file that names none of them is not
walked at all; in the others, a top-level statement is walked when it names a source or sink,
imports or exports something, or names a function or variable defined by a statement already
chosen (to a fixpoint, so a wrapper that calls a wrapper that calls `new Function` is kept).
A call into a statement that was not walked stays unresolved, and the linker passes data
through unresolved calls, so skipping code loses flows only through relays that name nothing
of interest (a known, tested limit).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import tree_sitter

JS_RELEVANT = re.compile(
    rb"eval|\bFunction\b|\.constructor\b|['\"]constructor|\bvm\b|runIn|_compile|child_process|\bexec|spawn|"
    rb"\bfork\b|import\(|setTimeout|setInterval|writeFile|WriteStream|\bfetch\b|axios|\bgot\b|"
    rb"\brequest\s*\(|request['\"]|superagent|needle|\bhttps?\s*\.|['\"](?:node:)?https?['\"]|\bnet\b|\btls\b|"
    rb"socket|Socket|XMLHttpRequest|EventSource|Contract|Provider|Web3|ethers|\bio\s*\(|undici|ajax|getScript|"
    rb"\.(?:get|post|put|request)\s*\(\s*['\"`]https?:"
)
PY_RELEVANT = re.compile(
    rb"\bexec|\beval|\bcompile|__import__|import_module|runpy|marshal|pickle|dill|subprocess|\bsystem|popen|"
    rb"spawn|requests|httpx|urllib|aiohttp|http\.client|socket|websocket|pycurl|ftplib|telnetlib|urlopen|\bopen\(|"
    rb"write_bytes|write_text|urlretrieve|\.(?:get|post|put|request)\(\s*f?['\"]https?:"
)
_JS_ALWAYS = re.compile(rb"\brequire\s*\(|\bexports\b|^\s*(?:import|export)\b")
_PY_ALWAYS = re.compile(rb"^\s*(?:import|from)\b")
_EXTERNAL_IMPORT = re.compile(
    rb"""(?:require\s*\(\s*|\bfrom\s*|^\s*import\s+)['"][^./'"]|^\s*(?:import|from)\s+[A-Za-z_]"""
)
MAX_ROUNDS = 12


def hot_statements(
    source: bytes,
    statements: list[tree_sitter.Node],
    *,
    python: bool,
    names_of: Callable[[tree_sitter.Node], list[str]],
    is_declaration: Callable[[tree_sitter.Node], bool],
) -> list[tree_sitter.Node]:
    relevant = PY_RELEVANT if python else JS_RELEVANT
    always = _PY_ALWAYS if python else _JS_ALWAYS
    texts = [source[s.start_byte : s.end_byte] for s in statements]
    hot = [relevant.search(t) is not None for t in texts]
    # Imports of local modules spread their names; imports of packages do not (a package that is
    # a source or a sink is already named by the patterns above).
    spreads = [h or _EXTERNAL_IMPORT.search(t) is None for h, t in zip(hot, texts, strict=True)]
    hot = [h or always.search(t) is not None for h, t in zip(hot, texts, strict=True)]
    names: set[bytes] = set()
    for _ in range(MAX_ROUNDS):
        fresh = {n.encode() for i, s in enumerate(statements) if hot[i] and spreads[i] for n in names_of(s)} - names
        if not fresh:
            break
        names |= fresh
        pattern = _words(names)
        for i, text in enumerate(texts):
            if not hot[i] and pattern.search(text) is not None:
                hot[i] = True
    else:
        return statements
    # The other direction, one step: declarations whose names the chosen code uses (a URL constant).
    cold = {n.encode(): i for i, s in enumerate(statements) if not hot[i] and is_declaration(s) for n in names_of(s)}
    if cold:
        pattern = _words(set(cold))
        for i, text in enumerate(texts):
            if hot[i]:
                for match in pattern.finditer(text):
                    hot[cold[match.group(0)]] = True
    return [s for i, s in enumerate(statements) if hot[i]]


def _words(names: set[bytes]) -> re.Pattern[bytes]:
    return re.compile(rb"\b(?:" + b"|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + rb")\b")
