"""`inspector run` as a user types it, in the real sandbox (the issue's acceptance)."""

from __future__ import annotations

import json
from pathlib import Path

import docker
import pytest

STEALER = Path(__file__).parent / "samples" / "stealer-cli"


@pytest.mark.sandbox
def test_run_with_cmd_records_hosts_and_decoy_theft_and_leaves_nothing(inspector, tmp_path, sandbox_ready):
    result = inspector("run", str(STEALER), "--format", "json", "--cmd", "python3 -m pkg.cli arg", "--offline",
                       "--linger", "2", "--timeout", "60", "--run-dir", str(tmp_path / "run"))
    assert result.returncode == 1, result.stderr  # exfiltration of a decoy is malicious
    report = json.loads(result.stdout)
    assert report["run"]["phases"][-1]["commands"] == ["python3 -m pkg.cli arg"]
    assert "collector.exfil.test" in {n["host"] for n in report["network"]}
    categories = {f["category"] for f in report["findings"]}
    assert {"honeytoken", "exfiltration"} <= categories, categories
    assert report["verdict"] == "malicious"
    client = docker.from_env()
    assert client.containers.list(all=True, filters={"label": "inspector"}) == []
    assert client.networks.list(filters={"label": "inspector"}) == []
    assert client.volumes.list(filters={"label": "inspector"}) == []
