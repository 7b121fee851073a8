"""JSON-ready dict <-> report dataclasses. Pure functions: no files, no network.

``to_dict`` writes enums as their values and tuples as lists. ``from_dict`` rebuilds the typed
objects from the type hints, so ``inspector report RUN_DIR`` can re-render a saved report.
Unknown keys are an error rather than silently dropped: a report we cannot read completely is a
report we must not re-render as if it were complete.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from typing import Any, TypeVar

from inspector.model.report import Finding, Report

T = TypeVar("T")

# Derived keys written for readers of the JSON (e.g. ``engine`` beside ``engines``) and
# ignored when reading back.
_DERIVED_KEYS: dict[type, frozenset[str]] = {Finding: frozenset({"engine"})}


class ReportFormatError(ValueError):
    """report.json does not match the inspector.report/1 model."""


def to_dict(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        if isinstance(value, Report):
            out["schema"] = value.schema
        for f in dataclasses.fields(value):
            if isinstance(value, Report) and f.name == "schema":
                continue
            out[f.name] = to_dict(getattr(value, f.name))
        if isinstance(value, Finding):
            out["engine"] = "+".join(e.value for e in value.engines)
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [to_dict(v) for v in value]
    return value


def from_dict(cls: type[T], data: Any) -> T:
    return typing.cast(T, _build(cls, data, cls.__name__))


def _build(tp: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if data is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _build(arg, data, where)
            except ReportFormatError as exc:
                errors.append(str(exc))
        raise ReportFormatError("; ".join(errors) or f"{where}: unexpected null")
    if origin is tuple:
        if not isinstance(data, list):
            raise ReportFormatError(f"{where}: expected a list")
        (item,) = typing.get_args(tp)[:1]
        return tuple(_build(item, v, f"{where}[{i}]") for i, v in enumerate(data))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(data)
        except ValueError:
            raise ReportFormatError(f"{where}: {data!r} is not a {tp.__name__}") from None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise ReportFormatError(f"{where}: expected an object")
        hints = typing.get_type_hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        unknown = set(data) - names - _DERIVED_KEYS.get(tp, frozenset())
        if unknown:
            raise ReportFormatError(f"{where}: unknown keys {sorted(unknown)}")
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in data:
                kwargs[f.name] = _build(hints[f.name], data[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ReportFormatError(f"{where}: missing key {f.name!r}")
        return tp(**kwargs)
    if tp is float and isinstance(data, (int, float)) and not isinstance(data, bool):
        return float(data)
    if tp in (str, int, bool) and type(data) is tp:
        return data
    if tp is Any:
        return data
    raise ReportFormatError(f"{where}: expected {getattr(tp, '__name__', tp)}, got {type(data).__name__}")
