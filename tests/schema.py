"""Validating reports against the JSON Schema that ships inside the package."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator, ValidationError


def validator_for(schema_text: str) -> Draft202012Validator:
    """A validator for a schema's text, the schema itself checked first."""
    schema = json.loads(schema_text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def report_validator() -> Draft202012Validator:
    """The shipped schema, read the way an installed copy would be (as package data)."""
    text = files("ccdoctor").joinpath("schema", "report.schema.json").read_text(encoding="utf-8")
    return validator_for(text)


def validate_report(data: Any, validator: Draft202012Validator | None = None) -> None:
    """Raise jsonschema.ValidationError if `data` breaks the report contract, including what the
    schema cannot say: that the summary counts the checks listed. `validator` defaults to the
    schema of the ccdoctor this test process imports."""
    (validator or report_validator()).validate(data)
    statuses = [check["status"] for check in data["checks"]]
    counts = {
        status: statuses.count(status) for status in ("pass", "warn", "fail", "skip", "error")
    }
    summary = {status: data["summary"][status] for status in counts}
    if summary != counts:
        raise ValidationError(f"summary {summary} does not count the checks listed: {counts}")
