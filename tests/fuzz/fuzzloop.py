"""What the fuzz harnesses share: where each input's scratch directory goes, and the plain
random-mutation loop they fall back to when atheris is not installed (said loudly on stderr)."""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

# Each input gets a fresh directory: on a memory file system that costs microseconds, on a busy
# disk milliseconds (directory removal dominated the run on ext4). libFuzzer ends the process with
# exit(), past any Python clean-up: so no shared work directory, one per input, removed before the next.
_SHM = Path("/dev/shm")
WORK = os.environ.get("FUZZ_WORKDIR") or (str(_SHM) if _SHM.is_dir() and os.access(_SHM, os.W_OK) else None)


def _mutate(seed: bytes, rng: random.Random) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        if choice < 0.5 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.75:
            data[rng.randrange(len(data) + 1) : 0] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif data:
            start = rng.randrange(len(data))
            del data[start : start + rng.randint(1, 16)]
    return bytes(data)


def fuzz(one_input: Callable[[bytes], None], seeds: Path, atheris: ModuleType | None) -> int:
    """libFuzzer through atheris on the command line's corpus; without atheris the plain loop over
    ``seeds`` for FUZZ_SECONDS (default 60)."""
    if atheris is None:
        return _fallback_loop(one_input, seeds, float(os.environ.get("FUZZ_SECONDS", "60")))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
    return 0


def _fallback_loop(one_input: Callable[[bytes], None], seeds: Path, seconds: float) -> int:
    print("atheris is NOT installed: running a plain random-mutation loop (no coverage guidance)", file=sys.stderr)
    corpus = [p.read_bytes() for p in sorted(seeds.iterdir())] or [b"\0"]
    rng = random.Random(int(os.environ.get("FUZZ_SEED", "0")))
    deadline = time.monotonic() + seconds
    runs = 0
    while time.monotonic() < deadline:
        one_input(_mutate(rng.choice(corpus), rng))
        runs += 1
    print(f"fallback loop: {runs} inputs, no crash", file=sys.stderr)
    return 0
