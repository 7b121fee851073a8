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

# `Function` in a type (`@param {Function}`, `Array<Function>`, `x.Function`) is never the constructor;
# `got` must be called, dotted or quoted (the English word is everywhere in comments and messages).
_JS_TOKENS = (
    rb"eval|(?<![{|<?!.])\bFunction\b|\.constructor\b|['\"]constructor|\bvm\b|runIn|_compile|child_process|"
    rb"\bexec|spawn|\bfork\b|import\(|setTimeout|setInterval|writeFile|WriteStream|\bfetch\b|axios|"
    rb"\bgot\s*[(.]|['\"]got['\"]|request['\"]|superagent|needle|\bhttps?\s*\.|['\"](?:node:)?https?['\"]|"
    rb"\bnet\b|\btls\b|socket|Socket|XMLHttpRequest|EventSource|Contract|Provider|Web3|ethers|\bio\s*\(|undici|"
    rb"ajax|getScript|\.(?:get|post|put|request)\s*\(\s*['\"`]https?:"
)
JS_RELEVANT = re.compile(_JS_TOKENS + rb"|\brequest\s*\(")
# A file that binds `request` to another package (supertest in nearly every Express test) calls
# that package, not the `request` HTTP client: the builder resolves the name the same way.
_JS_RELEVANT_OWN_REQUEST = re.compile(_JS_TOKENS)
_REQUEST_BOUND_ELSEWHERE = re.compile(
    rb"""(?<![.\w$])request\s*=\s*require\s*\(\s*['"](?!request['"/-])[^'"]+['"]\s*\)|"""
    rb"""\bimport\s+request\s+from\s*['"](?!request['"/-])"""
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
    if python:
        relevant = PY_RELEVANT
    elif _REQUEST_BOUND_ELSEWHERE.search(source) is not None:
        relevant = _JS_RELEVANT_OWN_REQUEST
    else:
        relevant = JS_RELEVANT
    always = _PY_ALWAYS if python else _JS_ALWAYS
    texts = [source[s.start_byte : s.end_byte] for s in statements]
    hot = [relevant.search(t) is not None for t in texts]
    # Imports of local modules spread their names; imports of packages do not (a package that is
    # a source or a sink is already named by the patterns above).
    spreads = [h or _EXTERNAL_IMPORT.search(t) is None for h, t in zip(hot, texts, strict=True)]
    hot = [h or always.search(t) is not None for h, t in zip(hot, texts, strict=True)]
    defined: dict[int, list[bytes]] = {}

    def names_at(i: int) -> list[bytes]:
        if i not in defined:
            defined[i] = [n.encode() for n in names_of(statements[i])]
        return defined[i]

    # Each round looks only for the names the previous round added, in the statements not yet
    # chosen: they have already been searched for every older name.
    names: set[bytes] = set()
    chosen = [i for i, h in enumerate(hot) if h]
    for _ in range(MAX_ROUNDS):
        fresh = {n for i in chosen if spreads[i] for n in names_at(i)} - names
        if not fresh:
            break
        names |= fresh
        pattern = _words(fresh)
        chosen = [i for i, text in enumerate(texts) if not hot[i] and pattern.search(text) is not None]
        for i in chosen:
            hot[i] = True
    else:
        return statements
    # The other direction, one step: declarations whose names the chosen code uses (a URL constant).
    cold = {n: i for i, s in enumerate(statements) if not hot[i] and is_declaration(s) for n in names_at(i)}
    if cold:
        pattern = _words(set(cold))
        for i, text in enumerate(texts):
            if hot[i]:
                for match in pattern.finditer(text):
                    hot[cold[match.group(0)]] = True
    return [s for i, s in enumerate(statements) if hot[i]]


def _words(names: set[bytes]) -> re.Pattern[bytes]:
    return re.compile(rb"\b(?:" + b"|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + rb")\b")
