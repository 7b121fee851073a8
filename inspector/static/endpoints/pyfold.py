"""Constant folding for Python trees."""

from __future__ import annotations

import tree_sitter

from .values import (
    MAX_ITEMS,
    Folded,
    How,
    Ref,
    chars_from_codes,
    concat,
    literal,
    number,
    through_call,
    transform,
    unescape,
    unknown,
)
from .walk import DECLARATION_CAPTURES, HOST_NAME, ModuleWalker

_BASE64 = frozenset(
    {
        "base64.b64decode",
        "b64decode",
        "base64.urlsafe_b64decode",
        "urlsafe_b64decode",
        "base64.decodebytes",
        "base64.standard_b64decode",
        "binascii.a2b_base64",
    }
)
_HEX = frozenset({"bytes.fromhex", "bytearray.fromhex", "binascii.unhexlify", "unhexlify", "binascii.a2b_hex"})
_PERCENT = frozenset({"urllib.parse.unquote", "parse.unquote", "unquote", "unquote_plus", "urllib.parse.unquote_plus"})
_CODECS = {"hex": "hex", "rot13": "rot13", "rot_13": "rot13", "base64": "base64", "hex_codec": "hex"}
_GETENV = frozenset({"os.getenv", "getenv", "os.environ.get", "environ.get"})
_ENVIRON = frozenset({"os.environ", "environ"})
_ENVIRON_BYTES = 4 * max(map(len, _ENVIRON))  # a longer node cannot read as one of them (UTF-8)
_IDENTITY_METHODS = frozenset({"decode", "encode", "strip", "lower", "rstrip", "lstrip"})
_CONNECT_CALLS = ("connect", "create_connection", "connect_ex", "Client", "AsyncClient", "socket")
_CHR_HOW = How("charcode", "chr() codes")
_BYTES_HOW = How("charcode", "bytes() codes")
_REVERSE_HOW = How("reversed", "reversed string")
_JOIN_HOW = How("concatenation", "str.join")


class PyWalker(ModuleWalker):
    def __init__(self, source: bytes, root: tree_sitter.Node, language: tree_sitter.Language) -> None:
        super().__init__(source, root, language)
        self.consts: dict[str, tree_sitter.Node] = {}
        self.ambiguous: set[str] = set()
        self.imports: dict[str, tuple[str, str]] = {}  # local -> (module, name or "" for a module)
        self.top_level: list[str] = []

    # -- declarations ---------------------------------------------------------------------------

    declaration_query = """
        (assignment) @d (import_from_statement) @d (import_statement) @d (function_definition) @d
    """
    candidate_query = """
        (string) @c (concatenated_string) @c (binary_operator) @c (call) @c (subscript) @c (attribute) @c
        (comment) @comment (expression_statement . (string) @docstring .)
        (import_statement) @skip (import_from_statement) @skip
    """

    def collect_declarations(self) -> None:
        for _, node in self.captured(DECLARATION_CAPTURES):
            kind = node.type
            if kind == "assignment":
                self._assignment(node)
            elif kind == "import_from_statement":
                self._import_from(node)
            elif kind == "import_statement":
                for item in node.named_children:
                    alias = item.child_by_field_name("alias") if item.type == "aliased_import" else None
                    name = item.child_by_field_name("name") if item.type == "aliased_import" else item
                    if name is not None:
                        local = self.text(alias) if alias is not None else self.text(name).split(".")[0]
                        self.imports[local] = (self.text(name), "")
            elif kind == "function_definition":
                self._function(node)

    def _assignment(self, node: tree_sitter.Node) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None or left.type != "identifier":
            return
        name = self.text(left)
        if right.type == "lambda":
            params = right.child_by_field_name("parameters")
            body = right.child_by_field_name("body")
            if params is not None and body is not None and len(params.named_children) == 1:
                self.decoders[name] = (self.text(params.named_children[0]), body)
            return
        if node.parent is not None and node.parent.parent == self.root:
            self.top_level.append(name)
        if name in self.consts or name in self.ambiguous:
            self.consts.pop(name, None)
            self.ambiguous.add(name)
            return
        self.consts[name] = right

    def _import_from(self, node: tree_sitter.Node) -> None:
        module_node = node.child_by_field_name("module_name")
        if module_node is None:
            return
        module = self.text(module_node)
        for item in node.children_by_field_name("name"):
            if item.type == "aliased_import":
                name, alias = item.child_by_field_name("name"), item.child_by_field_name("alias")
                if name is not None and alias is not None:
                    self.imports[self.text(alias)] = (module, self.text(name))
            else:
                self.imports[self.text(item)] = (module, self.text(item))

    def _function(self, node: tree_sitter.Node) -> None:
        name = node.child_by_field_name("name")
        params = node.child_by_field_name("parameters")
        body = node.child_by_field_name("body")
        if name is None or params is None or body is None:
            return
        names = [p for p in params.named_children if p.type == "identifier"]
        statements = [s for s in body.named_children if s.type != "comment"]
        if len(names) != 1 or len(params.named_children) != 1 or len(statements) != 1:
            return
        statement = statements[0]
        if statement.type != "return_statement" or not statement.named_children:
            return
        self.decoders[self.text(name)] = (self.text(names[0]), statement.named_children[0])

    def exports(self) -> dict[str, Folded]:
        out: dict[str, Folded] = {}
        for name in self.top_level[:MAX_ITEMS]:
            if name in self.consts:
                folded = self.fold(self.consts[name], 0)
                if folded is not None and folded.known() and not folded.numeric:
                    out[name] = folded
        return out

    # -- contexts -------------------------------------------------------------------------------

    def skip_subtree(self, node: tree_sitter.Node) -> bool:
        return False

    def host_context(self, node: tree_sitter.Node) -> tuple[bool, int | None]:
        parent = node.parent
        while parent is not None and parent.type == "parenthesized_expression":
            parent = parent.parent
        if parent is None:
            return False, None
        if parent.type == "keyword_argument":
            name = parent.child_by_field_name("name")
            port = self._keyword_port(parent.parent) if parent.parent is not None else None
            return bool(name is not None and HOST_NAME.search(self.text(name))), port
        if parent.type == "assignment":
            left = parent.child_by_field_name("left")
            return bool(left is not None and HOST_NAME.search(self.text(left))), None
        if parent.type == "pair":
            key = parent.child_by_field_name("key")
            return bool(key is not None and HOST_NAME.search(self.text(key))), None
        if parent.type == "tuple" and parent.parent is not None and parent.parent.type == "argument_list":
            call = parent.parent.parent
            callee = call.child_by_field_name("function") if call is not None else None
            if callee is not None and self.text(callee).rsplit(".", 1)[-1] in _CONNECT_CALLS:
                return True, self._tuple_port(parent, node)
        return False, None

    def _keyword_port(self, arguments: tree_sitter.Node) -> int | None:
        for argument in arguments.named_children:
            if argument.type != "keyword_argument":
                continue
            name, value = argument.child_by_field_name("name"), argument.child_by_field_name("value")
            if name is not None and value is not None and self.text(name) == "port" and value.type == "integer":
                return _port(self.text(value))
        return None

    def _tuple_port(self, pair: tree_sitter.Node, host: tree_sitter.Node) -> int | None:
        for item in pair.named_children:
            if item != host and item.type == "integer":
                return _port(self.text(item))
        return None

    # -- folding --------------------------------------------------------------------------------

    def fold_node(self, node: tree_sitter.Node, depth: int) -> Folded | None:
        kind = node.type
        if kind == "parenthesized_expression":
            return self.fold(node.named_children[0] if node.named_children else None, depth)
        if kind == "string":
            return self._string(node, depth)
        if kind == "concatenated_string":
            parts = [self.fold(child, depth) for child in node.named_children]
            if any(part is None for part in parts):
                return None
            return concat([part for part in parts if part is not None])
        if kind == "integer":
            return number(self.text(node))
        if kind == "binary_operator":
            return self._binary(node, depth)
        if kind == "identifier":
            return self._identifier(node, depth)
        if kind == "attribute":
            return self._attribute(node)
        if kind == "subscript":
            return self._subscript(node, depth)
        if kind == "call":
            return self._call(node, depth)
        return None

    def _string(self, node: tree_sitter.Node, depth: int) -> Folded | None:
        start = node.child(0)
        prefix = self.text(start).lower().rstrip("'\"") if start is not None else ""
        is_raw = "r" in prefix
        parts: list[Folded] = []
        formatted = False
        for child in node.named_children:
            if child.type == "string_content":
                raw = self.text(child)
                value = raw if is_raw else unescape(raw)
                hows = () if value == raw else (How("escape", "hex/unicode escapes"),)
                parts.append(literal(value, raw, hows))
            elif child.type == "interpolation":
                formatted = True
                inner = child.named_children[0] if child.named_children else None
                parts.append(self.fold(inner, depth) or unknown())
        if not parts:
            return literal("", "")
        return concat(parts, How("concatenation", "f-string") if formatted else None)

    def _binary(self, node: tree_sitter.Node, depth: int) -> Folded | None:
        operator = node.child_by_field_name("operator")
        if operator is None or operator.type != "+":
            return None
        left = self.fold(node.child_by_field_name("left"), depth)
        right = self.fold(node.child_by_field_name("right"), depth)
        if left is None and right is None:
            return None
        if (left is None or left.numeric) and (right is None or right.numeric):
            return None
        return concat([left or unknown(), right or unknown()], How("concatenation", "concatenation"))

    def _identifier(self, node: tree_sitter.Node, depth: int) -> Folded | None:
        name = self.text(node)
        if name in self.bound:
            return self.bound[name]
        if name in self.consts:
            value = self.consts[name]
            folded = self.fold(value, depth)
            if folded is None:
                return None
            return folded.with_how(How("", f"constant {name} (line {value.start_point.row + 1})"))
        if name in self.imports:
            module, imported = self.imports[name]
            if imported:
                return Folded((Ref("import", imported, module),))
        return None

    def _attribute(self, node: tree_sitter.Node) -> Folded | None:
        base, attr = node.child_by_field_name("object"), node.child_by_field_name("attribute")
        if base is None or attr is None or base.type != "identifier":
            return None
        module, imported = self.imports.get(self.text(base), ("", ""))
        if not module:
            return None
        if imported:
            # `from app import settings`: settings may be the module app/settings.py.
            module = f"{module}{'' if module.endswith('.') else '.'}{imported}"
        return Folded((Ref("import", self.text(attr), module),))

    def _subscript(self, node: tree_sitter.Node, depth: int) -> Folded | None:
        value = node.child_by_field_name("value")
        index = node.child_by_field_name("subscript")
        if value is None or index is None:
            return None
        if index.type == "slice" and self.text(index).replace(" ", "") == "::-1":
            inner = self.fold(value, depth)
            return transform(inner, "reverse", _REVERSE_HOW) if inner is not None else None
        key = self.fold(index, depth)
        key_text = key.text() if key is not None else None
        if key_text is None:
            return None
        if value.end_byte - value.start_byte <= _ENVIRON_BYTES and self.text(value) in _ENVIRON:
            return Folded((Ref("env", key_text, reader=f"os.environ[{key_text!r}]"),))
        if value.type == "identifier" and self.text(value) in self.consts:
            mapping = self.consts[self.text(value)]
            if mapping.type == "dictionary":
                for pair in mapping.named_children[:MAX_ITEMS]:
                    k, v = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                    folded_key = self.fold(k, depth) if k is not None else None
                    if folded_key is not None and folded_key.text() == key_text:
                        return self.fold(v, depth)
        return None

    def _call(self, node: tree_sitter.Node, depth: int) -> Folded | None:
        callee = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if callee is None or arguments is None or callee.end_byte - callee.start_byte > 80:
            return None
        name = self.text(callee)
        args = (
            [a for a in arguments.named_children if a.type != "keyword_argument"]
            if arguments.type == "argument_list"
            else [arguments]
        )
        if name in _GETENV and args:
            key = self.fold(args[0], depth)
            key_text = key.text() if key is not None else None
            return Folded((Ref("env", key_text, reader=f"{name}({key_text!r})"),)) if key_text else None
        if name in _BASE64 and args:
            return self._decode(args[0], depth, "base64", How("base64", name))
        if name in _HEX and args:
            return self._decode(args[0], depth, "hex", How("hex", name))
        if name in _PERCENT and args:
            return self._decode(args[0], depth, "percent", How("percent-encoding", name))
        if name in {"codecs.decode", "decode"} and len(args) >= 2:
            encoding = self.fold(args[1], depth)
            codec = _CODECS.get((encoding.text() or "").lower().replace("-", "_")) if encoding is not None else None
            return self._decode(args[0], depth, codec, How(codec, f"codecs.decode(..., {codec!r})")) if codec else None
        if name == "chr" and len(args) == 1:
            code = self.fold(args[0], depth)
            text = chars_from_codes([code.text() or ""]) if code is not None and code.numeric else None
            return Folded((text,), (_CHR_HOW,)) if text is not None else None
        if name in {"bytes", "bytearray"} and len(args) == 1:
            items = self._sequence(args[0], depth)
            if items is None:
                return None
            text = chars_from_codes([item.text() or "" for item in items[0]])
            return Folded((text,), (_BYTES_HOW,)) if text is not None else None
        if name == "str" and len(args) == 1:
            return self.fold(args[0], depth)
        if name in self.decoders and len(args) == 1:
            return self._wrapper(name, args[0], depth)
        if name in self.imports and self.imports[name][1] and len(args) == 1:
            argument = self.fold(args[0], depth)
            module, imported = self.imports[name]
            return through_call(argument, module, imported) if argument is not None else None
        if callee.type != "attribute":
            return None
        target, method_node = callee.child_by_field_name("object"), callee.child_by_field_name("attribute")
        if target is None or method_node is None:
            return None
        method = self.text(method_node)
        if method in _IDENTITY_METHODS:
            return self.fold(target, depth)
        if method == "join" and len(args) == 1:
            return self._join(target, args[0], depth)
        return None

    def _decode(self, argument: tree_sitter.Node, depth: int, decoder: str, how: How) -> Folded | None:
        inner = self.fold(argument, depth)
        return transform(inner, decoder, how) if inner is not None else None

    def _wrapper(self, name: str, argument: tree_sitter.Node, depth: int) -> Folded | None:
        param, body = self.decoders[name]
        value = self.fold(argument, depth)
        if value is None or param in self.bound:
            return None
        self.bound[param] = value
        try:
            result = self.fold(body, depth)
        finally:
            del self.bound[param]
        return result.with_how(How("", f"via {name}()")) if result is not None else None

    def _join(self, separator_node: tree_sitter.Node, iterable: tree_sitter.Node, depth: int) -> Folded | None:
        separator = self.fold(separator_node, depth)
        sequence = self._sequence(iterable, depth)
        if separator is None or separator.text() is None or sequence is None:
            return None
        items, hows, pieces = sequence
        joined: list[Folded] = []
        for index, item in enumerate(items):
            if index:
                joined.append(separator)
            joined.append(item)
        result = concat(joined)
        if result is None:
            return None
        extra = hows or (_JOIN_HOW,)
        return Folded(
            result.parts, (*result.hows, *(h for h in extra if h not in result.hows)), (*result.pieces, *pieces)
        )

    def _sequence(
        self, node: tree_sitter.Node, depth: int
    ) -> tuple[list[Folded], tuple[How, ...], tuple[str, ...]] | None:
        """Items of a list/tuple/generator/map/reversed(...) of constants."""
        if depth > 20:
            return None
        kind = node.type
        if kind in {"list", "tuple"}:
            items = [self.fold(child, depth) or unknown() for child in node.named_children[:MAX_ITEMS]]
            return (items, (), ()) if any(item.known() for item in items) else None
        if kind == "string":
            value = self.fold(node, depth)
            text = value.text() if value is not None else None
            if value is None or text is None:
                return None
            return [Folded((ch,)) for ch in text[:MAX_ITEMS]], value.hows, value.pieces
        if kind == "identifier" and self.text(node) in self.consts:
            return self._sequence(self.consts[self.text(node)], depth + 1)
        if kind in {"generator_expression", "list_comprehension"}:
            return self._chr_comprehension(node, depth)
        if kind != "call":
            return None
        callee, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        if callee is None or arguments is None:
            return None
        name = self.text(callee)
        args = arguments.named_children
        if name == "reversed" and len(args) == 1:
            inner = self._sequence(args[0], depth + 1)
            return (list(reversed(inner[0])), (*inner[1], _REVERSE_HOW), inner[2]) if inner is not None else None
        if name in {"list", "tuple"} and len(args) == 1:
            return self._sequence(args[0], depth + 1)
        if name == "map" and len(args) == 2 and self.text(args[0]) == "chr":
            inner = self._sequence(args[1], depth + 1)
            return self._as_chars(inner)
        return None

    def _chr_comprehension(
        self, node: tree_sitter.Node, depth: int
    ) -> tuple[list[Folded], tuple[How, ...], tuple[str, ...]] | None:
        body = node.child_by_field_name("body")
        clauses = [c for c in node.named_children if c.type == "for_in_clause"]
        if body is None or len(clauses) != 1 or len(node.named_children) != 2 or body.type != "call":
            return None
        callee, arguments = body.child_by_field_name("function"), body.child_by_field_name("arguments")
        clause = clauses[0]
        variable, source = clause.child_by_field_name("left"), clause.child_by_field_name("right")
        if callee is None or arguments is None or variable is None or source is None or self.text(callee) != "chr":
            return None
        if self.text(arguments).strip("() ") != self.text(variable):
            return None
        return self._as_chars(self._sequence(source, depth + 1))

    def _as_chars(
        self, inner: tuple[list[Folded], tuple[How, ...], tuple[str, ...]] | None
    ) -> tuple[list[Folded], tuple[How, ...], tuple[str, ...]] | None:
        if inner is None:
            return None
        chars = chars_from_codes([item.text() or "" for item in inner[0]])
        if chars is None:
            return None
        return [Folded((ch,)) for ch in chars], (*inner[1], _CHR_HOW), inner[2]


def _port(text: str) -> int | None:
    return int(text) if text.isdigit() and 0 < int(text) < 65536 else None
