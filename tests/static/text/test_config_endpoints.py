"""Endpoints in configuration files, including base64/hex-hidden ones, and host classes."""

from __future__ import annotations

import base64

from inspector.model import Category, Severity
from inspector.static.hosts import classify, registrable_domain
from inspector.static.text import check_bytes
from inspector.static.text.common import Deadline
from inspector.static.text.config_endpoints import check_config_endpoints


def hosts(endpoints) -> dict[str, object]:
    return {e.host: e for e in endpoints}


def test_literal_urls_ips_and_host_keys_in_config() -> None:
    text = "\n".join(
        [
            '{"api": "https://api.npoint.io/0123abcd", "c2": "203.0.113.132:1244",',
            ' "apiHost": "made-up-id-0000.vercel.app", "version": "1.2.3.4"}',
        ]
    )
    endpoints, findings = check_config_endpoints("config/default.json", text, Deadline(5))
    found = hosts(endpoints)
    assert set(found) == {"api.npoint.io", "203.0.113.132", "made-up-id-0000.vercel.app"}
    assert found["api.npoint.io"].classification == "json-hosting"
    assert found["203.0.113.132"].ports == (1244,)
    assert found["203.0.113.132"].classification == "raw-ip"
    assert all(f.severity == Severity.LOW for f in findings)


def test_base64_and_hex_values_that_decode_to_urls_are_hidden_endpoints() -> None:
    b64 = base64.b64encode(b"https://ip-core-api-one.vercel.test/api").decode()
    hexed = b"https://cfg.test/x".hex()
    text = f"server:\n  authApi: {b64}\n  backup: '{hexed}'\n"
    endpoints, findings = check_config_endpoints("deploy.yaml", text, Deadline(5))
    found = hosts(endpoints)
    assert found["ip-core-api-one.vercel.test"].sources[0].how == "base64 in config value authApi"
    assert found["cfg.test"].sources[0].how == "hex in config value backup"
    assert {f.rule for f in findings} == {"endpoint.encoded-in-config"}
    assert all(f.category == Category.ENDPOINT and f.severity == Severity.MEDIUM for f in findings)


def test_header_values_in_fixture_recordings_are_inventoried_without_a_finding() -> None:
    cassette = (
        "interactions:\n- request:\n    uri: https://api.github.com/users/x\n  response:\n    headers:\n"
        "      X-Real-IP: 198.51.100.220\n      cf-connecting-ip: 203.0.113.132\n"
    )
    endpoints, findings = check_config_endpoints("tests/cassettes/github.yaml", cassette, Deadline(5))
    found = hosts(endpoints)
    assert found["198.51.100.220"].sources[0].how == "IP literal, recorded data in a test fixture"
    assert found["203.0.113.132"].classification == "raw-ip"
    assert findings == []


def test_the_same_values_outside_fixtures_or_under_config_keys_still_count() -> None:
    headers = "proxy:\n  x-real-ip: 198.51.100.220\n"
    _, outside = check_config_endpoints("config/proxy.yaml", headers, Deadline(5))
    assert [f.hosts for f in outside] == [("198.51.100.220",)]
    mixed = '{"api": "http://203.0.113.132:1224/keys", "headers": {"x-client-ip": "198.51.100.220"}}'
    _, in_fixture = check_config_endpoints("test/fixtures/app.json", mixed, Deadline(5))
    assert [f.hosts for f in in_fixture] == [("203.0.113.132",)]
    recorded_url = '{"response": {"next": "http://203.0.113.132:1224/keys"}, "api": "http://203.0.113.132:1224"}'
    _, both = check_config_endpoints("test/fixtures/mixed.json", recorded_url, Deadline(5))
    assert [f.hosts for f in both] == [("203.0.113.132",)]  # also named outside the recording


def test_lockfile_keeps_only_hosts_that_are_not_registries() -> None:
    text = (
        '{"resolved": "https://registry.npmjs.org/x/-/x-1.0.0.tgz", "integrity": "sha512-AAAA"}\n'
        '{"resolved": "https://tarballs.test/evil-1.0.0.tgz"}\n'
    )
    endpoints, _ = check_config_endpoints("package-lock.json", text, Deadline(5))
    assert set(hosts(endpoints)) == {"tarballs.test"}


def test_code_files_only_yield_encoded_urls_and_markdown_none() -> None:
    b64 = base64.b64encode(b"https://hidden.test/p").decode()
    facts = check_bytes("settings.py", f'PLAIN = "https://plain.test"\nAPI = "{b64}"\n'.encode())
    assert set(hosts(facts.endpoints)) == {"hidden.test"}
    assert check_bytes("README.md", b"See https://docs.test/page").endpoints == ()


def test_host_classes() -> None:
    assert classify("api.npoint.io") == "json-hosting"
    assert classify("abc.trycloudflare.com") == "tunnel"
    assert classify("x.tiiny.site") == "free-app-hosting"
    assert classify("198.51.100.220", (8086,)) == "raw-ip"
    assert classify("c2.test", (1224,)) == "unusual-port"
    assert classify("registry.npmjs.org") == "package-registry"
    assert classify("bsc-dataseed.binance.org") == "well-known-api"
    assert classify("www.w3.org") == "documentation"
    assert classify("127.0.0.1") == "local"
    assert classify("LOCALHOST.") == "local"
    assert classify("evil.test") == "unknown"
    assert registrable_domain("a.b.vercel.app") == "vercel.app"
