"""Constant folding for JavaScript, TypeScript and TSX trees."""

from __future__ import annotations

from dataclasses import dataclass

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

_TRANSPARENT = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion"}
)
_ATOB = frozenset({"atob", "window.atob", "globalThis.atob", "self.atob", "global.atob"})
_PERCENT = frozenset({"decodeURIComponent", "decodeURI", "unescape", "window.decodeURIComponent"})
_CHARCODE = frozenset({"String.fromCharCode", "String.fromCodePoint"})
_ENV_OBJECTS = frozenset({"process.env", "import.meta.env", "Deno.env"})
_ENV_OBJECTS_BYTES = 4 * max(map(len, _ENV_OBJECTS))  # UTF-8: at most 4 bytes a character
_BUFFER_TEXT = frozenset({None, "utf8", "utf-8", "ascii", "latin1", "binary", "utf16le"})
_BUFFER_DECODERS = {"base64": "base64", "base64url": "base64", "hex": "hex"}
_CONNECT_CALLS = ("connect", "createConnection", "Socket", "io", "lookup", "resolve", "request", "get")
_LOADERS = frozenset({"require", "import"})
_MEMBER_ROOTS = frozenset({"process", "Deno", "import.meta"})
_CHARCODE_HOW = How("charcode", "String.fromCharCode")
_REVERSE_HOW = How("reversed", "reversed string")
_JOIN_HOW = How("concatenation", "array join")


@dataclass(frozen=True)
class _Items:
    """An array folded item by item, with how it was built and the literals it came from."""

    items: list[Folded]
    hows: tuple[How, ...] = ()
    pieces: tuple[str, ...] = ()


# Longer member chains are not folded (the member path itself keeps at most 8 fields).
MAX_MEMBER_LINKS = 32


class JsWalker(ModuleWalker):
    def __init__(self, source: bytes, root: tree_sitter.Node, language: tree_sitter.Language) -> None:
        super().__init__(source, root, language)
        self.consts: dict[str, tree_sitter.Node] = {}
        self.ambiguous: set[str] = set()
        self.imports: dict[str, tuple[str, str]] = {}  # local name -> (module, export name or "")
        self.env_aliases: dict[str, str] = {}  # const { AUTH_API } = process.env
        self.exported: dict[str, tree_sitter.Node] = {}
        self._longest_root_bytes = 2**32  # set once the declarations are known

    # -- declarations ---------------------------------------------------------------------------

    declaration_query = """
        (variable_declarator) @d (function_declaration) @d (import_statement) @d
        (export_statement) @d (assignment_expression) @d
    """
    candidate_query = """
        (string) @c (template_string) @c (binary_expression) @c (call_expression) @c
        (member_expression) @c (subscript_expression) @c (comment) @comment (import_statement) @skip
        (export_statement source: (string) @skip)
    """

    def collect_declarations(self) -> None:
        for _, node in self.captured(DECLARATION_CAPTURES):
            kind = node.type
            if kind == "variable_declarator":
                self._declarator(node)
            elif kind == "function_declaration":
                self._function(node.child_by_field_name("name"), node)
            elif kind == "import_statement":
                self._import(node)
            elif kind == "export_statement":
                self._export(node)
            elif kind == "assignment_expression":
                self._assignment(node)
        names = (*self.consts, *self.imports, *_MEMBER_ROOTS)
        self._longest_root_bytes = 4 * max(len(name) for name in names)  # UTF-8: at most 4 bytes a character

    def _bind(self, name: str, value: tree_sitter.Node) -> None:
        if name in self.consts or name in self.ambiguous:
            # Declared twice (shadowing, reassignment): no single value to fold.
            self.consts.pop(name, None)
            self.ambiguous.add(name)
            return
        self.consts[name] = value

    def _declarator(self, node: tree_sitter.Node) -> None:
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if name is None or value is None:
            return
        value = _unwrap(value)
        module = self._required_module(value)
        if name.type == "identifier":
            local = self.text(name)
            if module is not None:
                self.imports[local] = (module, "")
            elif value.type in {"arrow_function", "function_expression", "function"}:
                self._function(name, value)
            else:
                self._bind(local, value)
        elif name.type == "object_pattern":
            # Only a short value can be one of the env objects: a long one is not read.
            source = self.text(value) if value.end_byte - value.start_byte <= _ENV_OBJECTS_BYTES else ""
            for local, field in self._pattern_names(name):
                if module is not None:
                    self.imports[local] = (module, field)
                elif source in _ENV_OBJECTS:
                    self.env_aliases[local] = field

    def _pattern_names(self, pattern: tree_sitter.Node) -> list[tuple[str, str]]:
        names: list[tuple[str, str]] = []
        for child in pattern.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                names.append((self.text(child), self.text(child)))
            elif child.type == "pair_pattern":
                key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
                if key is not None and value is not None and value.type == "identifier":
                    names.append((self.text(value), self.text(key).strip("'\"")))
        return names

    def _required_module(self, value: tree_sitter.Node) -> str | None:
        if value.type == "await_expression" and value.named_children:
            value = value.named_children[0]
        if value.type != "call_expression":
            return None
        callee = value.child_by_field_name("function")
        arguments = value.child_by_field_name("arguments")
        # `callee.end_byte - callee.start_byte` first: an IIFE callee is not read to be compared.
        if (
            callee is None
            or arguments is None
            or callee.end_byte - callee.start_byte > len("require")
            or self.text(callee) not in {"require", "import"}
        ):
            return None
        first = arguments.named_children[0] if arguments.named_children else None
        if first is None or first.type != "string":
            return None
        return self.text(first)[1:-1]

    def _function(self, name: tree_sitter.Node | None, node: tree_sitter.Node) -> None:
        params = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
        body = node.child_by_field_name("body")
        if name is None or params is None or body is None:
            return
        names = [self._param_name(p) for p in ([params] if params.type == "identifier" else params.named_children)]
        if len(names) != 1 or not names[0].isidentifier():
            return
        if body.type == "statement_block":
            statements = body.named_children
            if len(statements) != 1 or statements[0].type != "return_statement" or not statements[0].named_children:
                return
            body = statements[0].named_children[0]
        self.decoders[self.text(name)] = (names[0], body)

    def _param_name(self, param: tree_sitter.Node) -> str:
        pattern = param.child_by_field_name("pattern") if param.type == "required_parameter" else param
        return self.text(pattern) if pattern is not None else ""

    def _import(self, node: tree_sitter.Node) -> None:
        source = node.child_by_field_name("source")
        if source is None:
            return
        module = self.text(source)[1:-1]
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for item in clause.named_children:
                if item.type == "identifier":
                    self.imports[self.text(item)] = (module, "default")
                elif item.type == "namespace_import" and item.named_children:
                    self.imports[self.text(item.named_children[-1])] = (module, "")
                elif item.type == "named_imports":
                    for spec in item.named_children:
                        imported = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias") or imported
                        if imported is not None and alias is not None:
                            self.imports[self.text(alias)] = (module, self.text(imported))

    def _export(self, node: tree_sitter.Node) -> None:
        declaration = node.child_by_field_name("declaration")
        value = node.child_by_field_name("value")
        if declaration is not None:
            for declarator in declaration.named_children:
                name = declarator.child_by_field_name("name")
                init = declarator.child_by_field_name("value")
                if name is not None and init is not None and name.type == "identifier":
                    self.exported[self.text(name)] = init
        elif value is not None:
            self.exported["default"] = value
        for clause in node.named_children:
            if clause.type == "export_clause":
                for spec in clause.named_children:
                    local = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or local
                    if local is not None and alias is not None:
                        self.exported[self.text(alias)] = local

    def _assignment(self, node: tree_sitter.Node) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return
        target = self.text(left)
        if target == "module.exports":
            self.exported["default"] = right
        elif target.startswith(("module.exports.", "exports.")) and target.count(".") <= 2:
            self.exported[target.rsplit(".", 1)[1]] = right

    def exports(self) -> dict[str, Folded]:
        out: dict[str, Folded] = {}
        for name, node in self.exported.items():
            self._export_value(name, node, out, 0)
        default = self.exported.get("default")
        if default is not None:
            # `module.exports = { X }` is also `require(...).X` and `import { X }`.
            for key, value in list(out.items()):
                if key.startswith("default."):
                    out.setdefault(key[len("default.") :], value)
        return out

    def _export_value(self, name: str, node: tree_sitter.Node, out: dict[str, Folded], depth: int) -> None:
        if depth > 3 or len(out) > MAX_ITEMS:
            return
        target = self._object_of(node, 0)
        if target is not None:
            for key, value in self._fields(target):
                self._export_value(f"{name}.{key}", value, out, depth + 1)
            return
        folded = self.fold(node, 0)
        if folded is not None and folded.known() and not folded.numeric:
            out[name] = folded

    # -- contexts -------------------------------------------------------------------------------

    def skip_subtree(self, node: tree_sitter.Node) -> bool:
        if node.type != "call_expression":
            return False
        callee = node.child_by_field_name("function")
        return callee is not None and callee.type in {"identifier", "import"} and self.text(callee) in _LOADERS

    def host_context(self, node: tree_sitter.Node) -> tuple[bool, int | None]:
        parent = node.parent
        while parent is not None and parent.type in _TRANSPARENT:
            parent = parent.parent
        if parent is None:
            return False, None
        if parent.type == "pair":
            key = parent.child_by_field_name("key")
            name = self.text(key).strip("'\"") if key is not None else ""
            port = self._sibling_port(parent) if parent.parent is not None else None
            return bool(HOST_NAME.search(name)), port
        if parent.type == "variable_declarator":
            name_node = parent.child_by_field_name("name")
            return bool(name_node is not None and HOST_NAME.search(self.text(name_node))), None
        if parent.type == "assignment_expression":
            left = parent.child_by_field_name("left")
            return bool(left is not None and HOST_NAME.search(self.text(left).rsplit(".", 1)[-1])), None
        if parent.type == "arguments" and parent.parent is not None:
            callee = parent.parent.child_by_field_name("function")
            name = self.text(callee).rsplit(".", 1)[-1] if callee is not None else ""
            if name in _CONNECT_CALLS:
                return True, self._port_argument(parent, node)
        return False, None

    def _sibling_port(self, pair: tree_sitter.Node) -> int | None:
        obj = pair.parent
        if obj is None:
            return None
        for key, value in self._fields(obj):
            if key == "port":
                folded = self.fold(value, 0)
                text = folded.text() if folded is not None else None
                if text is not None and text.isdigit():
                    return int(text)
        return None

    def _port_argument(self, arguments: tree_sitter.Node, host: tree_sitter.Node) -> int | None:
        for argument in arguments.named_children:
            if argument.type == "number" and argument != host:
                text = self.text(argument)
                if text.isdigit() and 0 < int(text) < 65536:
                    return int(text)
        return None

    # -- folding --------------------------------------------------------------------------------

    def fold_node(self, node: tree_sitter.Node, depth: int) -> Folded | None:
        kind = node.type
        if kind in _TRANSPARENT:
            return self.fold(node.named_children[0] if node.named_children else None, depth)
        if kind == "string":
            return self._string(node)
        if kind == "template_string":
            return self._template(node, depth)
        if kind == "number":
            return number(self.text(node))
        if kind == "binary_expression":
            return self._binary(node, depth)
        if kind == "identifier":
            return self._identifier(node, depth)
        if kind in {"member_expression", "subscript_expression"}:
            return self._member(node, depth)
        if kind == "call_expression":
            return self._call(node, depth)
        return None

    def _string(self, node: tree_sitter.Node) -> Folded:
        raw = self.text(node)[1:-1]
        value = unescape(raw)
        if value == raw:
            return literal(value, raw)
        return literal(value, raw, (How("escape", "hex/unicode escapes"),))

    def _template(self, node: tree_sitter.Node, depth: int) -> Folded | None:
        parts: list[Folded] = []
        substituted = False
        for child in node.named_children:
            if child.type == "template_substitution":
                substituted = True
                inner = child.named_children[0] if child.named_children else None
                parts.append(self.fold(inner, depth) or unknown())
            elif child.type == "escape_sequence":
                text = self.text(child)
                parts.append(literal(unescape(text), text, (How("escape", "hex/unicode escapes"),)))
            else:
                text = self.text(child)
                parts.append(literal(text, text))
        if not parts:
            return literal("", "")
        return concat(parts, How("concatenation", "template literal") if substituted else None)

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
        if name in self.env_aliases:
            field = self.env_aliases[name]
            return Folded((Ref("env", field, reader=f"process.env.{field}"),))
        if name in self.consts:
            value = self.consts[name]
            folded = self.fold(value, depth)
            if folded is None:
                return None
            return folded.with_how(How("", f"constant {name} (line {value.start_point.row + 1})"))
        if name in self.imports:
            module, export = self.imports[name]
            if export:
                return Folded((Ref("import", export, module),))
        return None

    def _member(self, node: tree_sitter.Node, depth: int) -> Folded | None:
        base = node
        # Every link of an `a.b.c...` chain is a candidate: walking each one to its base is
        # quadratic on a 100k-link chain, and no name we fold is more than a few links deep.
        for _ in range(MAX_MEMBER_LINKS):
            if base.type not in {"member_expression", "subscript_expression"}:
                break
            inner = base.child_by_field_name("object")
            if inner is None:
                return None
            base = inner
        else:
            return None
        # Most member expressions (`res.data`, `this.x`) start from nothing we know: stop early,
        # without reading a long base (`$(...).a().b`) that cannot be one of the names.
        if base.end_byte - base.start_byte > self._longest_root_bytes:
            return None
        name = self.text(base)
        if name not in self.consts and name not in self.imports and name not in _MEMBER_ROOTS:
            return None
        path = self._member_path(node, depth)
        if path is None:
            return None
        base, fields = path
        base_text = self.text(base)
        if base_text in {"process", "Deno", "import.meta"} and fields[:1] == ["env"] and len(fields) > 1:
            field = ".".join(fields[1:])
            return Folded((Ref("env", field, reader=f"{base_text}.env.{field}"),))
        if base.type != "identifier":
            return None
        if base_text in self.imports:
            module, export = self.imports[base_text]
            dotted = ".".join([export, *fields]) if export else ".".join(fields)
            return Folded((Ref("import", dotted, module),))
        if base_text in self.consts:
            target: tree_sitter.Node | None = self.consts[base_text]
            for field in fields:
                target = self._object_of(target, depth) if target is not None else None
                target = self._field(target, field) if target is not None else None
            if target is None:
                return None
            folded = self.fold(target, depth)
            label = f"constant {base_text}.{'.'.join(fields)}"
            return folded.with_how(How("", label)) if folded is not None else None
        return None

    def _member_path(self, node: tree_sitter.Node, depth: int) -> tuple[tree_sitter.Node, list[str]] | None:
        """``a.b['c']`` -> (a, ["b", "c"]); None when a part is not constant."""
        fields: list[str] = []
        current = node
        while current.type in {"member_expression", "subscript_expression"}:
            if len(fields) >= 8:
                return None
            base = current.child_by_field_name("object")
            if current.type == "member_expression":
                prop = current.child_by_field_name("property")
                key = self.text(prop) if prop is not None else None
            else:
                index = self.fold(current.child_by_field_name("index"), depth)
                key = index.text() if index is not None else None
            if key is None or base is None:
                return None
            fields.append(key)
            current = _unwrap(base)
        fields.reverse()
        return current, fields

    def _object_of(self, node: tree_sitter.Node | None, depth: int) -> tree_sitter.Node | None:
        node = _unwrap(node) if node is not None else None
        if node is None:
            return None
        if node.type == "object":
            return node
        if node.type == "identifier" and self.text(node) in self.consts and depth < 8:
            return self._object_of(self.consts[self.text(node)], depth + 1)
        return None

    def _fields(self, obj: tree_sitter.Node) -> list[tuple[str, tree_sitter.Node]]:
        fields: list[tuple[str, tree_sitter.Node]] = []
        for child in obj.named_children[:MAX_ITEMS]:
            if child.type == "pair":
                key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
                if key is not None and value is not None:
                    fields.append((self.text(key).strip("'\"`"), value))
            elif child.type == "shorthand_property_identifier":
                fields.append((self.text(child), child))
        return fields

    def _field(self, obj: tree_sitter.Node, name: str) -> tree_sitter.Node | None:
        for key, value in self._fields(obj):
            if key == name:
                return value
        return None

    def _call(self, node: tree_sitter.Node, depth: int) -> Folded | None:
        callee = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if callee is None or arguments is None or callee.end_byte - callee.start_byte > 80:
            return None
        name = self.text(callee)
        args = arguments.named_children
        if name in _ATOB and len(args) == 1:
            inner = self.fold(args[0], depth)
            return transform(inner, "base64", How("base64", "atob")) if inner is not None else None
        if name in _PERCENT and len(args) == 1:
            inner = self.fold(args[0], depth)
            return transform(inner, "percent", How("percent-encoding", name)) if inner is not None else None
        if name in _CHARCODE or name in {"String.fromCharCode.apply", "String.fromCharCode.call"}:
            codes = args[1:] if name.endswith((".apply", ".call")) else args
            return self._charcodes(codes, depth, spread_all=name.endswith(".apply"))
        if name in self.decoders and len(args) == 1:
            return self._wrapper(name, args[0], depth)
        if name in self.imports and len(args) == 1 and self.imports[name][0].startswith("."):
            argument = self.fold(args[0], depth)
            module, export = self.imports[name]
            return through_call(argument, module, export) if argument is not None else None
        if callee.type != "member_expression":
            return None
        method_node = callee.child_by_field_name("property")
        target = callee.child_by_field_name("object")
        if method_node is None or target is None:
            return None
        method = self.text(method_node)
        if method == "toString":
            return self._buffer_text(target, args, depth)
        if method == "join":
            return self._join(target, args, depth)
        if method == "concat":
            first = self.fold(target, depth)
            rest = [self.fold(arg, depth) for arg in args]
            if first is None or first.numeric or any(item is None for item in rest):
                return None
            return concat([first, *(item for item in rest if item is not None)], How("concatenation", "concat"))
        if method in {"trim", "toLowerCase", "valueOf"} and not args:
            return self.fold(target, depth)
        return None

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

    def _charcodes(self, args: list[tree_sitter.Node], depth: int, *, spread_all: bool) -> Folded | None:
        codes: list[str] = []
        for arg in args:
            if arg.type == "spread_element" or spread_all:
                items = self._array(arg.named_children[0] if arg.type == "spread_element" else arg, depth)
                if items is None:
                    return None
                values = [item.text() for item in items.items]
            else:
                folded = self.fold(arg, depth)
                values = [folded.text() if folded is not None and folded.numeric else None]
            if any(value is None for value in values):
                return None
            codes.extend(value for value in values if value is not None)
        text = chars_from_codes(codes)
        return Folded((text,), (_CHARCODE_HOW,)) if text is not None else None

    def _buffer_text(self, target: tree_sitter.Node, args: list[tree_sitter.Node], depth: int) -> Folded | None:
        out_encoding = self._encoding(args[0], depth) if args else None
        if out_encoding not in _BUFFER_TEXT:
            return None
        target = _unwrap(target)
        if target.type not in {"call_expression", "new_expression"}:
            return None
        maker = target.child_by_field_name("function") or target.child_by_field_name("constructor")
        maker_args = target.child_by_field_name("arguments")
        if maker is None or maker_args is None or self.text(maker) not in {"Buffer.from", "Buffer", "new Buffer"}:
            return None
        items = maker_args.named_children
        if not items:
            return None
        in_encoding = self._encoding(items[1], depth) if len(items) > 1 else None
        if items[0].type == "array" and in_encoding is None:
            return self._charcodes([items[0]], depth, spread_all=True)
        value = self.fold(items[0], depth)
        if value is None:
            return None
        decoder = _BUFFER_DECODERS.get(in_encoding or "")
        if decoder is None:
            return value if in_encoding in _BUFFER_TEXT else None
        return transform(value, decoder, How(decoder, f"Buffer.from(..., '{in_encoding}')"))

    def _encoding(self, node: tree_sitter.Node, depth: int) -> str | None:
        folded = self.fold(node, depth)
        text = folded.text() if folded is not None else None
        return text.lower() if text is not None else "?"

    def _join(self, target: tree_sitter.Node, args: list[tree_sitter.Node], depth: int) -> Folded | None:
        array = self._array(target, depth)
        if array is None:
            return None
        separator = self.fold(args[0], depth) if args else literal(",", ",")
        if separator is None or separator.text() is None:
            return None
        joined: list[Folded] = []
        for index, item in enumerate(array.items):
            if index:
                joined.append(separator)
            joined.append(item)
        result = concat(joined)
        if result is None:
            return None
        hows = array.hows or (_JOIN_HOW,)
        pieces = (*result.pieces, *array.pieces)
        return Folded(result.parts, (*result.hows, *(how for how in hows if how not in result.hows)), pieces)

    def _array(self, node: tree_sitter.Node, depth: int) -> _Items | None:
        """An array of folded items, and how it was built (reversed, char codes)."""
        node = _unwrap(node)
        if depth > 20:
            return None
        if node.type == "array":
            items: list[Folded] = []
            for child in node.named_children[:MAX_ITEMS]:
                if child.type == "spread_element":
                    inner = self._array(child.named_children[0], depth + 1) if child.named_children else None
                    if inner is None:
                        return None
                    items.extend(inner.items)
                    continue
                items.append(self.fold(child, depth) or unknown())
            return _Items(items) if any(item.known() for item in items) or not items else None
        if node.type in {"string", "template_string"}:
            value = self.fold(node, depth)
            text = value.text() if value is not None else None
            if value is None or text is None:
                return None
            return _Items([Folded((ch,)) for ch in text[:MAX_ITEMS]], value.hows, value.pieces)
        if node.type == "identifier" and self.text(node) in self.consts:
            const = _unwrap(self.consts[self.text(node)])
            return self._array(const, depth + 1) if const.type in {"array", "call_expression"} else None
        if node.type != "call_expression":
            return None
        callee = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if callee is None or arguments is None:
            return None
        args = arguments.named_children
        if self.text(callee) == "Array.from" and len(args) == 1:
            return self._array(args[0], depth + 1)
        if callee.type != "member_expression":
            return None
        method_node, target = callee.child_by_field_name("property"), callee.child_by_field_name("object")
        if method_node is None or target is None:
            return None
        method = self.text(method_node)
        if method == "split" and len(args) <= 2:
            value = self.fold(target, depth)
            separator = self.fold(args[0], depth) if args else None
            text = value.text() if value is not None else None
            sep = separator.text() if separator is not None else None
            if value is None or text is None or sep is None:
                return None
            parts = list(text) if sep == "" else text.split(sep)
            return _Items([Folded((part,)) for part in parts[:MAX_ITEMS]], value.hows, value.pieces)
        if method == "reverse" and not args:
            inner = self._array(target, depth + 1)
            if inner is None:
                return None
            return _Items(list(reversed(inner.items)), (*inner.hows, _REVERSE_HOW), inner.pieces)
        if method == "map" and len(args) == 1 and self._is_charcode_callback(args[0]):
            inner = self._array(target, depth + 1)
            if inner is None:
                return None
            chars = chars_from_codes([item.text() or "" for item in inner.items])
            if chars is None:
                return None
            return _Items([Folded((ch,)) for ch in chars], (*inner.hows, _CHARCODE_HOW), inner.pieces)
        return None

    def _is_charcode_callback(self, node: tree_sitter.Node) -> bool:
        text = self.text(node)
        if text in _CHARCODE:
            return True
        if node.type != "arrow_function":
            return False
        body = node.child_by_field_name("body")
        if body is None or body.type != "call_expression":
            return False
        callee = body.child_by_field_name("function")
        return callee is not None and self.text(callee) in _CHARCODE


def _unwrap(node: tree_sitter.Node) -> tree_sitter.Node:
    while node.type in _TRANSPARENT and node.named_children:
        node = node.named_children[0]
    return node
