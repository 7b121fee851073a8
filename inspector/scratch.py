"""One scratch directory per inspector process, for every temporary file of inspector and of the
tools it starts, removed at exit - also on Ctrl-C and on errors.

Semgrep alone writes a handful of ``semgrep-*.rules`` and target lists into the temp dir on every
run and does not always remove them (thousands after a day of scans); git, pip and the
multiprocessing machinery write there too. Pointing ``tempfile.tempdir`` (for ourselves) and
``TMPDIR``/``TEMP``/``TMP`` (for children, who inherit the environment) at one directory that
this process owns and removes turns "clean up every temp file" into one ``rmtree``. The CLI turns
SIGTERM, SIGHUP and SIGINT into :class:`inspector.errors.Interrupted` before it enters the scratch
space, so a stopped scan unwinds through the removal below.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")
PREFIX = "inspector-"


@contextmanager
def scratch_space() -> Iterator[Path]:
    """Create the scratch dir in the system temp dir, make it everyone's temp dir, remove it after."""
    path = Path(tempfile.mkdtemp(prefix=PREFIX))
    saved_env = {name: os.environ.get(name) for name in TEMP_VARIABLES}
    saved_tempdir = tempfile.tempdir
    for name in TEMP_VARIABLES:
        os.environ[name] = str(path)
    tempfile.tempdir = str(path)
    try:
        yield path
    finally:
        tempfile.tempdir = saved_tempdir
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(path, ignore_errors=True)


__all__ = ["PREFIX", "TEMP_VARIABLES", "scratch_space"]
