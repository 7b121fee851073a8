"""Builds the data-flow graph of one JavaScript / TypeScript / TSX file.

The analysis is flow-insensitive within a function (every assignment to a name flows into the
one node of that name), which is what loaders need: they are short and straight-line, and the
order of statements does not hide a flow from this model. Property reads, awaits, string
building, unknown calls and method calls on a value all keep its taint.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

import tree_sitter

from inspector.static.catalogs import catalog
from inspector.static.flow._builder import (
    DEPTH_CUT,
    MAX_DEPTH,
    NOTHING,
    GraphBuilder,
    Values,
    hosts_in,
    path_keys,
)
from inspector.static.flow._gate import hot_statements
from inspector.static.flow._ir import Call, FileSummary, FnRef, Import, Member, ParamCall

FUNCTION_TYPES = frozenset(
    {
        "function_expression",
        "function",
        "arrow_function",
        "generator_function",
        "function_declaration",
        "generator_function_declaration",
        "method_definition",
    }
)
FNREF_TYPES = FUNCTION_TYPES | {"identifier", "member_expression"}
# `dotted` reads a chain of at most 12 plain names from the text (it follows 12 levels of nodes).
_PLAIN_CHAIN = re.compile(rb"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*){0,12}")
MAX_PLAIN_CHAIN = 200
# Words that may parse as something other than an identifier at the base of a chain.
NOT_PLAIN_NAMES = frozenset(
    {
        *("break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do"),
        *("else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in"),
        *("instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try"),
        *("typeof", "undefined", "var", "void", "while", "with", "yield", "let", "static", "await", "async"),
        *("implements", "package", "protected", "interface", "private", "public", "get", "set", "of", "as"),
        *("from", "type", "declare", "namespace", "module", "readonly", "abstract", "keyof", "infer", "is"),
        *("asserts", "any", "number", "string", "boolean", "symbol", "never", "unknown", "object", "global"),
        *("override", "satisfies", "accessor", "meta", "target", "require", "unique", "bigint", "out"),
    }
)
_CATALOG = catalog("javascript")
HTTP_VERBS = _CATALOG.list("http_verbs")
HTTP_CLIENTS = _CATALOG.names("network_source", "client")
SOURCE_CALLS = _CATALOG.names("network_source", "call")
SOURCE_CONSTRUCTORS = _CATALOG.names("network_source", "constructor")
VM_FUNCTIONS = _CATALOG.methods("execution_sink", "vm-method")
SHELL_FUNCTIONS = _CATALOG.methods("execution_sink", "shell-method")
FS_WRITES = _CATALOG.methods("file_effect", "write")
FS_READS = _CATALOG.methods("file_effect", "read")
FS_MODULES = _CATALOG.list("fs_modules")
GLOBAL_OBJECTS = frozenset({"global", "globalThis", "window", "self", "this"})
# Methods that store their arguments in the object they are called on.
MUTATORS = frozenset({"set", "push", "unshift", "add", "append", "splice", "concat", "write", "assign", "fill"})
# `await` is here because TypeScript parses `await axios.get<T>(u)` as `(await axios.get)<T>(u)`.
WRAPPERS = frozenset(
    {
        "parenthesized_expression",
        "non_null_expression",
        "as_expression",
        "satisfies_expression",
        "sequence_expression",
        "await_expression",
    }
)
DECODERS = _CATALOG.names("decoder", "call")


def _pattern_identifiers(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    found: list[tree_sitter.Node] = []
    stack = [node]
    while stack and len(found) < 200:
        current = stack.pop()
        if current.type in ("identifier", "shorthand_property_identifier_pattern"):
            found.append(current)
        elif current.type in (
            "object_pattern",
            "array_pattern",
            "pair_pattern",
            "rest_pattern",
            "assignment_pattern",
            "import_clause",
            "named_imports",
            "import_specifier",
            "namespace_import",
        ):
            stack.extend(current.named_children)
    return found


def _module_name(spec: str) -> str:
    spec = spec.removeprefix("node:")
    return {"fs/promises": "fs.promises", "child_process": "child_process"}.get(spec, spec)


class JavaScriptBuilder(GraphBuilder):
    def build(self, root: tree_sitter.Node) -> FileSummary:
        self.summary.has_error = root.has_error
        self.ret_stack: list[int] = [self.new()]  # module level "return" goes nowhere useful
        self.require_sites: list[tuple[tuple[str, ...], tree_sitter.Node]] = []
        self.handlers: dict[str, Callable[[tree_sitter.Node], Values]] = {
            "identifier": self._identifier,
            "shorthand_property_identifier": self._identifier,
            "member_expression": self._member,
            "subscript_expression": self._subscript,
            "call_expression": self._call,
            "new_expression": self._call,
            "assignment_expression": self._assignment,
            "augmented_assignment_expression": self._augmented,
            "lexical_declaration": self._declaration,
            "variable_declaration": self._declaration,
            "function_declaration": self._function_statement,
            "generator_function_declaration": self._function_statement,
            "function_expression": self._function_value_expr,
            "function": self._function_value_expr,
            "arrow_function": self._function_value_expr,
            "generator_function": self._function_value_expr,
            "method_definition": self._function_value_expr,
            "object": self._object,
            "return_statement": self._return,
            "try_statement": self._try,
            "for_in_statement": self._for_in,
            "import_statement": self._import,
            "export_statement": self._export,
            "binary_expression": self._binary,
            "sequence_expression": self._sequence,
            "string": self._nothing,
            "number": self._nothing,
            "regex": self._nothing,
            "comment": self._nothing,
            "true": self._nothing,
            "false": self._nothing,
            "null": self._nothing,
            "undefined": self._nothing,
            "property_identifier": self._nothing,
            "type_annotation": self._nothing,
            "type_alias_declaration": self._nothing,
            "interface_declaration": self._nothing,
            "import": self._nothing,
        }
        for child in hot_statements(
            self.source,
            root.named_children,
            python=False,
            names_of=self.defined_names,
            is_declaration=self.is_declaration,
        ):
            self.ev(child)
        if any(flow.write for flow in self.summary.file_flows):
            for keys, at in self.require_sites:
                self.add_sink("require of a written file", "module", [], True, at, keys)
        return self.summary

    def is_declaration(self, statement: tree_sitter.Node) -> bool:
        node = statement.child_by_field_name("declaration") or statement
        return node.type in ("lexical_declaration", "variable_declaration")

    def defined_names(self, statement: tree_sitter.Node) -> list[str]:
        """Names a top-level statement defines that other statements may use (for the gate)."""
        node = statement.child_by_field_name("declaration") or statement
        if node.type in ("function_declaration", "generator_function_declaration", "class_declaration"):
            name = node.child_by_field_name("name")
            return [self.name(name)] if name is not None else []
        names: list[str] = []
        if node.type in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                target = declarator.child_by_field_name("name")
                if target is not None:
                    names.extend(self.name(n) for n in _pattern_identifiers(target))
        elif node.type == "import_statement":
            names.extend(self.name(n) for n in _pattern_identifiers(node) if n.type == "identifier")
        elif node.type == "expression_statement" and node.named_children:
            expr = node.named_children[0]
            left = expr.child_by_field_name("left") if expr.type == "assignment_expression" else None
            if left is not None and left.type == "identifier":
                names.append(self.name(left))
        return names

    # -- dispatch ----------------------------------------------------------------------

    def ev(self, node: tree_sitter.Node | None) -> Values:
        if node is None:
            return NOTHING
        if self.depth >= MAX_DEPTH:
            self.summary.truncated = self.summary.truncated or DEPTH_CUT
            return NOTHING
        if self.over_budget():
            return NOTHING
        # No try/finally: an exception here ends the whole file's analysis anyway.
        self.depth += 1
        handler = self.handlers.get(node.type)
        if handler is not None:
            result = handler(node)
        else:
            children = node.named_children
            if len(children) == 1:  # statement and expression wrappers: no set to build
                result = self.ev(children[0])
            elif children:
                values: set[int] = set()
                for child in children:
                    values |= self.ev(child)
                result = frozenset(values)
            else:
                result = NOTHING
        self.depth -= 1
        return result

    def _nothing(self, node: tree_sitter.Node) -> Values:
        return NOTHING

    def _identifier(self, node: tree_sitter.Node) -> Values:
        name = self.name(node)
        if name in ("undefined", "NaN", "Infinity"):
            return NOTHING
        return frozenset({self.lookup(name)})

    def _member(self, node: tree_sitter.Node) -> Values:
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        if obj is not None and obj.type == "this" and prop is not None:
            return frozenset({self.this_field(self.name(prop))})
        if self._may_read_process(node):
            dotted = self.dotted(node)
            if dotted.startswith("process.env"):
                return frozenset({self.add_source("env", f"environment variable {dotted}", node)})
        return self.ev(obj)

    def _may_read_process(self, node: tree_sitter.Node) -> bool:
        """False when `dotted(node)` cannot start with "process": its base is another name."""
        current = self.unwrap(node)
        for _ in range(12):  # the chain `dotted` follows, without reading its keys
            if current.type not in ("member_expression", "subscript_expression"):
                break
            current = self.unwrap(current.child_by_field_name("object") or current)
        if current.type == "identifier":
            name = self.name(current)
            alias = self.alias_of(name)
            base = alias.removeprefix("module:").replace("#", ".") if alias and alias.startswith("module:") else name
            return base.startswith("process")
        return current.type == "call_expression"

    def this_field(self, prop: str) -> int:
        """`this.x` anywhere in the file is one node: fields set in one method, used in another."""
        return self.declare("this." + prop, self.module)

    def _subscript(self, node: tree_sitter.Node) -> Values:
        self.ev(node.child_by_field_name("index"))
        return self.ev(node.child_by_field_name("object"))

    def _binary(self, node: tree_sitter.Node) -> Values:
        # Long `a + b + c + ...` chains nest on the left: walk the spine in a loop, not by recursion.
        values: set[int] = set()
        current: tree_sitter.Node | None = node
        while current is not None and current.type == "binary_expression":
            values |= self.ev(current.child_by_field_name("right"))
            current = current.child_by_field_name("left")
        values |= self.ev(current)
        return frozenset(values)

    def _sequence(self, node: tree_sitter.Node) -> Values:
        values = NOTHING
        for child in node.named_children:
            values = self.ev(child)
        return values

    # -- names and constants -------------------------------------------------------------

    def unwrap(self, node: tree_sitter.Node) -> tree_sitter.Node:
        """`(x)`, `(0, x)`, `x!`, `x as T` all stand for x."""
        if node.type not in WRAPPERS:
            return node
        for _ in range(20):
            if node.type in WRAPPERS and node.type != "sequence_expression" and node.named_children:
                node = node.named_children[0] if node.type != "parenthesized_expression" else node.named_children[-1]
            elif node.type == "sequence_expression" and node.named_children:
                node = node.named_children[-1]
            else:
                break
        return node

    def dotted(self, node: tree_sitter.Node) -> str:
        """`cp.exec` -> "child_process.exec" when cp = require('child_process'); "" if not a name."""
        if node.type in ("member_expression", "identifier") and node.end_byte - node.start_byte <= MAX_PLAIN_CHAIN:
            # `a.b.c` written plainly (no space, comment, key or call inside): read from the text
            # instead of node by node. A base that may not be a plain identifier node
            # (`super.x`, `new.target`, `null.x`) takes the walk below.
            raw = self.source[node.start_byte : node.end_byte]
            if _PLAIN_CHAIN.fullmatch(raw) is not None:
                first, dot, rest = raw.decode().partition(".")
                if first == "this":
                    return first + dot + rest
                if first not in NOT_PLAIN_NAMES:
                    alias = self.alias_of(first)
                    if alias and alias.startswith("module:"):
                        first = alias.removeprefix("module:").replace("#", ".")
                    return first + dot + rest
        parts: list[str] = []
        current = self.unwrap(node)
        for _ in range(12):
            if current.type == "member_expression":
                prop = current.child_by_field_name("property")
                parts.append(self.name(prop) if prop is not None else "")
                current = self.unwrap(current.child_by_field_name("object") or current)
            elif current.type == "subscript_expression":
                key = self.const_str(current.child_by_field_name("index"))
                if key is None:
                    return ""
                parts.append(key)
                current = self.unwrap(current.child_by_field_name("object") or current)
            else:
                break
        if current.type == "identifier":
            name = self.name(current)
            alias = self.alias_of(name)
            base = alias.removeprefix("module:").replace("#", ".") if alias and alias.startswith("module:") else name
        elif current.type == "this":
            base = "this"
        elif current.type == "call_expression" and self._require_spec(current) is not None:
            base = _module_name(self._require_spec(current) or "")
        else:
            return ""
        return ".".join([base, *reversed(parts)])

    def const_str(self, node: tree_sitter.Node | None, depth: int = 0) -> str | None:
        if node is None or depth > 30:
            return None
        node = self.unwrap(node)
        if node.type == "string":
            return "".join(self.text(c, 10_000) for c in node.named_children if c.type == "string_fragment")
        if node.type == "template_string":
            out: list[str] = []
            for child in node.named_children:
                if child.type == "string_fragment":
                    out.append(self.source[child.start_byte : child.end_byte].decode("utf-8", "replace"))
                elif child.type == "template_substitution":
                    inner = self.const_str(child.named_children[0] if child.named_children else None, depth + 1)
                    if inner is None:
                        return None
                    out.append(inner)
            return "".join(out)
        if node.type == "binary_expression" and self.name(node.child_by_field_name("operator") or node) == "+":
            left = self.const_str(node.child_by_field_name("left"), depth + 1)
            right = self.const_str(node.child_by_field_name("right"), depth + 1)
            return None if left is None or right is None else left + right
        if node.type == "identifier":
            return self.const_of(self.name(node))
        if node.type == "call_expression" and self.dotted(node.child_by_field_name("function") or node) == "atob":
            args = self.args(node)
            encoded = self.const_str(args[0], depth + 1) if args else None
            if encoded is not None:
                try:
                    return base64.b64decode(encoded, validate=False).decode("utf-8", "replace")
                except (binascii.Error, ValueError):
                    return None
        return None

    def args(self, call: tree_sitter.Node) -> list[tree_sitter.Node]:
        arguments = call.child_by_field_name("arguments")
        if arguments is None:
            return []
        if arguments.type == "template_string":  # tagged template: fn`...`
            return [arguments]
        return [a for a in arguments.named_children if a.type != "comment"]

    def _require_spec(self, call: tree_sitter.Node) -> str | None:
        callee = call.child_by_field_name("function")
        if callee is None or callee.type not in ("identifier", "import"):
            return None
        if callee.type == "identifier" and self.name(callee) != "require":
            return None
        args = self.args(call)
        return self.const_str(args[0]) if len(args) == 1 else None

    def keys_of(self, nodes: list[tree_sitter.Node]) -> tuple[str, ...]:
        strings: list[str] = []
        names: list[str] = []
        stack = list(nodes)
        seen = 0
        while stack and seen < 200:
            node = stack.pop()
            seen += 1
            if node.type == "string_fragment":
                text = self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")
                strings.extend(text.split())
            elif node.type == "identifier":
                name = self.name(node)
                names.append(name)
                const = self.const_of(name)
                if const is not None:
                    strings.append(const)
            else:
                stack.extend(node.named_children)
        return path_keys(strings, names)

    # -- functions -----------------------------------------------------------------------

    def function_value(self, node: tree_sitter.Node, name: str = "") -> int:
        """Analyse a function literal and return a node bound to it (for calls and callbacks)."""
        if not name:
            name_node = node.child_by_field_name("name")
            name = self.name(name_node) if name_node is not None else "callback"
        fn, scope = self.begin_function(name, node)
        ret = self.new()
        params: list[tuple[str, int]] = []
        parameters = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
        if parameters is not None:
            plist = [parameters] if parameters.type == "identifier" else parameters.named_children
            for param in plist:
                param_node = self.new()
                self.param_of[param_node] = (fn, len(params))
                self.bind_pattern(param, frozenset({param_node}), declare=True)
                params.append((self.text(param, 30), param_node))
                # A parameter that is a plain name is the same node as the name itself, so calls
                # of the parameter (callbacks) are recognised.
                target = param.child_by_field_name("pattern") if param.type != "identifier" else param
                if target is not None and target.type == "identifier":
                    scope.names[self.name(target)] = param_node
        self.ret_stack.append(ret)
        body = node.child_by_field_name("body")
        if body is not None:
            if body.type == "statement_block":
                for statement in body.named_children:
                    self.ev(statement)
            else:
                self.flow(self.ev(body), ret)
        self.ret_stack.pop()
        self.end_function(fn, name, params, ret, node)
        bound = self.new()
        self.summary.fn_bindings[bound] = fn
        return bound

    def _function_statement(self, node: tree_sitter.Node) -> Values:
        name_node = node.child_by_field_name("name")
        name = self.name(name_node) if name_node is not None else "anonymous function"
        var = self.declare(name)
        self.summary.aliases[var] = self.function_value(node, name)
        return NOTHING

    def _function_value_expr(self, node: tree_sitter.Node) -> Values:
        self.function_value(node)
        return NOTHING

    def fnref(self, node: tree_sitter.Node | None) -> FnRef | None:
        """The function a callee/argument expression names, to be resolved at link time."""
        if node is None:
            return None
        node = self.unwrap(node)
        if node.type in FUNCTION_TYPES:
            return self.function_value(node)
        if node.type == "identifier":
            return self.lookup(self.name(node))
        if node.type == "member_expression":
            obj = self.unwrap(node.child_by_field_name("object") or node)
            prop = node.child_by_field_name("property")
            if obj.type == "identifier" and prop is not None:
                return Member(self.lookup(self.name(obj)), self.name(prop))
        return None

    def _return(self, node: tree_sitter.Node) -> Values:
        values: set[int] = set()
        for child in node.named_children:
            values |= self.ev(child)
        self.flow(values, self.ret_stack[-1])
        return NOTHING

    # -- declarations, patterns and assignments ---------------------------------------------

    def bind_pattern(self, pattern: tree_sitter.Node, values: Values, *, declare: bool) -> list[int]:
        """Bind every name in a destructuring pattern to ``values``; returns the nodes bound."""
        bound: list[int] = []
        stack = [pattern]
        while stack:
            node = stack.pop()
            kind = node.type
            if kind in ("identifier", "shorthand_property_identifier_pattern"):
                name = self.name(node)
                var = self.declare(name) if declare else self.lookup(name)
                self.flow(values, var)
                bound.append(var)
            elif kind == "pair_pattern":
                value = node.child_by_field_name("value")
                if value is not None:
                    stack.append(value)
            elif kind in ("assignment_pattern", "object_assignment_pattern"):
                left = node.child_by_field_name("left")
                self.ev(node.child_by_field_name("right"))
                if left is not None:
                    stack.append(left)
            elif kind in ("required_parameter", "optional_parameter"):
                inner = node.child_by_field_name("pattern")
                self.ev(node.child_by_field_name("value"))
                if inner is not None:
                    stack.append(inner)
            elif kind in ("object_pattern", "array_pattern", "rest_pattern", "formal_parameters"):
                stack.extend(node.named_children)
            elif kind in ("member_expression", "subscript_expression"):
                self.flow(values, self.temp(self.ev(node.child_by_field_name("object"))))
        return bound

    def _declaration(self, node: tree_sitter.Node) -> Values:
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            target = declarator.child_by_field_name("name")
            value = declarator.child_by_field_name("value")
            if target is None:
                continue
            if value is None:
                self.bind_pattern(target, NOTHING, declare=True)
                continue
            self.assign(target, value, declare=True, const=node.type == "lexical_declaration")
        return NOTHING

    def assign(self, target: tree_sitter.Node, value: tree_sitter.Node, *, declare: bool, const: bool) -> Values:
        value = self.unwrap(value)
        if target.type == "identifier":
            name = self.name(target)
            var = self.declare(name) if declare else self.lookup(name)
            if value.type in FUNCTION_TYPES:
                self.summary.aliases[var] = self.function_value(value, name)
                return NOTHING
            self._note_binding(name, var, value, const and declare)
            self._note_bound_at(name, target, value)
            values = self.ev(value)
            self.flow(values, var)
            if value.type == "identifier":
                self.summary.aliases.setdefault(var, self.lookup(self.name(value)))
            elif value.type == "object":
                self.summary.aliases.setdefault(var, next(iter(values)) if len(values) == 1 else var)
            return frozenset({var})
        if target.type == "object_pattern" and value.type == "call_expression":
            spec = self._require_spec(value)
            if spec is not None:
                self._destructure_import(target, spec)
                return NOTHING
        if target.type in ("member_expression", "subscript_expression"):
            return self._assign_member(target, value)
        values = self.ev(value)
        self.bind_pattern(target, values, declare=declare)
        return values

    def _note_binding(self, name: str, var: int, value: tree_sitter.Node, const: bool) -> None:
        """Remember what a name stands for: a constant string, a module, a sink alias, an import."""
        scope = self.scopes[-1]
        if const:
            text = self.const_str(value)
            if text is not None:
                scope.consts[name] = text
        if value.type == "call_expression":
            spec = self._require_spec(value)
            if spec is not None:
                self._import_binding(var, name, spec, "*", value)
                return
            callee = self.dotted(value.child_by_field_name("function") or value)
            if callee.endswith(".create") and callee.split(".")[0] in HTTP_CLIENTS:
                scope.aliases[name] = "module:" + callee.split(".")[0]
            if callee.split(".")[-1] == "createWriteStream":
                self.streams[var] = self.keys_of(self.args(value)[:1])
        if value.type == "await_expression" and value.named_children:
            inner = self.unwrap(value.named_children[0])
            spec = self._require_spec(inner) if inner.type == "call_expression" else None
            if spec is not None:
                self._import_binding(var, name, spec, "*", inner)
        if value.type == "member_expression":
            obj = self.unwrap(value.child_by_field_name("object") or value)
            prop = value.child_by_field_name("property")
            spec = self._require_spec(obj) if obj.type == "call_expression" else None
            if spec is not None and prop is not None:
                self._import_binding(var, name, spec, self.name(prop), obj)
        if self._function_ctor_kind(value) is not None:
            scope.aliases[name] = "Function"
        elif value.type == "identifier" and self.name(value) == "eval":
            scope.aliases[name] = "eval"
        elif value.type == "identifier":
            alias = self.alias_of(self.name(value))
            if alias is not None:
                scope.aliases[name] = alias

    def _note_bound_at(self, name: str, target: tree_sitter.Node, value: tree_sitter.Node) -> None:
        """Remember where `name` (and each `name.key` of an object literal) was bound, for URL steps."""
        self.note_bound_at(name, target)
        if value.type != "object":
            return
        for pair in value.named_children[:100]:
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            if key is not None and key.type in ("property_identifier", "string"):
                self.note_bound_at(name + "." + self.name(key).strip("'\""), pair)

    def _url_name(self, args: list[tree_sitter.Node]) -> str | None:
        """`u` or `config.url` when a request's URL argument is a plain name or a name's property."""
        first = self.unwrap(args[0]) if args else None
        if first is not None and first.type == "identifier":
            return self.name(first)
        if first is not None and first.type == "member_expression":
            obj = self.unwrap(first.child_by_field_name("object") or first)
            prop = first.child_by_field_name("property")
            if obj.type == "identifier" and prop is not None and prop.type == "property_identifier":
                return f"{self.name(obj)}.{self.name(prop)}"
        return None

    def _import_binding(self, var: int, name: str, spec: str, member: str, at: tree_sitter.Node) -> None:
        self.summary.local_specs.append(spec)
        if spec.startswith("."):
            self.summary.imports.append(Import(var, spec, member, self.loc(at)[0]))
        else:
            module = _module_name(spec)
            whole = member in ("*", "default") or member == module.rsplit("/", 1)[-1]  # {ethers} = require('ethers')
            self.scopes[-1].aliases[name] = "module:" + (module if whole else f"{module}#{member}")

    def _destructure_import(self, pattern: tree_sitter.Node, spec: str) -> None:
        for child in pattern.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                name = self.name(child)
                self._import_binding(self.declare(name), name, spec, name, child)
            elif child.type == "pair_pattern":
                key = child.child_by_field_name("key")
                value = child.child_by_field_name("value")
                if key is not None and value is not None and value.type == "identifier":
                    name = self.name(value)
                    self._import_binding(self.declare(name), name, spec, self.name(key), child)

    def _assignment(self, node: tree_sitter.Node) -> Values:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return NOTHING
        return self.assign(self.unwrap(left), right, declare=False, const=False)

    def _assign_member(self, target: tree_sitter.Node, value: tree_sitter.Node) -> Values:
        dotted = self.dotted(target)
        prop_node = target.child_by_field_name("property")
        prop = (
            self.name(prop_node)
            if prop_node is not None
            else (self.const_str(target.child_by_field_name("index")) or "")
        )
        ref = self.fnref(value) if value.type in (*FUNCTION_TYPES, "identifier") else None
        values = NOTHING if value.type in FUNCTION_TYPES else self.ev(value)
        holder = self.new()
        if isinstance(ref, int):
            self.summary.aliases[holder] = ref
        self.flow(values, holder)
        if dotted == "module.exports":
            self.summary.exports["default"] = holder
            if value.type == "object":
                self.summary.aliases[holder] = next(iter(values)) if len(values) == 1 else holder
            return values
        if dotted.startswith(("module.exports.", "exports.")) and dotted.count(".") == (
            2 if dotted.startswith("m") else 1
        ):
            self.summary.exports[prop] = holder
            return values
        target_obj = target.child_by_field_name("object")
        if target_obj is not None and target_obj.type == "this" and prop:
            field = self.this_field(prop)
            self.flow(values, field)
            if isinstance(ref, int):
                self.summary.aliases.setdefault(field, holder)
            return values
        obj_values = self.ev(target_obj)
        obj = self.temp(obj_values) if obj_values else None
        if obj is not None:
            self.flow(values, obj)
            if prop and isinstance(ref, int):
                self.summary.fields[(obj, prop)] = holder
            if prop.startswith("on") and ref is not None:
                # `ws.onmessage = (event) => ...`: the handler receives what the object delivers.
                line, column = self.loc(target)
                self.summary.calls.append(Call(None, dotted or prop, (), (ref,), obj, self.new(), line, column))
        return values

    def _augmented(self, node: tree_sitter.Node) -> Values:
        left = node.child_by_field_name("left")
        values = self.ev(node.child_by_field_name("right"))
        if left is not None:
            target = self.unwrap(left)
            if target.type == "identifier":
                var = self.lookup(self.name(target))
                self.flow(values, var)
                return frozenset({var})
            self.flow(values, self.temp(self.ev(target)) if self.ev(target) else self.new())
        return values

    def _object(self, node: tree_sitter.Node) -> Values:
        obj = self.new()
        for child in node.named_children:
            if child.type == "pair":
                key_node = child.child_by_field_name("key")
                value = child.child_by_field_name("value")
                if key_node is None or value is None:
                    continue
                key = self.const_str(key_node) if key_node.type == "string" else self.name(key_node)
                value = self.unwrap(value)
                if value.type in FUNCTION_TYPES:
                    self.summary.fields[(obj, key or "")] = self.function_value(value, key or "")
                    continue
                self.flow(self.ev(value), obj)
                if value.type == "identifier" and key:
                    self.summary.fields[(obj, key)] = self.lookup(self.name(value))
            elif child.type == "shorthand_property_identifier":
                var = self.lookup(self.name(child))
                self.flow((var,), obj)
                self.summary.fields[(obj, self.name(child))] = var
            elif child.type == "method_definition":
                name_node = child.child_by_field_name("name")
                name = self.name(name_node) if name_node is not None else ""
                self.summary.fields[(obj, name)] = self.function_value(child, name)
            else:
                self.flow(self.ev(child), obj)
        return frozenset({obj})

    def _try(self, node: tree_sitter.Node) -> Values:
        first_call = len(self.summary.calls)
        first_source = len(self.summary.sources)
        self.ev(node.child_by_field_name("body"))
        handler = node.child_by_field_name("handler")
        if handler is not None:
            # The error of anything awaited in the try block (an HTTP error carries the response).
            thrown = {c.result for c in self.summary.calls[first_call:]}
            thrown |= {s.node for s in self.summary.sources[first_source:] if s.label == "remote"}
            param = handler.child_by_field_name("parameter")
            if param is not None:
                self.bind_pattern(param, frozenset(thrown), declare=True)
            self.ev(handler.child_by_field_name("body"))
        self.ev(node.child_by_field_name("finalizer"))
        return NOTHING

    def _for_in(self, node: tree_sitter.Node) -> Values:
        values = self.ev(node.child_by_field_name("right"))
        left = node.child_by_field_name("left")
        if left is not None:
            self.bind_pattern(left, values, declare=True)
        self.ev(node.child_by_field_name("body"))
        return NOTHING

    # -- modules -------------------------------------------------------------------------

    def _import(self, node: tree_sitter.Node) -> Values:
        source = node.child_by_field_name("source")
        spec = self.const_str(source) if source is not None else None
        if spec is None:
            return NOTHING
        self.summary.local_specs.append(spec)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    name = self.name(part)
                    self._import_binding(self.declare(name), name, spec, "default", part)
                elif part.type == "namespace_import":
                    for ident in part.named_children:
                        name = self.name(ident)
                        self._import_binding(self.declare(name), name, spec, "*", part)
                elif part.type == "named_imports":
                    for specifier in part.named_children:
                        imported = specifier.child_by_field_name("name")
                        alias = specifier.child_by_field_name("alias") or imported
                        if imported is None or alias is None:
                            continue
                        name = self.name(alias)
                        self._import_binding(self.declare(name), name, spec, self.name(imported), specifier)
        return NOTHING

    def _export(self, node: tree_sitter.Node) -> Values:
        declaration = node.child_by_field_name("declaration")
        value = node.child_by_field_name("value")
        source = node.child_by_field_name("source")
        is_default = any(c.type == "default" for c in node.children)
        if declaration is not None:
            self.ev(declaration)
            names: list[tuple[str, tree_sitter.Node]] = []
            name_node = declaration.child_by_field_name("name")
            if name_node is not None:
                names.append((self.name(name_node), name_node))
            for declarator in declaration.named_children:
                if declarator.type == "variable_declarator":
                    target = declarator.child_by_field_name("name")
                    if target is not None and target.type == "identifier":
                        names.append((self.name(target), target))
            for name, _ in names:
                self.summary.exports["default" if is_default else name] = self.lookup(name)
            return NOTHING
        if value is not None:
            ref = self.fnref(value)
            holder = self.new()
            if isinstance(ref, int):
                self.summary.aliases[holder] = ref
            if self.unwrap(value).type not in FUNCTION_TYPES:
                self.flow(self.ev(value), holder)
            self.summary.exports["default"] = holder
            return NOTHING
        spec = self.const_str(source) if source is not None else None
        if spec is not None:
            self.summary.local_specs.append(spec)
        for clause in node.named_children:
            if clause.type != "export_clause":
                continue
            for specifier in clause.named_children:
                local = specifier.child_by_field_name("name")
                alias = specifier.child_by_field_name("alias") or local
                if local is None or alias is None:
                    continue
                if spec is not None:
                    var = self.new()
                    if spec.startswith("."):
                        self.summary.imports.append(Import(var, spec, self.name(local), self.loc(specifier)[0]))
                    self.summary.exports[self.name(alias)] = var
                else:
                    self.summary.exports[self.name(alias)] = self.lookup(self.name(local))
        if spec is not None and not any(c.type == "export_clause" for c in node.named_children):
            self.summary.reexports.append(spec)
        return NOTHING

    # -- calls ---------------------------------------------------------------------------

    def _function_ctor_kind(self, node: tree_sitter.Node | None) -> str | None:
        """Does the expression evaluate to Function (or AsyncFunction / GeneratorFunction)?"""
        for _ in range(8):
            if node is None:
                return None
            node = self.unwrap(node)
            if node.type == "identifier":
                name = self.name(node)
                return "Function" if name == "Function" or self.alias_of(name) == "Function" else None
            if node.type in ("member_expression", "subscript_expression"):
                prop = node.child_by_field_name("property")
                key = self.name(prop) if prop is not None else self.const_str(node.child_by_field_name("index"))
                if key != "constructor":
                    return None
                obj = self.unwrap(node.child_by_field_name("object") or node)
                if obj.type in FUNCTION_TYPES:
                    return "Function"
                if obj.type in ("member_expression", "subscript_expression"):
                    inner_prop = obj.child_by_field_name("property")
                    inner = (
                        self.name(inner_prop)
                        if inner_prop is not None
                        else self.const_str(obj.child_by_field_name("index"))
                    )
                    if inner == "constructor":
                        return "Function"
                if obj.type == "call_expression":
                    callee = self.dotted(obj.child_by_field_name("function") or obj)
                    if callee in ("Object.getPrototypeOf", "Reflect.getPrototypeOf"):
                        return "Function"
                node = obj
                continue
            return None
        return None

    def _eval_kind(self, callee: tree_sitter.Node) -> bool:
        callee = self.unwrap(callee)
        if callee.type == "identifier":
            name = self.name(callee)
            return name == "eval" or self.alias_of(name) == "eval"
        if callee.type in ("member_expression", "subscript_expression"):
            obj = self.unwrap(callee.child_by_field_name("object") or callee)
            prop = callee.child_by_field_name("property")
            key = self.name(prop) if prop is not None else self.const_str(callee.child_by_field_name("index"))
            return key == "eval" and (obj.type == "this" or self.name(obj) in GLOBAL_OBJECTS)
        return False

    def _call(self, node: tree_sitter.Node) -> Values:
        is_new = node.type == "new_expression"
        callee = node.child_by_field_name("constructor" if is_new else "function")
        if callee is None:
            return NOTHING
        args = self.args(node)
        bare_args = [self.unwrap(a) for a in args]
        arg_values = [NOTHING if b.type in FUNCTION_TYPES else self.ev(a) for a, b in zip(args, bare_args, strict=True)]
        name = self.dotted(callee)
        line, column = self.loc(node)
        result = self.new()
        unwrapped = self.unwrap(callee)
        if unwrapped.type in ("member_expression", "subscript_expression"):
            callee_values = self.ev(unwrapped.child_by_field_name("object"))
        elif unwrapped.type in ("call_expression", "new_expression"):
            callee_values = self.ev(unwrapped)  # curried: createHandler(code)(require)
        else:
            callee_values = NOTHING

        spec = None if is_new else self._require_spec(node)
        if spec is not None:
            self.summary.local_specs.append(spec)
            if spec.startswith("."):
                self.summary.imports.append(Import(result, spec, "*", line))
                self.require_sites.append((self.keys_of(args), node))
            return frozenset({result})

        # Sinks. A method is a code sink only through a property named `constructor` or `eval`:
        # every other method call (nearly all of them) skips both tests.
        if unwrapped.type == "member_expression":
            prop = unwrapped.child_by_field_name("property")
            may_run_code = prop is not None and self.name(prop) in ("constructor", "eval")
        else:
            may_run_code = True
        ctor = self._function_ctor_kind(callee) if may_run_code else None
        if ctor is not None:
            kind = ("new " if is_new else "") + self.text(unwrapped, 60)
            self.add_sink(kind, "code", arg_values, self._constant(args, arg_values), node)
        elif may_run_code and self._eval_kind(callee):
            self.add_sink(self.text(callee, 40), "code", arg_values[:1], self._constant(args, arg_values), node)
        else:
            self._library_sink(name, is_new, node, args, arg_values, callee)

        # Callbacks given `eval`/`Function` directly: `.then(eval)` (a sink only with a receiver).
        for arg in args if callee_values else ():
            if arg.type not in ("identifier", "member_expression") or name == "Reflect.apply":
                continue
            is_sink = (arg.type == "identifier" and self.name(arg) == "eval") or self._function_ctor_kind(arg)
            if is_sink and callee_values:
                self.add_sink(f"{self.name(arg)} as a callback", "code", [callee_values], False, arg)

        # Sources.
        receiver: int | None = None
        source = self._source_note(name, is_new, unwrapped)
        if source is None and self._literal_url_request(unwrapped, args):
            source = f"{self._call_label(name, unwrapped)}(...) response"
        if source is not None:
            hosts = self._hosts_of_call(args)
            receiver = self.add_source("remote", source, node, hosts, self.url_steps(self._url_name(args)))
            self.flow((receiver,), result)
        elif name in DECODERS or (name.endswith(".toString") and "Buffer.from" in self.text(callee, 200)):
            self.flow((self.add_source("decode", f"decoded by {name}", node),), result)
        elif callee_values:
            receiver = self.temp(callee_values)
            if unwrapped.type == "member_expression" and name.rpartition(".")[2] in MUTATORS | {""}:
                prop = unwrapped.child_by_field_name("property")
                if prop is not None and self.name(prop) in MUTATORS:
                    for values in arg_values:
                        self.flow(values, receiver)
        self._file_effects(name, node, args, arg_values, result, unwrapped)

        fns = [self.fnref(a) if b.type in FNREF_TYPES else None for a, b in zip(args, bare_args, strict=True)]
        if is_new and name == "Promise" and fns and isinstance(fns[0], int):
            executor = self.summary.functions.get(self.summary.fn_bindings.get(fns[0], -1))
            if executor is not None:
                self.flow(executor.params[:2], result)

        # A call of a parameter: a callback. Its arguments flow into whatever function is passed.
        if unwrapped.type == "identifier":
            var = self.lookup(self.name(unwrapped))
            fn_index = self.param_of.get(var)
            if fn_index is not None:
                self.summary.param_calls.append(
                    ParamCall(fn_index[0], fn_index[1], tuple(self.temp(v) if v else self.new() for v in arg_values))
                )
                for values in arg_values:
                    self.flow(values, var)

        arg_nodes = [self.temp(values) if values else self.new() for values in arg_values]
        callee_ref = None if source is not None else self.fnref(callee)
        self.summary.calls.append(
            Call(
                callee_ref,
                self._call_label(name, unwrapped),
                tuple(arg_nodes),
                tuple(fns),
                receiver,
                result,
                line,
                column,
            )
        )
        return frozenset({result})

    def _constant(self, args: list[tree_sitter.Node], arg_values: list[Values]) -> bool:
        """Every argument that carries a value is a literal (asked only once a call is a sink)."""
        return all(not v or self.const_str(a) is not None for a, v in zip(args, arg_values, strict=False))

    def _literal_url_request(self, callee: tree_sitter.Node, args: list[tree_sitter.Node]) -> bool:
        """`client.get('https://...')` on any object: an HTTP verb given a literal web URL."""
        prop = callee.child_by_field_name("property") if callee.type == "member_expression" else None
        if prop is None or self.name(prop) not in HTTP_VERBS or not args:
            return False
        url = self.const_str(args[0])
        return url is not None and url.lower().startswith(("http://", "https://"))

    def _call_label(self, name: str, callee: tree_sitter.Node) -> str:
        if name:
            return name
        prop = callee.child_by_field_name("property") if callee.type == "member_expression" else None
        return f".{self.name(prop)}" if prop is not None else self.text(callee, 40)

    def _source_note(self, name: str, is_new: bool, callee: tree_sitter.Node) -> str | None:
        if not name:
            return None
        parts = name.split(".")
        if is_new:
            if name in SOURCE_CONSTRUCTORS or parts[-1] in ("Contract", "JsonRpcProvider", "WebSocketProvider"):
                return f"new {name}(...) (network data)"
            return None
        if name in SOURCE_CALLS:
            network = parts[0] in ("net", "tls", "io", "socket.io-client") or "Provider" in name
            return f"{name}(...) " + ("(network data)" if network else "response")
        if len(parts) >= 2 and parts[0] in HTTP_CLIENTS and parts[-1] in HTTP_VERBS:
            return f"{name}(...) response"
        return None

    def _hosts_of_call(self, args: list[tree_sitter.Node]) -> tuple[str, ...]:
        if not args:
            return ()
        first = self.unwrap(args[0])
        hosts = hosts_in(self.const_str(first))
        if hosts:
            return hosts
        if first.type == "object":
            for pair in first.named_children:
                key = pair.child_by_field_name("key")
                if pair.type == "pair" and key is not None and self.name(key).strip("'\"") in ("url", "baseURL"):
                    return hosts_in(self.const_str(pair.child_by_field_name("value")))
                if pair.type == "pair" and key is not None and self.name(key).strip("'\"") in ("hostname", "host"):
                    host = self.const_str(pair.child_by_field_name("value"))
                    return (host.lower(),) if host else ()
        return ()

    def _library_sink(
        self,
        name: str,
        is_new: bool,
        node: tree_sitter.Node,
        args: list[tree_sitter.Node],
        arg_values: list[Values],
        callee: tree_sitter.Node,
    ) -> None:
        parts = name.split(".") if name else [self.text(callee, 40)]
        last = parts[-1]
        module = ".".join(parts[:-1])
        if (module == "vm" and last in VM_FUNCTIONS) or (is_new and name in ("vm.Script", "vm.SourceTextModule")):
            self.add_sink(
                ("new " if is_new else "") + name, "code", arg_values[:1], self._constant(args, arg_values), node
            )
        elif (module in ("child_process", "shelljs", "execa") and last in (*SHELL_FUNCTIONS, "command", "execa")) or (
            name in ("execa", "execa.execa", "execa.execaCommand")
        ):
            self.add_sink(name, "shell", arg_values, self._constant(args, arg_values), node, self.keys_of(args))
        elif last == "_compile" and len(parts) >= 2:
            self.add_sink(name, "code", arg_values[:1], self._constant(args, arg_values), node)
        elif (
            callee.type == "import"
            or name == "require"
            or name.endswith("createRequire")
            or (
                callee.type == "call_expression"
                and self.dotted(callee.child_by_field_name("function") or callee).endswith("createRequire")
            )
        ):
            self.add_sink(
                "dynamic import" if callee.type == "import" else "require",
                "module",
                arg_values[:1],
                True,
                node,
                self.keys_of(args),
            )
        elif (
            name == "Reflect.apply"
            and len(args) >= 3
            and (self._eval_kind(args[0]) or self._function_ctor_kind(args[0]) is not None)
        ):
            constant = self._constant(args, arg_values)
            self.add_sink(f"Reflect.apply({self.text(args[0], 30)})", "code", arg_values[2:3], constant, node)
        elif name in ("setTimeout", "setInterval", "setImmediate") and args:
            first = self.unwrap(args[0])
            if first.type not in FUNCTION_TYPES:
                self.add_sink(name + " with a string", "timer", arg_values[:1], self._constant(args, arg_values), node)

    def _file_effects(
        self,
        name: str,
        node: tree_sitter.Node,
        args: list[tree_sitter.Node],
        arg_values: list[Values],
        result: int,
        callee: tree_sitter.Node,
    ) -> None:
        parts = name.split(".")
        module = ".".join(parts[:-1])
        last = parts[-1]
        fs_like = module in FS_MODULES or module.startswith("fs") or module in ("fsp", "fsPromises")
        if fs_like and last in FS_WRITES and len(args) >= 2:
            data = self.new()
            for values in arg_values[1:2]:
                self.flow(values, data)
            self.file_flow(self.keys_of(args[:1]), data, write=True)
        elif fs_like and last in FS_READS and args:
            self.file_flow(self.keys_of(args[:1]), result, write=False)
        elif last == "createWriteStream" and args:
            self.streams[result] = self.keys_of(args[:1])
        elif last in ("pipe", "write", "end") and callee.type == "member_expression":
            obj = self.unwrap(callee.child_by_field_name("object") or callee)
            if last == "pipe" and args:
                dest = self.unwrap(args[0])
                keys: tuple[str, ...] = ()
                if dest.type == "call_expression" and self.dotted(
                    dest.child_by_field_name("function") or dest
                ).endswith("createWriteStream"):
                    keys = self.keys_of(self.args(dest)[:1])
                elif dest.type == "identifier":
                    keys = self.streams.get(self.lookup(self.name(dest)), ())
                if keys:
                    self.file_flow(keys, self.temp(self.ev(obj)) if self.ev(obj) else self.new(), write=True)
            elif obj.type == "identifier" and args:
                keys = self.streams.get(self.lookup(self.name(obj)), ())
                if keys and arg_values and arg_values[0]:
                    self.file_flow(keys, self.temp(arg_values[0]), write=True)


def build_javascript(language: str, root: tree_sitter.Node, source: bytes) -> FileSummary:
    return JavaScriptBuilder(language, source).build(root)
