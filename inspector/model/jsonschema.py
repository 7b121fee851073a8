"""The JSON Schema of ``inspector.report/1``, derived from the dataclasses (pure, no I/O).

inspector/model/report.schema.json is this function's output, committed as the published contract;
a test keeps the two equal, so the model and the document cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from typing import Any

from inspector.model.report import SCHEMA_ID, Finding, Report


def report_schema() -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    root = _object_schema(Report, definitions)
    root["properties"]["schema"] = {"const": SCHEMA_ID}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://inspector.invalid/schemas/report.schema.json",
        "title": "inspector report (inspector.report/1)",
        **root,
        "$defs": dict(sorted(definitions.items())),
    }


def _object_schema(cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        properties[f.name] = _type_schema(hints[f.name], definitions)
        required.append(f.name)  # to_dict always writes every field
    if cls is Finding:
        properties["engine"] = {"type": "string", "description": "engines joined with '+'"}
        required.append("engine")
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if cls.__doc__:
        schema["description"] = " ".join(cls.__doc__.split())
    return schema


def _type_schema(tp: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_type_schema(arg, definitions) for arg in typing.get_args(tp)]}
    if origin is tuple:
        return {"type": "array", "items": _type_schema(typing.get_args(tp)[0], definitions)}
    if tp is type(None):
        return {"type": "null"}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [member.value for member in tp]}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if tp.__name__ not in definitions:
            definitions[tp.__name__] = {}  # placeholder breaks recursion
            definitions[tp.__name__] = _object_schema(tp, definitions)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if tp in simple:
        return {"type": simple[tp]}
    raise TypeError(f"no JSON schema for {tp!r}")
