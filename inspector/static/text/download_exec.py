"""Download-and-execute command lines: ``curl ... | sh``, ``wget -O- | bash``, ``iwr | iex``,
``powershell -enc``, ``bash -c "$(curl ...)"``.

Found in any text file; the severity depends on where: a README line is a suggestion to the
reader, a script or Makefile is a program, and an auto-run surface (a folderOpen task, a
lifecycle script, a git hook) makes it CRITICAL - that step is done by the auto-run stage.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlsplit

from inspector.model import Category, Finding, Severity
from inspector.static.hosts import classify
from inspector.static.text.common import (
    MAX_HITS_PER_RULE,
    MAX_LINE_CHARS,
    Deadline,
    is_doc_file,
    line_starts,
    make_finding,
    name_of,
    position,
)
from inspector.textsafe import terminal_safe

_FETCHER = r"(?:curl|wget|fetch|Invoke-WebRequest|iwr|Invoke-RestMethod|irm|http|aria2c)"
_SHELLS = (
    r"(?:sudo\s+(?:-\S+\s+)*)?(?:/usr/bin/env\s+)?(?:/bin/|/usr/bin/)?(?:ba|z|k|da|fi)?sh"
    r"|cmd|node|python[0-9.]*|perl|ruby|iex|Invoke-Expression|pwsh|powershell"
)
_PATTERNS = (
    ("pipe-to-shell", re.compile(rf"\b{_FETCHER}\b[^|\n]{{0,400}}\|\s*(?:{_SHELLS})\b", re.I)),
    ("shell-of-download", re.compile(rf"\b(?:ba|z)?sh\s+(?:-\w+\s+)*(?:-c\s+)?[\"']?\$\(\s*{_FETCHER}\b", re.I)),
    ("process-substitution", re.compile(rf"\b(?:ba|z)?sh\s+<\(\s*{_FETCHER}\b", re.I)),
    (
        "iex-download",
        re.compile(
            r"\b(?:iex|Invoke-Expression)\b\s*\(?\s*(?:\(?\s*New-Object\s+(?:System\.)?Net\.WebClient\)?"
            r"\.DownloadString|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)",
            re.I,
        ),
    ),
    ("webclient-download", re.compile(r"DownloadString\s*\(.{0,300}\)\s*\|\s*(?:iex|Invoke-Expression)", re.I)),
    (
        "powershell-encoded",
        re.compile(
            r"\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]{0,200}\s-e(?:nc|ncodedcommand|c)?\s+[A-Za-z0-9+/=]{20,}", re.I
        ),
    ),
    (
        "download-chmod-run",
        re.compile(
            rf"\b{_FETCHER}\b[^\n;&|]{{0,300}}(?:-o|-O|>)\s*(\S+)[^\n]{{0,200}}chmod\s+\+?[0-7x+]+\s+\S+[^\n]{{0,100}}(?:&&|;)\s*\.?/",
            re.I,
        ),
    ),
)
_URL = re.compile(r"https?://[^\s\"'`|)<>]+", re.I)
_QUIET_CLASSES = frozenset({"software-distribution", "package-registry", "well-known-api", "documentation", "local"})


def hosts_in(text: str) -> tuple[str, ...]:
    hosts: list[str] = []
    for url in _URL.findall(text):
        try:
            host = urlsplit(url).hostname
        except ValueError:
            continue
        if host and host not in hosts:
            hosts.append(host)
    return tuple(hosts)


def match_download_execute(line: str) -> tuple[str, re.Match[str]] | None:
    for name, pattern in _PATTERNS:
        match = pattern.search(line)
        if match:
            return name, match
    return None


_KEYWORDS = ("curl", "wget", "iwr", "invoke-", "iex", "powershell", "pwsh", "irm ", "downloadstring")


def _keyword_offsets(text: str) -> list[int]:
    """Offsets of the fetcher keywords (str.find on the lower-cased text: far faster than a regex)."""
    lowered = text.lower()
    offsets: list[int] = []
    for keyword in _KEYWORDS:
        position = lowered.find(keyword)
        while position != -1:
            offsets.append(position)
            position = lowered.find(keyword, position + len(keyword))
    return sorted(offsets)


def check_download_execute(path: str, text: str, deadline: Deadline) -> list[Finding]:
    doc = is_doc_file(path) or name_of(path).startswith("readme")
    findings: list[Finding] = []
    starts: list[int] | None = None
    last_line = 0
    for offset in _keyword_offsets(text):
        if deadline.expired():
            break
        starts = starts or line_starts(text)
        line_no, _ = position(starts, offset)
        if line_no == last_line:
            continue
        last_line = line_no
        end = starts[line_no] - 1 if line_no < len(starts) else len(text)
        window = text[starts[line_no - 1] : end][:MAX_LINE_CHARS]
        hit = match_download_execute(window)
        if hit is None:
            continue
        shape, match = hit
        hosts = hosts_in(window)
        known = bool(hosts) and all(classify(h) in _QUIET_CLASSES for h in hosts)
        if known:
            severity = Severity.LOW
        elif doc:
            severity = Severity.MEDIUM
        else:
            severity = Severity.HIGH if shape == "powershell-encoded" or not hosts else Severity.MEDIUM
        finding = replace(
            make_finding(
                f"download-execute.{shape}",
                severity,
                Category.DOWNLOAD_EXECUTE,
                path,
                line_no,
                match.start() + 1,
                ("install instructions download and run a script" if doc else "downloads and runs code")
                + (f" from {', '.join(hosts)}" if hosts else "")
                + f": {terminal_safe(match.group().strip(), limit=100)}",
                match.group().strip(),
            ),
            hosts=hosts,
        )
        findings.append(finding)
        if len(findings) >= MAX_HITS_PER_RULE * 2:
            break
    return findings


__all__ = ["check_download_execute", "hosts_in", "match_download_execute"]
