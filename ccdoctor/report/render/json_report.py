"""The JSON report: the machine contract described by `ccdoctor/schema/report.schema.json`."""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Mapping
from typing import Any

from ccdoctor.core.results import CheckResult, Status, fix_to_dict
from ccdoctor.report.build import SCHEMA_VERSION, ConfigEntry, Report
from ccdoctor.report.render.printable import encodable


def report_to_dict(report: Report) -> dict[str, Any]:
    counts = report.summary.counts
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": report.tool,
        "generated_at": report.generated_at,
        "platform": report.platform,
        "provider": report.provider,
        "config": [config_entry_to_dict(entry) for entry in report.config],
        "summary": {
            **{status.value: counts[status] for status in Status},
            "duration_ms": report.summary.duration_ms,
            "not_run": report.summary.not_run,
        },
        "checks": [result_to_dict(result) for result in report.results],
        "exit_code": report.exit_code,
    }


def config_entry_to_dict(entry: ConfigEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "kind": entry.kind,
        "value": entry.value,
        "source": entry.source,
        "shadowed": [{"source": s, "value": v} for s, v in entry.shadowed],
    }


def result_to_dict(result: CheckResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "category": result.category.value,
        "title": result.title,
        "status": result.status.value,
        "message": result.message,
        "fix": fix_to_dict(result.fix),
        "details": dict(result.details),
        "duration_ms": result.duration_ms,
        "origin": result.origin,
        "caused_by": result.caused_by,
    }


def plain_json(data: Any) -> Any:
    """JSON any strict parser accepts: details may hold paths, sets, enums, NaN or undecodable
    bytes from the environment, none of which JSON can carry as they are."""
    if isinstance(data, str):
        return encodable(data)
    if isinstance(data, enum.Enum):
        return plain_json(data.value)
    if isinstance(data, bool | int) or data is None:
        return data
    if isinstance(data, float):
        return data if math.isfinite(data) else str(data)
    if isinstance(data, Mapping):
        return {encodable(str(k)): plain_json(v) for k, v in data.items()}
    if isinstance(data, list | tuple | set | frozenset):
        return [plain_json(item) for item in data]
    return encodable(str(data))


def render_json(report: Report) -> str:
    return json.dumps(plain_json(report_to_dict(report)), indent=2, ensure_ascii=False) + "\n"
