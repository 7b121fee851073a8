"""A long-lived worker that runs a click CLI in-process, one request per line (used by bench/score.py).

Each scanner CLI costs about a second of CPU just to import; over a corpus of hundreds of packages that
is most of the run (issue 11's many-targets mode does not exist yet). The worker imports the CLI once and
calls it like the shell would: the same command function, the same arguments, its standard output sent
to a file (file descriptor 1 is redirected, so child processes such as Semgrep write there too).

Protocol: a JSON object per line on stdin ``{"entry": "module:attr", "args": [...], "stdout": PATH,
"env": {...}}``; a JSON line answers on the original stdout ``{"exit": N, "error": str, "wall": s,
"cpu": s}``. The parent kills the worker on a time-out and starts another.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import resource
import sys
import time
import traceback
from pathlib import Path


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    answer = os.fdopen(os.dup(1), "w", buffering=1)
    entries: dict[str, object] = {}
    for line in sys.stdin:
        request = json.loads(line)
        entry = request["entry"]
        if entry not in entries:
            module, _, attr = entry.partition(":")
            entries[entry] = getattr(importlib.import_module(module), attr)
        command = entries[entry]
        os.environ.update(request.get("env", {}))
        started, cpu_started = time.monotonic(), cpu_seconds()
        code, error = 0, ""
        sys.stdout.flush()
        saved = os.dup(1)
        with Path(request["stdout"]).open("wb") as out:
            os.dup2(out.fileno(), 1)
            text = io.TextIOWrapper(os.fdopen(os.dup(1), "wb"), encoding="utf-8", write_through=True)
            try:
                with contextlib.redirect_stdout(text):
                    result = command.main(request["args"], prog_name="cli", standalone_mode=False)  # type: ignore[attr-defined]
                code = result if isinstance(result, int) else 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException as exc:  # a crash of the scanner is a result to report, not the end of the worker
                code, error = 2, f"{type(exc).__name__}: {exc}"[:500]
                traceback.print_exc(file=sys.stderr)
            finally:
                text.flush()
                text.close()
                sys.stdout.flush()
                os.dup2(saved, 1)
                os.close(saved)
        answer.write(
            json.dumps(
                {"exit": code, "error": error, "wall": time.monotonic() - started, "cpu": cpu_seconds() - cpu_started}
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
