"""Credential stores and sends (inspector/static/data/credential_stores.toml): every entry fires on
its case and not on its look-alike; a finding needs a send and stores of two kinds (or a wallet,
or the OS's secret decryption)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from inspector.model import Category, Severity
from inspector.static.text import check_bytes
from inspector.static.text.common import Deadline
from inspector.static.text.credential_theft import RULE, check_credential_theft, markers_in, table

CASES = tomllib.loads((Path(__file__).parent / "credential_cases.toml").read_text(encoding="utf-8"))
NAMES = [m.name for m in table().markers]


def test_every_entry_has_a_case_and_every_case_an_entry() -> None:
    assert sorted(CASES) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_entry_fires_on_its_case(name: str) -> None:
    assert name in {m.name for m in markers_in(CASES[name]["fires"])}


@pytest.mark.parametrize("name", NAMES)
def test_entry_is_quiet_on_its_look_alike(name: str) -> None:
    assert name not in {m.name for m in markers_in(CASES[name]["quiet"])}


def _check(text: str) -> list[str]:
    return [f.rule for f in check_credential_theft("app.py", text, Deadline(5.0))]


STEALER = "\n".join(
    [
        CASES["chromium-local-state"]["fires"],
        CASES["os-secret-decryption"]["fires"],
        CASES["discord-webhook"]["fires"],
    ]
)


def test_stores_and_a_send_are_an_exfiltration_finding() -> None:
    (finding,) = check_bytes("grabber.py", STEALER.encode()).findings
    assert finding.rule == RULE and finding.category is Category.EXFILTRATION
    assert finding.severity is Severity.HIGH and finding.line == 1
    assert "chromium-local-state" in finding.message and "discord-webhook" in finding.message


@pytest.mark.parametrize(
    "stores",
    [["wallet-extension-settings"], ["os-secret-decryption"], ["ssh-keys", "cloud-credentials"]],
    ids=["a-wallet", "os-decryption", "two-families"],
)
def test_enough_stores_with_a_send(stores: list[str]) -> None:
    assert _check("\n".join([*(CASES[s]["fires"] for s in stores), CASES["http-post"]["fires"]])) == [RULE]


@pytest.mark.parametrize(
    "lines",
    [
        ["chromium-user-data", "chromium-local-state", "http-post"],  # one family (browser automation)
        ["chromium-local-state", "os-secret-decryption", "discord-token-store"],  # no send (a cookie importer)
        ["http-post", "discord-webhook"],  # sends only
    ],
    ids=["one-family-and-a-send", "stores-without-a-send", "sends-only"],
)
def test_half_a_stealer_is_no_finding(lines: list[str]) -> None:
    assert _check("\n".join(CASES[name]["fires"] for name in lines)) == []


def test_non_code_files_are_not_read_for_it() -> None:
    assert RULE not in {f.rule for f in check_bytes("notes.md", STEALER.encode()).findings}


@pytest.mark.parametrize(
    "text",
    [
        "path.join(roaming, 'discord', 'Local Storage', 'leveldb')",
        'os.path.join(appdata, "discord", "Local Storage", "leveldb")',
        "roaming + '/discord/Local Storage/leveldb'",
        'roaming + "\\\\discord\\\\Local Storage\\\\leveldb"',
    ],
    ids=["js-join", "py-join", "posix", "windows"],
)
def test_a_path_matches_however_it_is_joined(text: str) -> None:
    assert "discord-token-store" in {m.name for m in markers_in(text)}
