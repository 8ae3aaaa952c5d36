"""A test peer this machine lacks: a skip that says why, or, where CI sets the peer's
CCDOCTOR_REQUIRE_* variable to 1, a failure (a missing install step must not pass as a skip)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def peer_missing(reason: str, require: str) -> NoReturn:
    if os.environ.get(require) == "1":
        pytest.fail(f"{reason} ({require}=1)", pytrace=False)
    pytest.skip(reason)
