"""Credential theft: code that names the places secrets are kept and also sends data out.

A stealer is a list of paths (browser profiles, wallet extensions, Discord's token store,
Telegram's session, SSH keys, cloud credentials) and a way out (a Discord webhook, a Telegram
bot, an HTTP POST). Either half alone is ordinary: browser automation names profile folders,
every client posts. Both in one file, with stores of two kinds, or a wallet, or the OS's own
secret decryption (DPAPI, the keychain), is the shape of the families on PyPI and npm. The
stores and the sends are data (inspector/static/data/credential_stores.toml).

This reads the text, not the flow: it cannot prove that what was read is what is sent, so the
finding says what it saw and where; the sandbox run shows whether anything left.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from inspector.model import Category, Finding, Severity
from inspector.static.text.common import Deadline, line_starts, make_finding, position

RULE = "exfiltration.credential-stores-sent"
# One family and a send is not enough, except for these: a wallet, the OS's secret store or the
# whole environment serialized is never read by ordinary code that also posts.
_ENOUGH_ALONE = frozenset({"wallet", "decrypt", "environment"})
_MAX_TEXT = 4 << 20  # the stores and the sends of a stealer sit in its first megabytes
# What `{sep}` in a pattern stands for: slashes or backslashes (doubled in string literals), or
# the end of one string argument and the start of the next (os.path.join, path.join).
_SEPARATOR = r"""(?:[\\/]+|['"`]\s*,\s*['"`])"""


@dataclass(frozen=True)
class Marker:
    kind: str  # "store" | "send"
    name: str
    family: str  # stores: browser, wallet, messenger, ssh, cloud, registry, decrypt; sends: ""
    why: str


@dataclass(frozen=True)
class _Table:
    markers: tuple[Marker, ...]
    pattern: re.Pattern[str]  # one alternation, one named group per marker


@functools.cache
def table() -> _Table:
    text = resources.files("inspector.static").joinpath("data/credential_stores.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    markers: list[Marker] = []
    groups: list[str] = []
    for kind in ("store", "send"):
        for entry in raw[kind]:
            markers.append(Marker(kind, entry["name"], entry.get("family", ""), entry["why"]))
            groups.append(f"(?P<m{len(groups)}>{entry['pattern'].replace('{sep}', _SEPARATOR)})")
    return _Table(tuple(markers), re.compile("|".join(groups)))


def markers_in(text: str, deadline: Deadline | None = None) -> dict[Marker, int]:
    """Each marker found in ``text`` and the offset of its first occurrence."""
    found: dict[Marker, int] = {}
    tab = table()
    for match in tab.pattern.finditer(text, 0, _MAX_TEXT):
        assert match.lastgroup is not None
        marker = tab.markers[int(match.lastgroup[1:])]
        found.setdefault(marker, match.start())
        if len(found) == len(tab.markers) or (deadline is not None and deadline.expired()):
            break
    return found


def check_credential_theft(path: str, text: str, deadline: Deadline) -> list[Finding]:
    found = markers_in(text, deadline)
    stores = {m: at for m, at in found.items() if m.kind == "store"}
    sends = [m for m in found if m.kind == "send"]
    families = {m.family for m in stores}
    if not sends or not (len(families) >= 2 or families & _ENOUGH_ALONE):
        return []
    first = min(stores.values())
    line, column = position(line_starts(text), first)
    named = ", ".join(sorted(m.name for m in stores))
    message = (
        f"names credential stores ({named}) and sends data out ({', '.join(sorted(m.name for m in sends))}) "
        "in the same file: the shape of a browser, wallet and token stealer"
    )
    evidence = text[first : first + 120]
    return [make_finding(RULE, Severity.HIGH, Category.EXFILTRATION, path, line, column, message, evidence)]


__all__ = ["RULE", "Marker", "check_credential_theft", "markers_in", "table"]
