"""Builds the data-flow graph of one Python file (same model as the JavaScript builder)."""

from __future__ import annotations

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

_CATALOG = catalog("python")
HTTP_VERBS = _CATALOG.list("http_verbs")
SOURCE_CALLS = _CATALOG.names("network_source", "call")
HTTP_MODULES = _CATALOG.names("network_source", "client")
CODE_SINKS = _CATALOG.names("execution_sink", "call", family="code")
MODULE_SINKS = _CATALOG.names("execution_sink", "call", family="module")
DESERIALIZE_SINKS = _CATALOG.names("execution_sink", "call", family="deserialize")
SHELL_SINKS = _CATALOG.names("execution_sink", "call", family="shell")
DECODERS = _CATALOG.names("decoder", "call")
ENV_READS = _CATALOG.names("environment_source", "call")
FUNCTION_TYPES = frozenset({"function_definition", "lambda"})


class PythonBuilder(GraphBuilder):
    def build(self, root: tree_sitter.Node) -> FileSummary:
        self.summary.has_error = root.has_error
        self.ret_stack: list[int] = [self.new()]
        self.handlers: dict[str, Callable[[tree_sitter.Node], Values]] = {
            "identifier": self._identifier,
            "attribute": self._attribute,
            "subscript": self._subscript,
            "call": self._call,
            "assignment": self._assignment,
            "augmented_assignment": self._augmented,
            "function_definition": self._function_statement,
            "lambda": self._lambda,
            "return_statement": self._return,
            "with_statement": self._with,
            "for_statement": self._for,
            "for_in_clause": self._for,
            "try_statement": self._try,
            "import_statement": self._import,
            "import_from_statement": self._import_from,
            "keyword_argument": self._keyword,
            "binary_operator": self._binary,
            "string": self._string,
            "integer": self._nothing,
            "float": self._nothing,
            "true": self._nothing,
            "false": self._nothing,
            "none": self._nothing,
            "comment": self._nothing,
            "type": self._nothing,
            "global_statement": self._nothing,
            "nonlocal_statement": self._nothing,
            "future_import_statement": self._nothing,
        }
        for child in hot_statements(
            self.source,
            root.named_children,
            python=True,
            names_of=self.defined_names,
            is_declaration=self.is_declaration,
        ):
            self.ev(child)
        # Every module-level name is importable from another module.
        for name, node in self.module.names.items():
            self.summary.exports.setdefault(name, node)
        return self.summary

    def is_declaration(self, statement: tree_sitter.Node) -> bool:
        return statement.type == "expression_statement"

    def defined_names(self, statement: tree_sitter.Node) -> list[str]:
        """Names a top-level statement defines that other statements may use (for the gate)."""
        node = statement.child_by_field_name("definition") or statement
        if node.type in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            return [self.name(name)] if name is not None else []
        if node.type == "import_from_statement":
            return [
                self.name(n.child_by_field_name("alias") or n.child_by_field_name("name") or n)
                for n in node.children_by_field_name("name")
            ]
        if node.type == "expression_statement" and node.named_children:
            expr = node.named_children[0]
            left = expr.child_by_field_name("left") if expr.type == "assignment" else None
            if left is not None and left.type == "identifier":
                return [self.name(left)]
        return []

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
        return frozenset({self.lookup(self.name(node))})

    def _attribute(self, node: tree_sitter.Node) -> Values:
        obj = node.child_by_field_name("object")
        attr = node.child_by_field_name("attribute")
        if obj is not None and attr is not None and obj.type == "identifier" and self.name(obj) == "self":
            # `self.x` anywhere in the file is one node: set in one method, used in another.
            return frozenset({self.declare("self." + self.name(attr), self.module)})
        if self.dotted(node) == "os.environ":
            return frozenset({self.add_source("env", "os.environ", node)})
        return self.ev(node.child_by_field_name("object"))

    def _subscript(self, node: tree_sitter.Node) -> Values:
        for child in node.children_by_field_name("subscript"):
            self.ev(child)
        return self.ev(node.child_by_field_name("value"))

    def _keyword(self, node: tree_sitter.Node) -> Values:
        return self.ev(node.child_by_field_name("value"))

    def _string(self, node: tree_sitter.Node) -> Values:
        values: set[int] = set()
        for child in node.named_children:
            if child.type == "interpolation":
                values |= self.ev(child.child_by_field_name("expression"))
        return frozenset(values)

    def _binary(self, node: tree_sitter.Node) -> Values:
        values: set[int] = set()
        current: tree_sitter.Node | None = node
        while current is not None and current.type == "binary_operator":
            values |= self.ev(current.child_by_field_name("right"))
            current = current.child_by_field_name("left")
        values |= self.ev(current)
        return frozenset(values)

    # -- names ---------------------------------------------------------------------------

    def dotted(self, node: tree_sitter.Node) -> str:
        parts: list[str] = []
        current = node
        for _ in range(12):
            if current.type == "attribute":
                attr = current.child_by_field_name("attribute")
                parts.append(self.name(attr) if attr is not None else "")
                current = current.child_by_field_name("object") or current
            elif current.type == "parenthesized_expression" and current.named_children:
                current = current.named_children[0]
            else:
                break
        if current.type != "identifier":
            return ""
        name = self.name(current)
        alias = self.alias_of(name)
        base = alias.removeprefix("module:").replace("#", ".") if alias and alias.startswith("module:") else name
        return ".".join([base, *reversed(parts)])

    def const_str(self, node: tree_sitter.Node | None) -> str | None:
        if node is None:
            return None
        if node.type == "string":
            if any(c.type == "interpolation" for c in node.named_children):
                return None
            return "".join(
                self.source[c.start_byte : c.end_byte].decode("utf-8", "replace")
                for c in node.named_children
                if c.type == "string_content"
            )
        if node.type == "concatenated_string":
            parts = [self.const_str(c) for c in node.named_children]
            return None if any(p is None for p in parts) else "".join(p or "" for p in parts)
        if node.type == "identifier":
            return self.const_of(self.name(node))
        if node.type == "binary_operator":
            left = self.const_str(node.child_by_field_name("left"))
            right = self.const_str(node.child_by_field_name("right"))
            return None if left is None or right is None else left + right
        return None

    def keys_of(self, nodes: list[tree_sitter.Node]) -> tuple[str, ...]:
        strings: list[str] = []
        names: list[str] = []
        stack = list(nodes)
        seen = 0
        while stack and seen < 200:
            node = stack.pop()
            seen += 1
            if node.type == "string_content":
                strings.extend(self.source[node.start_byte : node.end_byte].decode("utf-8", "replace").split())
            elif node.type == "identifier":
                name = self.name(node)
                names.append(name)
                const = self.const_of(name)
                if const is not None:
                    strings.append(const)
            elif node.type != "keyword_argument":
                stack.extend(node.named_children)
        return path_keys(strings, names)

    # -- functions -----------------------------------------------------------------------

    def function_value(self, node: tree_sitter.Node, name: str = "") -> int:
        if not name:
            name_node = node.child_by_field_name("name")
            name = self.name(name_node) if name_node is not None else "lambda"
        fn, scope = self.begin_function(name, node)
        ret = self.new()
        params: list[tuple[str, int]] = []
        parameters = node.child_by_field_name("parameters")
        for param in parameters.named_children if parameters is not None else ():
            ident = (
                param
                if param.type == "identifier"
                else (
                    param.child_by_field_name("name")
                    or next((c for c in param.named_children if c.type == "identifier"), None)
                )
            )
            if param.type in ("default_parameter", "typed_default_parameter"):
                self.ev(param.child_by_field_name("value"))
            if ident is None or ident.type != "identifier":
                continue
            param_node = self.new()
            self.param_of[param_node] = (fn, len(params))
            scope.names[self.name(ident)] = param_node
            params.append((self.name(ident), param_node))
        self.ret_stack.append(ret)
        body = node.child_by_field_name("body")
        if node.type == "lambda":
            self.flow(self.ev(body), ret)
        elif body is not None:
            for statement in body.named_children:
                self.ev(statement)
        self.ret_stack.pop()
        self.end_function(fn, name, params, ret, node)
        bound = self.new()
        self.summary.fn_bindings[bound] = fn
        return bound

    def _function_statement(self, node: tree_sitter.Node) -> Values:
        name_node = node.child_by_field_name("name")
        name = self.name(name_node) if name_node is not None else "function"
        var = self.declare(name)
        self.summary.aliases[var] = self.function_value(node, name)
        return NOTHING

    def _lambda(self, node: tree_sitter.Node) -> Values:
        self.function_value(node)
        return NOTHING

    def _return(self, node: tree_sitter.Node) -> Values:
        values: set[int] = set()
        for child in node.named_children:
            values |= self.ev(child)
        self.flow(values, self.ret_stack[-1])
        return NOTHING

    def fnref(self, node: tree_sitter.Node | None) -> FnRef | None:
        if node is None:
            return None
        if node.type in FUNCTION_TYPES:
            return self.function_value(node)
        if node.type == "identifier":
            return self.lookup(self.name(node))
        if node.type == "attribute":
            obj = node.child_by_field_name("object")
            attr = node.child_by_field_name("attribute")
            if obj is not None and obj.type == "identifier" and attr is not None:
                return Member(self.lookup(self.name(obj)), self.name(attr))
        return None

    # -- binding -------------------------------------------------------------------------

    def bind(self, target: tree_sitter.Node, values: Values, *, local: bool = True) -> list[int]:
        bound: list[int] = []
        stack = [target]
        while stack:
            node = stack.pop()
            if node.type == "identifier":
                name = self.name(node)
                var = self.declare(name) if local else self.lookup(name)
                self.flow(values, var)
                bound.append(var)
            elif node.type in (
                "pattern_list",
                "tuple_pattern",
                "list_pattern",
                "as_pattern_target",
                "list_splat_pattern",
                "parenthesized_expression",
                "expression_list",
                "tuple",
            ):
                stack.extend(node.named_children)
            elif node.type == "attribute" and self.name(node.child_by_field_name("object") or node) == "self":
                self.flow(values, next(iter(self.ev(node))))
            elif node.type in ("attribute", "subscript"):
                obj = node.child_by_field_name("object") or node.child_by_field_name("value")
                obj_values = self.ev(obj)
                if obj_values:
                    self.flow(values, self.temp(obj_values))
        return bound

    def _assignment(self, node: tree_sitter.Node) -> Values:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return NOTHING
        if left.type == "identifier" and right.type == "lambda":
            var = self.declare(self.name(left))
            self.summary.aliases[var] = self.function_value(right, self.name(left))
            return NOTHING
        values = self.ev(right)
        bound = self.bind(left, values)
        if left.type == "identifier" and bound:
            name = self.name(left)
            self.note_bound_at(name, left)
            const = self.const_str(right)
            if const is not None:
                self.scopes[-1].consts[name] = const
            if right.type == "identifier":
                self.summary.aliases.setdefault(bound[0], self.lookup(self.name(right)))
            stream = self._stream_keys(values)
            if stream:
                self.streams[bound[0]] = stream
        return values

    def _augmented(self, node: tree_sitter.Node) -> Values:
        values = self.ev(node.child_by_field_name("right"))
        left = node.child_by_field_name("left")
        if left is not None:
            self.bind(left, values, local=False)
        return values

    def _stream_keys(self, values: Values) -> tuple[str, ...]:
        for node in values:
            if node in self.streams:
                return self.streams[node]
        return ()

    def _with(self, node: tree_sitter.Node) -> Values:
        for clause in node.named_children:
            if clause.type != "with_clause":
                continue
            for item in clause.named_children:
                value = item.child_by_field_name("value")
                if value is None:
                    continue
                if value.type == "as_pattern":
                    expr = value.named_children[0] if value.named_children else None
                    alias = value.child_by_field_name("alias")
                    values = self.ev(expr)
                    if alias is not None:
                        bound = self.bind(alias, values)
                        stream = self._stream_keys(values)
                        for var in bound:
                            if stream:
                                self.streams[var] = stream
                else:
                    self.ev(value)
        self.ev(node.child_by_field_name("body"))
        return NOTHING

    def _for(self, node: tree_sitter.Node) -> Values:
        values = self.ev(node.child_by_field_name("right"))
        left = node.child_by_field_name("left")
        if left is not None:
            self.bind(left, values, local=node.type == "for_statement")
        self.ev(node.child_by_field_name("body"))
        self.ev(node.child_by_field_name("alternative"))
        return NOTHING

    def _try(self, node: tree_sitter.Node) -> Values:
        first_call = len(self.summary.calls)
        first_source = len(self.summary.sources)
        self.ev(node.child_by_field_name("body"))
        thrown = {c.result for c in self.summary.calls[first_call:]}
        thrown |= {s.node for s in self.summary.sources[first_source:] if s.label == "remote"}
        for clause in node.named_children:
            if clause.type == "except_clause":
                for part in clause.named_children:
                    if part.type == "as_pattern":
                        alias = part.child_by_field_name("alias")
                        if alias is not None:
                            self.bind(alias, frozenset(thrown))
                    elif part.type == "block":
                        self.ev(part)
            elif clause.type != "block":
                self.ev(clause)
        return NOTHING

    # -- imports -------------------------------------------------------------------------

    def _import(self, node: tree_sitter.Node) -> Values:
        for name_node in node.named_children:
            if name_node.type == "aliased_import":
                dotted = self.text(name_node.child_by_field_name("name") or name_node, 200)
                local = self.name(name_node.child_by_field_name("alias") or name_node)
                module = dotted
            else:
                dotted = self.text(name_node, 200)
                local = dotted.split(".")[0]
                module = local
            var = self.declare(local)
            self.scopes[-1].aliases[local] = "module:" + module
            self.summary.local_specs.append(dotted)
            self.summary.imports.append(Import(var, module, "*", self.loc(node)[0]))
        return NOTHING

    def _import_from(self, node: tree_sitter.Node) -> Values:
        module_node = node.child_by_field_name("module_name")
        if module_node is None:
            return NOTHING
        module = self.text(module_node, 200).replace(" ", "")
        self.summary.local_specs.append(module)
        for name_node in node.children_by_field_name("name"):
            if name_node.type == "aliased_import":
                imported = self.text(name_node.child_by_field_name("name") or name_node, 200)
                local = self.name(name_node.child_by_field_name("alias") or name_node)
            else:
                imported = self.text(name_node, 200)
                local = imported
            var = self.declare(local)
            self.scopes[-1].aliases[local] = f"module:{module}#{imported}"
            self.summary.imports.append(Import(var, module, imported, self.loc(node)[0]))
        return NOTHING

    # -- calls ---------------------------------------------------------------------------

    def _call(self, node: tree_sitter.Node) -> Values:
        callee = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if callee is None:
            return NOTHING
        raw_args = [a for a in (arguments.named_children if arguments is not None else ()) if a.type != "comment"]
        if arguments is not None and arguments.type == "generator_expression":
            raw_args = [arguments]
        positional = [a for a in raw_args if a.type not in ("keyword_argument", "dictionary_splat")]
        keywords = {
            self.name(a.child_by_field_name("name") or a): a.child_by_field_name("value")
            for a in raw_args
            if a.type == "keyword_argument"
        }
        arg_values = [NOTHING if a.type in FUNCTION_TYPES else self.ev(a) for a in positional]
        keyword_values = [self.ev(v) for v in keywords.values() if v is not None]
        name = self.dotted(callee)
        line, column = self.loc(node)
        result = self.new()
        callee_values = (
            self.ev(callee.child_by_field_name("object"))
            if callee.type == "attribute"
            else (self.ev(callee) if callee.type == "call" else NOTHING)
        )
        constant = all(not v or self.const_str(a) is not None for a, v in zip(positional, arg_values, strict=False))
        constant = constant and not any(keyword_values)

        self._sink(name, node, positional, arg_values, keyword_values, keywords, constant)

        receiver: int | None = None
        source = self._source_note(name)
        if source is None and callee.type == "attribute" and positional:
            attr = self.name(callee.child_by_field_name("attribute") or callee)
            url = self.const_str(positional[0])
            if attr in HTTP_VERBS and url is not None and url.lower().startswith(("http://", "https://")):
                source = f"{name or '.' + attr}(...) response"
        if source is not None:
            hosts = hosts_in(self.const_str(positional[0])) if positional else ()
            if not hosts and "url" in keywords:
                hosts = hosts_in(self.const_str(keywords["url"]))
            url_arg = positional[0] if positional else keywords.get("url")
            url_name = self.name(url_arg) if url_arg is not None and url_arg.type == "identifier" else None
            receiver = self.add_source("remote", source, node, hosts, self.url_steps(url_name))
            self.flow((receiver,), result)
            if name.endswith("urlretrieve") and len(positional) >= 2:
                self.file_flow(self.keys_of(positional[1:2]), receiver, write=True)
        elif name in DECODERS:
            self.flow((self.add_source("decode", f"decoded by {name}", node),), result)
        elif name in ENV_READS:
            self.flow((self.add_source("env", f"environment variable read by {name}", node),), result)
        elif callee_values:
            receiver = self.temp(callee_values)
        self._file_effects(name, callee, positional, arg_values, result, receiver)

        fns = [self.fnref(a) if a.type in (*FUNCTION_TYPES, "identifier", "attribute") else None for a in positional]
        if callee.type == "identifier":
            var = self.lookup(self.name(callee))
            fn_index = self.param_of.get(var)
            if fn_index is not None:
                self.summary.param_calls.append(
                    ParamCall(fn_index[0], fn_index[1], tuple(self.temp(v) if v else self.new() for v in arg_values))
                )
                for values in arg_values:
                    self.flow(values, var)
        arg_nodes = [self.temp(v) if v else self.new() for v in arg_values]
        for values in keyword_values:
            self.flow(values, result)
        callee_ref = None if source is not None else self.fnref(callee)
        self.summary.calls.append(
            Call(
                callee_ref, name or self.text(callee, 40), tuple(arg_nodes), tuple(fns), receiver, result, line, column
            )
        )
        return frozenset({result})

    def _source_note(self, name: str) -> str | None:
        if not name:
            return None
        module, _, last = name.rpartition(".")
        if name in SOURCE_CALLS:
            return f"{name}(...) " + ("(network data)" if last[:1].isupper() or "socket" in name else "response")
        if module in HTTP_MODULES and last in HTTP_VERBS:
            return f"{name}(...) response"
        return None

    def _sink(
        self,
        name: str,
        node: tree_sitter.Node,
        positional: list[tree_sitter.Node],
        arg_values: list[Values],
        keyword_values: list[Values],
        keywords: dict[str, tree_sitter.Node | None],
        constant: bool,
    ) -> None:
        if name in CODE_SINKS and not self._shadowed(name):
            self.add_sink(name, "code", arg_values[:1], constant, node)
        elif name in MODULE_SINKS:
            self.add_sink(name, "module", arg_values[:1], True, node, self.keys_of(positional[:1]))
        elif name in DESERIALIZE_SINKS and not self._round_trip(name, positional[:1]):
            self.add_sink(name, "deserialize", arg_values[:1], constant, node)
        elif name in SHELL_SINKS:
            self.add_sink(name, "shell", [*arg_values, *keyword_values], constant, node, self.keys_of(positional))

    def _round_trip(self, name: str, first: list[tree_sitter.Node]) -> bool:
        """`pickle.loads(pickle.dumps(x))`: a local copy of an object the code already holds, made
        in one expression. Whatever ``x`` came from, no bytes from outside are deserialized."""
        if not first or first[0].type != "call":
            return False
        inner = first[0].child_by_field_name("function")
        module, _, loader = name.rpartition(".")
        return inner is not None and self.dotted(inner) == f"{module}.{loader.replace('load', 'dump')}"

    def _shadowed(self, name: str) -> bool:
        """`exec` redefined in the file (a method or helper of the same name) is not the builtin."""
        if "." in name:
            return False
        for scope in self.scopes:
            node = scope.names.get(name)
            if node is not None and node in self.summary.aliases:
                return True
        return False

    def _file_effects(
        self,
        name: str,
        callee: tree_sitter.Node,
        positional: list[tree_sitter.Node],
        arg_values: list[Values],
        result: int,
        receiver: int | None,
    ) -> None:
        last = (
            name.rpartition(".")[2]
            if name
            else (self.name(callee.child_by_field_name("attribute") or callee) if callee.type == "attribute" else "")
        )
        if name in ("open", "io.open", "codecs.open") and positional:
            keys = self.keys_of(positional[:1])
            self.streams[result] = keys
            self.file_flow(keys, result, write=False)
        elif last in ("write", "writelines") and receiver is not None and receiver in self.streams and arg_values:
            self.file_flow(
                self.streams[receiver], self.temp(arg_values[0]) if arg_values[0] else self.new(), write=True
            )
        elif last in ("write_bytes", "write_text") and callee.type == "attribute" and arg_values:
            keys = self.keys_of([callee.child_by_field_name("object") or callee])
            self.file_flow(keys, self.temp(arg_values[0]) if arg_values[0] else self.new(), write=True)
        elif last in ("read_bytes", "read_text") and callee.type == "attribute":
            self.file_flow(self.keys_of([callee.child_by_field_name("object") or callee]), result, write=False)
        elif name == "shutil.copyfileobj" and len(positional) >= 2 and arg_values[0]:
            for node in arg_values[1]:
                if node in self.streams:
                    self.file_flow(self.streams[node], self.temp(arg_values[0]), write=True)


def build_python(root: tree_sitter.Node, source: bytes) -> FileSummary:
    return PythonBuilder("python", source).build(root)
