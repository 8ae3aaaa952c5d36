"""Where the tests' data lives: the checkout's top-level fixtures/ directory.

Defined once, relative to this file, so that every test finds the same tree whatever the working
directory pytest (or the snapshot tool) was started from.
"""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
