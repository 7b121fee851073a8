from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.model.report import Category, PhaseName, Severity
from inspector.sandbox.trace import (
    MAX_FILE_ACCESSES,
    STRACE_ARGS,
    gvisor_line_time,
    gvisor_to_strace,
    parse_strace,
    read_trace,
    split_gvisor_log,
)

FIXTURES = Path(__file__).parent / "fixtures"
HOME = "/home/dev"
WORKSPACE = "/work/app"


def parse(text, decoys, home=HOME, workspace=WORKSPACE):
    return parse_strace(text, PhaseName.START, decoys, home, workspace)


def decoy_findings(summary):
    return {(f.rule, f.message.split(" ")[1]) for f in summary.findings}


def test_python_stealer_capture(planted):
    _, decoys = planted
    summary = parse((FIXTURES / "strace-stealer-like.txt").read_text(), decoys)
    assert summary.unparsed_lines == 0 and not summary.truncated
    reads = [f for f in summary.findings if f.rule == "honeytoken-read"]
    kinds = sorted(f.message.split(" ")[1] for f in reads)
    # ssh-keygen reading the public key is its own tool; cat reading .npmrc is not.
    assert kinds == [
        "aws-credentials",
        "browser-wallet-extension",
        "browser-wallet-extension",
        "npm-token",
        "solana-keypair",
        "ssh-private-key",
    ]
    assert all(f.severity is Severity.HIGH and f.category is Category.HONEYTOKEN for f in reads)
    aws = next(f for f in reads if "aws-credentials" in f.message)
    assert "/work/app/main.py" in aws.message and aws.evidence.startswith("/home/dev/.aws/credentials")
    npm = next(f for f in reads if "npm-token" in f.message)
    assert npm.message.endswith(": cat /home/dev/.npmrc")
    probe = next(f for f in summary.findings if f.rule == "stealer-path-probe")
    assert probe.severity is Severity.MEDIUM
    assert "/home/dev/.config/opera/Default/Login Data" in probe.evidence
    assert "/home/dev/.mozilla/firefox/profiles.ini" in probe.evidence


def test_python_capture_processes_files_and_connects(planted):
    _, decoys = planted
    summary = parse((FIXTURES / "strace-stealer-like.txt").read_text(), decoys)
    root, cat, keygen = summary.processes
    assert root.ppid is None and root.argv[1] == "/work/app/main.py"
    assert cat.ppid == root.pid and cat.argv == ("cat", "/home/dev/.npmrc")
    assert keygen.ppid == root.pid and keygen.argv[0] == "ssh-keygen"
    paths = {(a.path, a.mode): a for a in summary.file_accesses}
    assert paths[("/home/dev/.cache/x-stage.log", "write")].honeytoken is None
    assert paths[("/home/dev/.aws/credentials", "read")].honeytoken == "aws-credentials"
    # The thread that read the Solana key is attributed to its process.
    assert paths[("/home/dev/.config/solana/id.json", "read")].pid == root.pid
    assert paths[("/home/dev/.ssh/id_ed25519.pub", "read")].honeytoken == "ssh-public-key"
    for path, _ in paths:
        assert not path.startswith(("/usr/", "/lib/", "/etc/ld.so", WORKSPACE + "/", "/proc/"))
        assert path not in ("/dev/null", "/etc/passwd")
    connects = {(c.family, c.address, c.port, c.result) for c in summary.connects}
    assert ("AF_INET", "127.0.0.1", 9, "EINPROGRESS") in connects
    assert ("AF_UNIX", "/var/run/nscd/socket", None, "ENOENT") in connects
    assert len(summary.connects) == 2  # the repeated nscd attempt is one record


def test_node_collector_capture(planted):
    _, decoys = planted
    summary = parse((FIXTURES / "strace-node-collector.txt").read_text(), decoys)
    assert summary.unparsed_lines == 0
    assert [p.pid for p in summary.processes] == [6079]
    reads = [f for f in summary.findings if f.rule == "honeytoken-read"]
    # libuv pool threads did the reads; one finding per wallet folder and process.
    assert len(reads) == 3
    assert sum("Brave" in f.message for f in reads) == 2
    assert any("exodus-wallet" in f.message for f in reads)
    assert {a.pid for a in summary.file_accesses} == {6079}
    assert [(c.address, c.port) for c in summary.connects] == [("127.0.0.1", 1224)]


# Hand-written in strace 6.1 syntax for what the captures do not show: unfinished/resumed opens,
# escapes, truncated argv, [pid N] prefixes, IPv6 and abstract sockets, creat, exit and signal lines.
SYNTHETIC = (FIXTURES / "strace-synthetic.txt").read_text()


def test_unfinished_escaped_and_truncated_lines(planted):
    _, decoys = planted
    summary = parse(SYNTHETIC, decoys)
    assert summary.unparsed_lines == 0
    node = next(p for p in summary.processes if p.pid == 300)
    assert node.argv[2].endswith("...") and node.argv[2].startswith("require('fs')")
    shell = next(p for p in summary.processes if p.pid == 301)
    assert shell.ppid == 300 and shell.argv == ("sh", "-c", "cat ~/.git-credentials")
    rules = sorted((f.rule, f.message.split(" ")[1]) for f in summary.findings)
    assert ("honeytoken-read", "ssh-private-key") in rules
    assert ("honeytoken-read", "ssh-public-key") in rules  # \x2e decoded to "."
    assert ("honeytoken-read", "browser-local-state") in rules
    # A refused open of a decoy still shows intent; it is a finding but not a file access.
    assert ("honeytoken-read", "aws-credentials") in rules
    assert all(a.path != "/home/dev/.aws/credentials" for a in summary.file_accesses)
    paths = {a.path: a.mode for a in summary.file_accesses}
    assert paths['/tmp/ét\\xe9"q\n'] == "write"
    assert paths["/home/dev/.config/autostart/x.desktop"] == "write"
    connects = {(c.family, c.address, c.port, c.result) for c in summary.connects}
    assert ("AF_INET6", "2001:db8::1", 1244, "ENETUNREACH") in connects
    assert ("AF_UNIX", "@/tmp/.X11-unix/X0", None, "ECONNREFUSED") in connects


def test_symlink_target_counts_even_from_the_workspace(planted):
    _, decoys = planted
    line = (
        '7 10:00:00.1 openat(AT_FDCWD</work/app>, "data/cfg", O_RDONLY) = 3</home/dev/.config/solana/id.json>\n'
        '7 10:00:00.2 openat(AT_FDCWD</work/app>, "data/ok.json", O_RDONLY) = 3</work/app/data/ok.json>'
    )
    summary = parse(line, decoys)
    assert [f.message.split(" ")[1] for f in summary.findings] == ["solana-keypair"]
    assert [a.path for a in summary.file_accesses] == ["/home/dev/.config/solana/id.json"]


def test_own_tool_must_be_a_system_binary(planted):
    _, decoys = planted
    genuine = (
        '9 10:00:00.1 execve("/usr/bin/ssh", ["ssh", "bastion"], 0x1 /* 3 vars */) = 0\n'
        '9 10:00:00.2 openat(AT_FDCWD</w>, "/home/dev/.ssh/config", O_RDONLY) = 3</home/dev/.ssh/config>\n'
        '9 10:00:00.3 openat(AT_FDCWD</w>, "/home/dev/.ssh/id_ed25519", O_RDONLY) = 3</home/dev/.ssh/id_ed25519>'
    )
    assert parse(genuine, decoys).findings == ()
    impostor = genuine.replace('"/usr/bin/ssh"', '"/work/app/ssh"')
    assert len(parse(impostor, decoys).findings) == 2
    npm = (
        '5 10:00:00.1 execve("/usr/bin/node", ["node", "/usr/bin/npm", "install"], 0x1 /* 3 vars */) = 0\n'
        '5 10:00:00.2 openat(AT_FDCWD</w>, "/home/dev/.npmrc", O_RDONLY) = 3</home/dev/.npmrc>'
    )
    assert parse(npm, decoys).findings == ()
    assert len(parse(npm.replace("/usr/bin/npm", "./npm"), decoys).findings) == 1


def test_garbage_never_crashes(planted):
    _, decoys = planted
    rng = random.Random(7)
    fixture_lines = (FIXTURES / "strace-stealer-like.txt").read_text().splitlines()
    lines = []
    for _ in range(3000):
        choice = rng.random()
        if choice < 0.4:
            line = rng.choice(fixture_lines)
            lines.append(line[: rng.randint(0, len(line))])
        elif choice < 0.7:
            lines.append("".join(chr(rng.randint(0, 0x2FF)) for _ in range(rng.randint(0, 120))))
        else:
            line = list(rng.choice(fixture_lines))
            for _ in range(5):
                line.insert(rng.randint(0, len(line)), rng.choice('"\\<>(){}[],=/*'))
            lines.append("".join(line))
    summary = parse("\n".join(lines), decoys)
    assert summary.unparsed_lines > 500
    assert summary.lines >= 3000  # the random characters include line breaks


def test_oversized_lines_and_record_caps(planted):
    _, decoys = planted
    long_line = '1 10:00:00.1 execve("/usr/bin/x", ["' + "a" * 300_000 + '"], 0x1) = 0'
    assert parse(long_line, decoys).unparsed_lines == 1
    many = "\n".join(
        f'1 10:00:00.1 openat(AT_FDCWD</w>, "/tmp/f{i}", O_RDONLY) = 3</tmp/f{i}>'
        for i in range(MAX_FILE_ACCESSES + 10)
    )
    summary = parse(many, decoys)
    assert summary.truncated and len(summary.file_accesses) == MAX_FILE_ACCESSES


def test_read_trace_is_bounded(tmp_path):
    log = tmp_path / "trace.log"
    log.write_bytes(b"1 10:00:00.1 +++ exited with 0 +++\n" * 100 + b"\xff\xfe")
    text, cut = read_trace(log, max_bytes=50)
    assert cut and len(text) == 50
    text, cut = read_trace(log)
    assert not cut and text.endswith("\ufffd\ufffd")


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (apt-get install strace)")
def test_live_strace_with_the_recommended_arguments(tmp_path):
    """Our own harmless reader under the exact strace arguments the sandbox uses."""
    from inspector.sandbox.honeytokens import plant_decoys

    home = tmp_path / "home" / "dev"
    workspace = tmp_path / "work"
    workspace.mkdir()
    decoys = plant_decoys(home, user="dev", hostname="dev-laptop")
    log = tmp_path / "trace.log"
    reader = "import sys; open(sys.argv[1] + '/.ssh/id_ed25519').read(); open('out.txt', 'w').write('x')"
    done = subprocess.run(
        ["strace", *STRACE_ARGS, "-o", str(log), "--", sys.executable, "-c", reader, str(home)],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 and "ptrace" in done.stderr:
        pytest.skip(f"ptrace is not permitted here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    text, _ = read_trace(log)
    summary = parse_strace(text, PhaseName.INSTALL, decoys, str(home), str(workspace))
    assert [f.message.split(" ")[1] for f in summary.findings] == ["ssh-private-key"]
    assert summary.findings[0].message.count("during install") == 1
    assert all(not a.path.startswith(str(workspace)) for a in summary.file_accesses)
    assert summary.processes[0].argv[1:3] == ("-c", reader)


# gVisor: the sentry's own strace, written on the host; split by phase window, then parsed


def _windows():
    year = 2026  # the fixture's lines carry month and day only, as glog writes them
    at = lambda stamp: gvisor_line_time(f"I1202 {stamp}    1 strace.go:1] [ 1: 1] x X y() = 0 (0x0) (1µs)", year)  # noqa: E731
    return [
        ("start", at("06:25:39.000000"), at("06:25:45.000000")),
        ("test", at("06:25:49.500000"), at("06:25:52.000000")),
    ]


def test_gvisor_log_split_by_phase_and_read_like_strace(planted, tmp_path):
    _, decoys = planted
    log = FIXTURES / "gvisor-boot-stealer.log"
    windows = _windows()
    assert all(start is not None and end is not None for _, start, end in windows)
    by_phase, cut = split_gvisor_log(log, windows)
    assert not cut
    assert set(by_phase) == {"start", "test"}
    # The root setup step before the first phase (the CA update) is outside every window.
    assert not any("update-ca" in line or ":25:34" in line for line in by_phase["start"])
    summary = parse("\n".join(by_phase["start"]), decoys, workspace="/work/app")
    assert summary.unparsed_lines == 0
    kinds = sorted(f.message.split(" ")[1] for f in summary.findings if f.rule == "honeytoken-read")
    assert kinds == ["npm-token", "ssh-private-key"]
    probe = next(f for f in summary.findings if f.rule == "stealer-path-probe")
    assert "/home/dev/.config/opera/Default/Login Data" in probe.evidence
    python, cat = summary.processes
    assert python.argv == ("python3", "/work/app/main.py") and cat.argv == ("cat", "/home/dev/.npmrc")
    assert cat.ppid == python.pid == 21
    assert ("/home/dev/notes, 0xdead", "read") in {(a.path, a.mode) for a in summary.file_accesses}
    connects = {(c.family, c.address, c.port, c.result) for c in summary.connects}
    assert ("AF_INET", "198.18.0.10", 1224, "EINPROGRESS") in connects
    assert ("AF_UNIX", "/var/run/docker.sock", None, "ENOENT") in connects
    (node,) = parse("\n".join(by_phase["test"]), decoys).processes
    assert node.argv == ("node", "x.js")


def test_gvisor_lines_that_are_not_exits_or_not_strace_are_ignored():
    assert gvisor_to_strace("I1202 06:25:40.504679    3336 strace.go:559] [  20:  20] sh E vfork()") is None
    assert gvisor_to_strace("I1202 06:25:33.827571    3336 main.go:216] ****") is None
    assert gvisor_to_strace("garbage") is None
    line = "I1202 06:25:40.5    3336 strace.go:596] [  21:  21] python3 X openat(broken"
    assert gvisor_to_strace(line) is None
