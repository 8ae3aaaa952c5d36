from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from tests.machine import Machine

# Property tests draw the same examples on every run (and keep no example database), so CI is
# never red by chance and a failure is reproduced by running the test again.
# HYPOTHESIS_PROFILE=explore draws fresh random examples when hunting for new failures.
settings.register_profile("reproducible", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))
# Even without a database Hypothesis caches the constants it finds in the code under test; that
# cache goes to the temporary directory, so no run writes .hypothesis/ into the checkout.
set_hypothesis_home_dir(
    os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY")
    or str(Path(tempfile.gettempdir()) / "ccdoctor-hypothesis")
)


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)
