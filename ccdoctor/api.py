"""The plugin surface: everything a third-party check needs, from one import.

from ccdoctor.api import Category, CheckContext, Fix, Outcome, check, failed, passed
"""

from ccdoctor.context import CheckContext, RunOptions
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import (
    Category,
    Fix,
    Outcome,
    Problem,
    Status,
    failed,
    passed,
    skipped,
    warned,
)
from ccdoctor.spec import CheckSpec, Cost, check

__all__ = [
    "Category",
    "CheckContext",
    "CheckSpec",
    "Cost",
    "Fix",
    "Outcome",
    "Problem",
    "Provider",
    "RunOptions",
    "Status",
    "check",
    "failed",
    "passed",
    "skipped",
    "warned",
]
