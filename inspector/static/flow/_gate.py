"""Which top-level statements are worth walking: much of the flow analysis' speed comes from here.

Walking a syntax tree node by node in Python costs far more than parsing it, and most code
never touches a network source or an execution sink. A top-level statement is walked when it
names a source or a sink (the ``*_RELEVANT`` patterns), when it imports or exports something, or
when it names a function or variable that a statement already chosen defines, to a fixpoint (so
a wrapper that calls a wrapper that calls `new Function` is kept); imports of local modules
spread their names that way, imports of packages do not. Then, one step the other way, a
declaration whose names the chosen code uses is walked too (a URL constant). A file that names
nothing of interest is walked only for its imports and exports.

The gate sees top-level statements only, never function bodies: a file that lives in one
statement (a mocha `describe(...)`, a UMD or webpack wrapper) is walked whole. A call into a
statement that was not walked stays unresolved, and the linker passes data through unresolved
calls, so skipping code loses flows only through relays that name nothing of interest (a known
limit). The patterns are only ever asked whether a text matches, and are written for the speed of
that question (see the comments on them); the statement text is read once for the fixpoint.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import tree_sitter

# `Function` in a type (`@param {Function}`, `Array<Function>`, `x.Function`) is never the constructor;
# `got` must be called, dotted or quoted (the English word is everywhere in comments and messages).
# Written for speed (only whether a text matches is ever asked): the alternatives are grouped by
# their literal first character, so that `re` skips the positions no alternative can start at and
# tries about one group at the others (about three times as fast as a flat list led by `\b`s);
# `x(?<!Wx)yz` is `\bxyz` written that way (see `_word_start`).
_W = rb"[0-9A-Za-z_]"


def _word_start(word: bytes) -> bytes:
    """The pattern ``\\bword`` (word: starting with a word character), led by its literal first character."""
    return word[:1] + rb"(?<!" + _W + word[:1] + rb")" + word[1:]


_JS_TOKENS = (
    rb"e(?:val|" + _word_start(b"exec")[1:] + rb"|thers)|EventSource|"
    rb"F(?<![{|<?!.]F)" + _word_start(b"Function")[1:] + rb"\b|"
    rb"\.(?:constructor\b|(?:get|post|put|request)\s*\(\s*['\"`]https?:)|"
    rb"['\"](?:constructor|got['\"]|(?:node:)?https?['\"])|"
    + _word_start(b"vm")
    + rb"\b|r(?:unIn|equest['\"])|_compile|child_process|s(?:pawn|et(?:Timeout|Interval)|ocket|uperagent)|"
    + _word_start(b"f")
    + rb"(?:ork|etch)\b|i(?:mport\(|"
    + _word_start(b"io")[1:]
    + rb"\s*\()|writeFile|W(?:riteStream|eb3)|"
    rb"a(?:xios|jax)|g(?:" + _word_start(b"got")[1:] + rb"\s*[(.]|etScript)|"
    rb"n(?:eedle|"
    + _word_start(b"net")[1:]
    + rb"\b)|"
    + _word_start(b"http")
    + rb"s?\s*\.|"
    + _word_start(b"tls")
    + rb"\b|Socket|XMLHttpRequest|Contract|Provider|undici"
)
JS_RELEVANT = re.compile(_JS_TOKENS + rb"|" + _word_start(b"request") + rb"\s*\(")
# A file that binds `request` to another package (supertest in nearly every Express test) calls
# that package, not the `request` HTTP client: the builder resolves the name the same way.
_JS_RELEVANT_OWN_REQUEST = re.compile(_JS_TOKENS)
_REQUEST_BOUND_ELSEWHERE = re.compile(
    rb"""r(?<![.\w$]r)equest\s*=\s*require\s*\(\s*['"](?!request['"/-])[^'"]+['"]\s*\)|"""
    + _word_start(b"import")
    + rb"""\s+request\s+from\s*['"](?!request['"/-])"""
)
PY_RELEVANT = re.compile(
    _word_start(b"exec") + rb"|" + _word_start(b"eval") + rb"|" + _word_start(b"compile") + rb"|__import__|"
    rb"import_module|runpy|marshal|pickle|dill|subprocess|" + _word_start(b"system") + rb"|popen|"
    rb"spawn|requests|httpx|urllib|aiohttp|http\.client|socket|websocket|pycurl|ftplib|telnetlib|urlopen|"
    + _word_start(b"open")
    + rb"\(|"
    rb"write_bytes|write_text|urlretrieve|\.(?:get|post|put|request)\(\s*f?['\"]https?:"
)
# "Anywhere in the statement" and "at its start" are two patterns: a leading `^` would stop `re`
# from skipping ahead to the literal characters the other alternatives start with.
_JS_ALWAYS = re.compile(_word_start(b"require") + rb"\s*\(|" + _word_start(b"exports") + rb"\b")
_JS_ALWAYS_AT_START = re.compile(rb"\s*(?:import|export)\b")
_PY_ALWAYS_AT_START = re.compile(rb"\s*(?:import|from)\b")
_EXTERNAL_IMPORT = re.compile(rb"""(?:require\s*\(\s*|""" + _word_start(b"from") + rb"""\s*)['"][^./'"]""")
_EXTERNAL_IMPORT_AT_START = re.compile(rb"""\s*(?:import\s+['"][^./'"]|(?:import|from)\s+[A-Za-z_])""")
MAX_ROUNDS = 12
_RUN = re.compile(rb"\w+")  # a run of word characters, as `\b` sees them


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
    texts = [source[s.start_byte : s.end_byte] for s in statements]
    hot = [relevant.search(t) is not None for t in texts]
    # Imports of local modules spread their names; imports of packages do not (a package that is
    # a source or a sink is already named by the patterns above).
    spreads = [h or not _external_import(t) for h, t in zip(hot, texts, strict=True)]
    hot = [h or _always(t, python=python) for h, t in zip(hot, texts, strict=True)]
    defined: dict[int, list[bytes]] = {}

    def names_at(i: int) -> list[bytes]:
        if i not in defined:
            defined[i] = [n.encode() for n in names_of(statements[i])]
        return defined[i]

    # Each round looks only for the names the previous round added, in the statements not yet
    # chosen: they have already been searched for every older name. A name made of word
    # characters only is found as `\bname\b` exactly when it is one of the text's word-character
    # runs, so those names are looked up in the set of a statement's runs (made once) instead of
    # compiling and running a pattern per round; other names (`$el`) keep the pattern.
    runs: dict[int, frozenset[bytes]] = {}

    def runs_at(i: int) -> frozenset[bytes]:
        if i not in runs:
            runs[i] = frozenset(_RUN.findall(texts[i]))
        return runs[i]

    names: set[bytes] = set()
    chosen = [i for i, h in enumerate(hot) if h]
    for _ in range(MAX_ROUNDS):
        fresh = {n for i in chosen if spreads[i] for n in names_at(i)} - names
        if not fresh:
            break
        names |= fresh
        plain = {n for n in fresh if _RUN.fullmatch(n)}
        pattern = _words(fresh - plain) if len(plain) < len(fresh) else None
        chosen = [
            i
            for i, text in enumerate(texts)
            if not hot[i]
            and (not runs_at(i).isdisjoint(plain) or (pattern is not None and pattern.search(text) is not None))
        ]
        for i in chosen:
            hot[i] = True
    else:
        return statements
    # The other direction, one step: declarations whose names the chosen code uses (a URL constant).
    # A declaration chosen here is itself searched when the loop reaches it (as it always was).
    cold = {n: i for i, s in enumerate(statements) if not hot[i] and is_declaration(s) for n in names_at(i)}
    if cold and all(_RUN.fullmatch(n) for n in cold):
        for i in range(len(texts)):
            if hot[i]:
                for name in runs_at(i).intersection(cold):
                    hot[cold[name]] = True
    elif cold:
        pattern = _words(set(cold))
        for i, text in enumerate(texts):
            if hot[i]:
                for match in pattern.finditer(text):
                    hot[cold[match.group(0)]] = True
    return [s for i, s in enumerate(statements) if hot[i]]


def _always(text: bytes, *, python: bool) -> bool:
    """Imports and exports: statements walked whatever they name."""
    if python:
        return _PY_ALWAYS_AT_START.match(text) is not None
    return _JS_ALWAYS.search(text) is not None or _JS_ALWAYS_AT_START.match(text) is not None


def _external_import(text: bytes) -> bool:
    return _EXTERNAL_IMPORT.search(text) is not None or _EXTERNAL_IMPORT_AT_START.match(text) is not None


def _words(names: set[bytes]) -> re.Pattern[bytes]:
    return re.compile(rb"\b(?:" + b"|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + rb")\b")
