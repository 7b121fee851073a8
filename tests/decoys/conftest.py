from __future__ import annotations

import random
from pathlib import Path

import pytest

from inspector.sandbox.honeytokens import DecoySet, plant_decoys


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DecoySet]:
    """A decoy home for user ``dev`` from a fixed seed (content checks must be reproducible)."""
    home = tmp_path_factory.mktemp("home") / "dev"
    decoys = plant_decoys(home, user="dev", hostname="dev-ThinkPad-T14s", rng=random.Random(1))
    return home, decoys
