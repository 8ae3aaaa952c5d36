"""The names check plugins have imported since the first release (the README documents
`ccdoctor.model`); they live in `ccdoctor.core` and `ccdoctor.spec`, and `ccdoctor.api` is the
plugin surface. Kept so published plugins go on working."""

from ccdoctor.core.provider import Provider
from ccdoctor.core.results import (
    Category,
    CheckResult,
    Fix,
    Outcome,
    Problem,
    Status,
    Summary,
    failed,
    fix_to_dict,
    passed,
    skipped,
    warned,
)
from ccdoctor.spec import Check, CheckFunction, CheckSpec, Cost, check

__all__ = [
    "Category",
    "Check",
    "CheckFunction",
    "CheckResult",
    "CheckSpec",
    "Cost",
    "Fix",
    "Outcome",
    "Problem",
    "Provider",
    "Status",
    "Summary",
    "check",
    "failed",
    "fix_to_dict",
    "passed",
    "skipped",
    "warned",
]
