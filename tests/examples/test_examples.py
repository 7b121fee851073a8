"""Every sample under examples/ gets the verdict, hosts and locations its expected.json names.

The samples are defanged copies of published Contagious-Interview loaders (examples/malicious) and
benign look-alikes (examples/benign). A second group of tests enforces the safety rule on the samples
themselves: no URL, plain or hidden, names a host outside the reserved test TLDs or a short allow-list.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from inspector.model import Finding, StaticResult

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXPECTED_FILES = sorted(EXAMPLES.glob("*/*/expected.json"))
CATEGORIES = {
    "remote-code-execution", "hidden-code", "auto-run", "obfuscation", "download-execute", "endpoint", "exfiltration"
}


@dataclass(frozen=True)
class Expectation:
    verdict: str
    hosts: tuple[str, ...]
    locations: tuple[tuple[str, int, str], ...]  # (path, line, category)
    source: str


def load_expectation(path: Path) -> Expectation:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Expectation(
        verdict=raw["verdict"],
        hosts=tuple(raw["hosts"]),
        locations=tuple((loc["path"], loc["line"], loc["category"]) for loc in raw["locations"]),
        source=raw["source"],
    )


def sample_id(expected: Path) -> str:
    return f"{expected.parent.parent.name}/{expected.parent.name}"


@cache
def scan_sample(root: Path) -> tuple[StaticResult, str]:
    """Scan once per sample (several tests read the same result)."""
    from inspector.correlate.verdict import compute_verdict
    from inspector.static import ScanOptions, scan

    result = scan(root, ScanOptions())
    verdict, _reasons = compute_verdict(result.findings)
    return result, verdict.value


def describe(findings: tuple[Finding, ...]) -> str:
    return "\n".join(f"  {f.category.value:22} {f.severity.value:8} {f.path}:{f.line} {f.rule}" for f in findings)


# ---------------------------------------------------------------------------------------------
# the corpus itself


def test_corpus_is_large_enough() -> None:
    kinds = [p.parent.parent.name for p in EXPECTED_FILES]
    assert kinds.count("malicious") >= 22
    assert kinds.count("benign") >= 17


@pytest.mark.parametrize("expected", EXPECTED_FILES, ids=sample_id)
def test_expected_json_is_well_formed(expected: Path) -> None:
    exp = load_expectation(expected)
    root = expected.parent
    assert exp.verdict in {"malicious", "suspicious", "clean"}
    assert exp.source
    assert (root / "README.md").is_file()
    if root.parent.name == "benign":
        assert exp.verdict != "malicious"
        assert exp.locations == ()
    else:
        assert exp.verdict == "malicious"
        assert exp.locations
    for path, line, category in exp.locations:
        assert category in CATEGORIES
        lines = (root / path).read_text(encoding="utf-8").splitlines()
        assert 1 <= line <= len(lines), f"{path}:{line} is outside the file"


# ---------------------------------------------------------------------------------------------
# the scanner against the corpus


@pytest.mark.parametrize("expected", EXPECTED_FILES, ids=sample_id)
def test_verdict(expected: Path) -> None:
    exp = load_expectation(expected)
    result, verdict = scan_sample(expected.parent)
    assert verdict == exp.verdict, f"findings:\n{describe(result.findings)}"


@pytest.mark.parametrize("expected", EXPECTED_FILES, ids=sample_id)
def test_hosts_are_listed(expected: Path) -> None:
    exp = load_expectation(expected)
    result, _ = scan_sample(expected.parent)
    listed = {endpoint.host for endpoint in result.endpoints}
    missing = [host for host in exp.hosts if host not in listed]
    assert not missing, f"endpoints listed: {sorted(listed)}"


@pytest.mark.parametrize("expected", EXPECTED_FILES, ids=sample_id)
def test_locations_are_found(expected: Path) -> None:
    exp = load_expectation(expected)
    result, _ = scan_sample(expected.parent)
    findings = result.findings

    def found(path: str, line: int, category: str) -> bool:
        for finding in findings:
            if finding.category.value != category:
                continue
            places = {(finding.path, finding.line)} | {(step.path, step.line) for step in finding.trace}
            if (path, line) in places:
                return True
        return False

    missing = [loc for loc in exp.locations if not found(*loc)]
    assert not missing, f"missing {missing}; findings:\n{describe(findings)}"


# ---------------------------------------------------------------------------------------------
# safety: no sample may point at a real host, however the URL is hidden

RESERVED_SUFFIXES = (".test", ".invalid", ".example", ".localhost")
# Real services the samples may name: JSON bins used by both lures and tutorials (with made-up ids),
# a public API for the benign clients, and the SVG namespace. Reports are cited without URLs: a
# citation URL would itself be listed as an endpoint of the sample.
ALLOWED_HOSTS = {"localhost", "127.0.0.1", "api.npoint.io", "jsonkeeper.com", "api.github.com", "www.w3.org"}

URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"`<>()\\]+", re.IGNORECASE)
BASE64_URL = re.compile(r"aHR0c[A-Za-z0-9+/]{8,}={0,2}")  # base64 of "http"
HEX_URL = re.compile(r"68747470[0-9a-fA-F]{8,}")  # hex of "http"
CHAR_CODES = re.compile(r"\d{2,3}(?:\s*,\s*\d{2,3}){7,}")


def urls_in(text: str) -> list[str]:
    """Plain URLs plus the ones hidden the ways the samples hide them."""
    found = URL.findall(text) + URL.findall(text[::-1])
    for token in BASE64_URL.findall(text):
        padded = token + "=" * (-len(token) % 4)
        try:
            found += URL.findall(base64.b64decode(padded).decode("utf-8", "replace"))
        except binascii.Error:
            continue
    for token in HEX_URL.findall(text):
        found += URL.findall(bytes.fromhex(token[: len(token) // 2 * 2]).decode("utf-8", "replace"))
    for run in CHAR_CODES.findall(text):
        decoded = "".join(chr(int(n)) for n in re.findall(r"\d+", run) if int(n) < 0x110000)
        found += urls_in(decoded)
    return found


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return url


HOST_NAME = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:]+\]")


def host_allowed(host: str) -> bool:
    # A template such as `https://${API_HOST}/` has no literal host to check here.
    return not HOST_NAME.fullmatch(host) or host.endswith(RESERVED_SUFFIXES) or host in ALLOWED_HOSTS


def test_url_finder_sees_hidden_urls() -> None:
    """The safety check below is only as good as its decoders: prove each one works."""
    url = "https://decoder-probe.example.com/x"
    hidden = [
        url,
        base64.b64encode(url.encode()).decode(),
        url.encode().hex(),
        url[::-1],
        ", ".join(str(ord(c)) for c in base64.b64encode(url.encode()).decode()),
    ]
    for text in hidden:
        assert "decoder-probe.example.com" in {host_of(u) for u in urls_in(text)}, text


def test_no_sample_names_a_real_host() -> None:
    offending = []
    for path in sorted(p for p in EXAMPLES.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", "replace")
        for url in urls_in(text):
            host = host_of(url)
            if not host_allowed(host):
                offending.append(f"{path.relative_to(EXAMPLES)}: {url}")
    assert not offending, "\n".join(offending)
