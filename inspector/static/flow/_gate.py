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

from inspector.static.catalogs import catalog

# The relevance patterns are generated from the API catalogs (inspector/static/catalogs/*.toml:
# each entry's `gate` fragments), never written by hand. They are written for speed (only whether a
# text matches is ever asked): the fragments are grouped by their literal first character, so that
# `re` skips the positions no fragment can start at and tries about one group at the others (about
# three times as fast as a flat list led by `\b`s); `x(?<!Wx)yz` is `\bxyz` written that way (see
# `_word_start`). `plain_pattern` is the flat form they must answer like (tested).
_W = rb"[0-9A-Za-z_]"


def _word_start(word: bytes) -> bytes:
    """The pattern ``\\bword`` (word: starting with a word character), led by its literal first character."""
    return word[:1] + rb"(?<!" + _W + word[:1] + rb")" + word[1:]


def _split_lead(token: bytes) -> tuple[bytes, bytes]:
    """``(?<!X)\\bLrest`` -> (``L``, ``(?<!XL)(?<!WL)rest``): the literal first item and what follows it."""
    behind: list[bytes] = []
    if token.startswith(rb"(?<!"):
        close = token.index(b")")
        behind.append(token[4:close])
        token = token[close + 1 :]
    if token.startswith(rb"\b"):
        behind.append(_W)
        token = token[2:]
    if token.startswith(b"\\"):
        lead = token[:2]
    elif token.startswith(b"["):
        lead = token[: token.index(b"]", 2) + 1]
    elif token[:1].isalnum() or token[:1] in (b"_", b"-", b"'", b'"', b"`"):
        lead = token[:1]
    else:
        raise ValueError(f"gate fragment {token!r} does not start with a literal character")
    if behind and behind[-1] == _W and not (lead.isalnum() or lead == b"_"):
        raise ValueError(f"gate fragment {token!r}: \\b before a non-word character")
    rest = token[len(lead) :]
    if rest[:1] in (b"*", b"+", b"?", b"{"):
        raise ValueError(f"gate fragment {token!r}: a quantifier on its first character")
    return lead, b"".join(rb"(?<!" + b + lead + rb")" for b in behind) + rest


def fast_pattern(tokens: tuple[str, ...]) -> re.Pattern[bytes]:
    """One alternation of the gate fragments, grouped by their literal first character."""
    groups: dict[bytes, list[bytes]] = {}
    for token in tokens:
        lead, rest = _split_lead(token.encode())
        groups.setdefault(lead, []).append(rest)
    parts = [
        lead + (rests[0] if len(rests) == 1 else rb"(?:" + b"|".join(rests) + rb")") for lead, rests in groups.items()
    ]
    return re.compile(b"|".join(parts))


def plain_pattern(tokens: tuple[str, ...]) -> re.Pattern[bytes]:
    """The readable specification of ``fast_pattern``: the fragments as one flat alternation."""
    return re.compile(b"|".join(rb"(?:" + t.encode() + rb")" for t in tokens))


def _bound_elsewhere(names: tuple[str, ...]) -> re.Pattern[bytes] | None:
    """A file that binds one of ``names`` to another package (``request`` to supertest)."""
    alternatives = []
    for name in names:
        word = re.escape(name).encode()
        alternatives.append(
            word[:1]
            + rb"(?<![.\w$]"
            + word[:1]
            + rb")"
            + word[1:]
            + rb"""\s*=\s*require\s*\(\s*['"](?!"""
            + word
            + rb"""['"/-])[^'"]+['"]\s*\)|"""
            + _word_start(b"import")
            + rb"\s+"
            + word
            + rb"""\s+from\s*['"](?!"""
            + word
            + rb"""['"/-])"""
        )
    return re.compile(b"|".join(alternatives)) if alternatives else None


_JS_CATALOG = catalog("javascript")
JS_RELEVANT = fast_pattern(_JS_CATALOG.gate_tokens() + _JS_CATALOG.gate_unbound_tokens())
# A file that binds `request` to another package (supertest in nearly every Express test) calls
# that package, not the `request` HTTP client: the builder resolves the name the same way.
_JS_RELEVANT_OWN_REQUEST = fast_pattern(_JS_CATALOG.gate_tokens())
_REQUEST_BOUND_ELSEWHERE = _bound_elsewhere(_JS_CATALOG.rebindable_names())
PY_RELEVANT = fast_pattern(catalog("python").gate_tokens())
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
    elif _REQUEST_BOUND_ELSEWHERE is not None and _REQUEST_BOUND_ELSEWHERE.search(source) is not None:
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
