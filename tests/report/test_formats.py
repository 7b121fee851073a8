from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.errors import ReportError
from inspector.model import to_dict
from inspector.report import WRITTEN_FORMATS, Renderer, ReportFormat, load_report, render, write_reports


def test_every_format_has_a_renderer(malicious_report):
    for fmt in ReportFormat:
        renderer = fmt.renderer()
        assert isinstance(renderer, Renderer)
        assert render(malicious_report, fmt).strip(), fmt


def test_format_values_are_the_cli_choices():
    assert [fmt.value for fmt in ReportFormat] == ["text", "json", "md", "html", "sarif"]


def test_write_reports_writes_four_files_and_reads_back(malicious_report, tmp_path):
    written = write_reports(malicious_report, tmp_path / "run")
    assert set(written) == set(WRITTEN_FORMATS)
    assert sorted(path.name for path in written.values()) == [
        "report.html",
        "report.json",
        "report.md",
        "report.sarif",
    ]
    assert not [p for p in (tmp_path / "run").iterdir() if p.name.startswith(".")]
    assert load_report(tmp_path / "run") == malicious_report


def test_hostile_report_round_trips_unchanged(hostile_report, tmp_path):
    write_reports(hostile_report, tmp_path)
    assert load_report(tmp_path) == hostile_report


def test_load_report_missing(tmp_path):
    with pytest.raises(ReportError) as caught:
        load_report(tmp_path)
    assert "no report.json" in caught.value.message
    assert "--output" in caught.value.fix


@pytest.mark.parametrize(
    "content",
    ['{"schema": "inspector.report/1", "tool": ', "\xff\xfe not json", "[1, 2]"],
)
def test_load_report_corrupt(tmp_path, content):
    (tmp_path / "report.json").write_bytes(content.encode("latin-1"))
    with pytest.raises(ReportError) as caught:
        load_report(tmp_path)
    assert caught.value.fix


def test_load_report_other_schema(malicious_report, tmp_path):
    data = to_dict(malicious_report)
    data["schema"] = "inspector.report/2"
    (tmp_path / "report.json").write_text(json.dumps(data))
    with pytest.raises(ReportError, match=r"inspector\.report/2"):
        load_report(tmp_path)


def test_load_report_unknown_key(malicious_report, tmp_path):
    data = to_dict(malicious_report)
    data["findings"][0]["surprise"] = 1
    (tmp_path / "report.json").write_text(json.dumps(data))
    with pytest.raises(ReportError, match="surprise"):
        load_report(tmp_path)


def test_write_reports_unwritable(malicious_report, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReportError) as caught:
        write_reports(malicious_report, blocker / "run")
    assert "--output" in caught.value.fix
    assert isinstance(blocker, Path)


def test_every_human_format_says_where_the_trace_came_from_the_limits_hit_and_phase_errors(malicious_report):
    from dataclasses import replace

    from inspector.model import PhaseStatus

    run = malicious_report.run
    oom = replace(run.phases[-1], status=PhaseStatus.ERROR, error="killed when it ran out of memory")
    phases = (*run.phases[:-1], oom)
    report = replace(
        malicious_report,
        run=replace(run, trace_origin="strace-in-container", limits_hit=("/home/u is full (1g limit reached)",),
                    phases=phases),
    )
    for fmt in (ReportFormat.TEXT, ReportFormat.MD, ReportFormat.HTML):
        # The terminal wraps long lines and Markdown escapes punctuation: compare the words.
        out = " ".join(render(report, fmt).replace("\\", "").split())
        assert "trace strace-in-container" in out and "can empty or avoid it" in out, fmt
        assert "limit reached: /home/u is full (1g limit reached)" in out, fmt
        assert "test phase error: killed when it ran out of memory" in out, fmt
    gvisor = render(replace(report, run=replace(report.run, trace_origin="gvisor-sentry")), ReportFormat.TEXT)
    gvisor = " ".join(gvisor.split())
    assert "cannot alter or hide from it" in gvisor
