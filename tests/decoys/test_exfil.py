from __future__ import annotations

import base64
import gzip
import io
import json
import random
import tarfile
import zipfile
import zlib
from urllib.parse import quote

import brotli
import pytest
import zstandard

from inspector.model.report import Category, PhaseName, Severity
from inspector.sandbox.exfil import MAX_DECODED_BYTES, OutboundMessage, find_exfiltration


def message(body=b"", *, host="c2.invalid", port=1224, path="/uploads", headers=(), protocol="http"):
    return OutboundMessage(
        host=host,
        port=port,
        protocol=protocol,
        method="POST" if protocol.startswith("http") else "",
        path=path,
        headers=tuple(headers),
        body=body,
        phase=PhaseName.START,
        time="2025-01-01T00:00:00+00:00",
    )


def secret_of(decoys, kind):
    return next(value for k, value in decoys.secrets() if k == kind)


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


def test_raw_secret_in_body_is_critical_exfiltration(planted):
    _, decoys = planted
    key_id = secret_of(decoys, "aws-credentials")
    finding = only(find_exfiltration(decoys, [message(f"k={key_id}".encode())]))
    assert finding.severity is Severity.CRITICAL and finding.category is Category.EXFILTRATION
    assert "aws-credentials" in finding.message and "c2.invalid:1224" in finding.message
    assert finding.hosts == ("c2.invalid",) and "during start" in finding.message


@pytest.mark.parametrize("offset", [0, 1, 2])
@pytest.mark.parametrize("urlsafe", [False, True])
def test_base64_at_every_alignment(planted, offset, urlsafe):
    home, decoys = planted
    # The whole credentials file with a prefix shifts the key to each byte alignment.
    data = b"x" * offset + (home / ".aws/credentials").read_bytes()
    encoded = base64.urlsafe_b64encode(data) if urlsafe else base64.b64encode(data)
    finding = only(find_exfiltration(decoys, [message(b'{"f":"' + encoded[:-4] + b'"}')]))
    assert "aws-credentials" in finding.message


def test_hex_url_and_json_encodings(planted):
    home, decoys = planted
    token = secret_of(decoys, "github-cli-token")
    hexed = find_exfiltration(decoys, [message(token.encode().hex().upper().encode())])
    assert "as hex" in only(hexed).message
    pem = (home / ".ssh/id_ed25519").read_text()
    query = find_exfiltration(decoys, [message(path="/k?d=" + quote(pem, safe=""))])
    assert "ssh-private-key" in only(query).message
    as_json = json.dumps({"files": [{"name": "id", "content": pem}]}).encode()
    assert "ssh-private-key" in only(find_exfiltration(decoys, [message(as_json)])).message
    escaped_slashes = json.dumps(pem).replace("/", "\\/").encode()[:-5]  # cut: not valid JSON any more
    assert "json-escaped" in only(find_exfiltration(decoys, [message(escaped_slashes)])).message


def test_compressed_bodies(planted):
    home, decoys = planted
    data = (home / ".config/solana/id.json").read_bytes()
    bodies = {
        "gzip": gzip.compress(data),
        "deflate": zlib.compress(data),
        "zstd": zstandard.ZstdCompressor().compress(data),
    }
    for label, body in bodies.items():
        finding = only(find_exfiltration(decoys, [message(body)]))
        assert f"body > {label}" in finding.message and "solana-keypair" in finding.message
    br = message(brotli.compress(data), headers=[("Content-Encoding", "br")])
    assert "body > brotli" in only(find_exfiltration(decoys, [br])).message


def beavertail_upload(home):
    """The multipart shape BeaverTail posts to :1224/uploads (research notes 4.5)."""
    boundary = "----formdata-undici-0123456789"
    wallet = next((home / ".config/google-chrome/Default/Local Extension Settings").iterdir())
    parts = [
        ("type", None, b"5"),
        ("hid", None, b"103_dev-laptop"),
        ("uts", None, b"1700000000"),
        ("multi_file", f"103_0_{wallet.name}_000003.log", (wallet / "000003.log").read_bytes()),
        ("multi_file", "solana_id.txt", (home / ".config/solana/id.json").read_bytes()),
    ]
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_multipart_upload(planted):
    home, decoys = planted
    body, content_type = beavertail_upload(home)
    findings = find_exfiltration(decoys, [message(body, headers=[("content-type", content_type)])])
    kinds = sorted(f.message.split(" ")[1] for f in findings)
    assert kinds == ["browser-wallet-extension", "solana-keypair"]
    assert all(f.severity is Severity.CRITICAL for f in findings)


def test_zip_tar_and_base64_of_archives(planted):
    home, decoys = planted
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(home / ".config/google-chrome/Default/Login Data", "brld_0")
        archive.write(home / ".config/Exodus/exodus.wallet/storage.seco", "exodus/storage.seco")
    zipped = buffer.getvalue()
    kinds = {f.message.split(" ")[1] for f in find_exfiltration(decoys, [message(zipped)])}
    assert kinds == {"browser-login-data", "exodus-wallet"}
    wrapped = json.dumps({"data": base64.b64encode(zipped).decode()}).encode()
    findings = find_exfiltration(decoys, [message(wrapped)])
    assert {f.message.split(" ")[1] for f in findings} == kinds
    assert any("json > base64-decoded > zip member 'brld_0'" in f.message for f in findings)
    # A gzipped text file inside a tar.gz: only the member's own view holds the secret.
    member = gzip.compress(next(home.glob("projects/*/.env")).read_bytes())
    info = tarfile.TarInfo("env.gz")
    info.size = len(member)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.addfile(info, io.BytesIO(member))
    finding = only(find_exfiltration(decoys, [message(buffer.getvalue())]))
    assert "body > gzip > tar member 'env.gz' > gzip as raw" in finding.message


def test_headers_dns_labels_and_environment(planted):
    _, decoys = planted
    npm_token = decoys.environment_dict()["NPM_TOKEN"]
    header = message(headers=[("X-Trace", base64.b64encode(npm_token.encode()).decode())])
    assert "header X-Trace" in only(find_exfiltration(decoys, [header])).message
    env_dump = json.dumps({"HOME": "/home/dev", "NPM_TOKEN": npm_token}).encode()
    assert "environment variable NPM_TOKEN" in only(find_exfiltration(decoys, [message(env_dump)])).message
    phone = secret_of(decoys, "browser-web-data")
    labels = phone.encode().hex()
    dns = message(host=f"{labels[:30]}.{labels[30:]}.t.c2.invalid", port=53, path="", protocol="dns")
    assert "browser-web-data" in only(find_exfiltration(decoys, [dns])).message


def test_credential_presented_to_its_own_service_is_use_not_theft(planted):
    _, decoys = planted
    key_id = secret_of(decoys, "aws-credentials")
    auth = [("Authorization", f"AWS4-HMAC-SHA256 Credential={key_id}/20250101/us-east-1/sts/aws4_request")]
    own = only(find_exfiltration(decoys, [message(host="sts.amazonaws.com", port=443, headers=auth)]))
    assert own.rule == "decoy-credential-presented" and own.severity is Severity.MEDIUM
    elsewhere = only(find_exfiltration(decoys, [message(host="amazonaws.com.c2.invalid", headers=auth)]))
    assert elsewhere.severity is Severity.CRITICAL
    in_body = only(find_exfiltration(decoys, [message(key_id.encode(), host="sts.amazonaws.com")]))
    assert in_body.severity is Severity.CRITICAL


def test_one_finding_per_decoy_and_destination(planted):
    home, decoys = planted
    pem = (home / ".ssh/id_ed25519").read_bytes()
    repeated = [message(pem), message(base64.b64encode(pem)), message(pem, port=1244)]
    findings = find_exfiltration(decoys, repeated)
    assert len(findings) == 2
    assert len({f.id for f in findings}) == 2


def test_negatives(planted):
    home, decoys = planted
    rng = random.Random(3)
    ordinary = json.dumps({"user": "dev", "os": "linux", "pkg": {"name": "app", "version": "1.0.0"}}).encode()
    lookalike_key = "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    token = secret_of(decoys, "github-cli-token")
    one_char_changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    messages = [
        message(ordinary),
        message(lookalike_key.encode()),
        message(one_char_changed.encode()),
        message(token[:11].encode()),  # a prefix is not the secret
        message(rng.randbytes(4096)),
        message((home / ".bashrc").read_bytes()),
        message(b"PK\x03\x04not really a zip"),
        message(b"\x1f\x8bnot gzip"),
        message(b"--x\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--x--"),
        message(b"[" * 100_000 + b"]" * 100_000),
        message(b"QUJD" * 5000),
    ]
    assert find_exfiltration(decoys, messages) == ()


def test_decompression_bombs_stop_at_the_limit(planted):
    _, decoys = planted
    zeros = b"\0" * (MAX_DECODED_BYTES + 4 * 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a", zeros)
        archive.writestr("b", zeros)
    bombs = [
        message(gzip.compress(zeros)),
        message(buffer.getvalue()),
        message(brotli.compress(zeros, quality=1), headers=[("content-encoding", "br")]),
    ]
    assert find_exfiltration(decoys, bombs) == ()


def test_from_recorder_event():
    http = OutboundMessage.from_recorder_event(
        {
            "time": 1700000000.5,
            "phase": "install",
            "event": "http",
            "host": "api.c2.invalid",
            "ip": "198.18.0.10",
            "port": 443,
            "scheme": "https",
            "method": "POST",
            "path": "/api/log?x=1",
            "headers": [["Host", "api.c2.invalid"], ["Content-Type", "application/json"]],
            "request_body": {"artifact": "00001-request.bin"},
        },
        b"{}",
    )
    assert (http.host, http.port, http.protocol, http.method, http.path) == (
        "api.c2.invalid",
        443,
        "https",
        "POST",
        "/api/log?x=1",
    )
    assert http.headers[1] == ("Content-Type", "application/json")
    assert http.phase is PhaseName.INSTALL and http.time.startswith("2023-11-14T22:13:20")
    tcp = OutboundMessage.from_recorder_event(
        {"event": "tcp", "ip": "198.18.0.11", "port": 1224, "first_bytes": "GET /pdown\r\n\xff"}
    )
    assert tcp.host == "198.18.0.11" and tcp.protocol == "tcp" and tcp.body == b"GET /pdown\r\n\xff"
    dns = OutboundMessage.from_recorder_event({"event": "dns", "name": "abc.c2.invalid", "type": "TXT"})
    assert dns.host == "abc.c2.invalid" and dns.protocol == "dns" and dns.port is None
    junk = OutboundMessage.from_recorder_event({"port": "443", "headers": "x", "phase": "nope", "time": None})
    assert (junk.host, junk.port, junk.headers, junk.phase, junk.time) == ("", None, (), None, "")
