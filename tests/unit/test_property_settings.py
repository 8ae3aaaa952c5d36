"""The property tests cannot turn CI red by chance, nor leave files in the checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import storage_directory

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "reproducible") != "reproducible",
    reason="HYPOTHESIS_PROFILE chose another profile on purpose",
)
def test_examples_are_the_same_on_every_run_and_no_database_is_kept() -> None:
    current = settings()

    assert current.derandomize
    assert current.database is None


def test_hypothesis_writes_its_cache_outside_the_checkout() -> None:
    home = storage_directory(intent_to_write=False).home_directory.resolve()

    assert home != REPO and REPO not in home.parents
