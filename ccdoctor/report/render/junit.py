"""JUnit XML: one testcase per check, so any CI shows ccdoctor like a test run."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ccdoctor.core.results import CheckResult, Status
from ccdoctor.report.build import Report
from ccdoctor.report.render.printable import encodable


def render_junit(report: Report) -> str:
    counts = report.summary.counts
    suite = ET.Element(
        "testsuite",
        {
            "name": "ccdoctor",
            "tests": str(len(report.results)),
            "failures": str(counts[Status.FAIL]),
            "errors": str(counts[Status.ERROR]),
            "skipped": str(counts[Status.SKIP]),
            "time": f"{report.summary.duration_ms / 1000:.3f}",
            "timestamp": report.generated_at,
        },
    )
    for result in report.results:
        suite.append(_testcase(result))
    suites = ET.Element("testsuites", {"name": "ccdoctor"})
    suites.append(suite)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _testcase(result: CheckResult) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "classname": f"ccdoctor.{result.category.value}",
            "name": _xml_safe(result.id),
            "time": f"{result.duration_ms / 1000:.3f}",
        },
    )
    body = _fix_text(result)
    if result.status is Status.FAIL:
        ET.SubElement(case, "failure", {"message": _xml_safe(result.message)}).text = body
    elif result.status is Status.ERROR:
        ET.SubElement(case, "error", {"message": _xml_safe(result.message)}).text = body
    elif result.status is Status.SKIP:
        ET.SubElement(case, "skipped", {"message": _xml_safe(result.message)})
    elif result.status is Status.WARN:
        ET.SubElement(case, "system-out").text = _xml_safe(f"WARNING: {result.message}\n{body}")
    return case


def _fix_text(result: CheckResult) -> str:
    if result.fix is None:
        return ""
    lines = [result.fix.text, *(f"$ {c}" for c in result.fix.commands)]
    if result.fix.snippet:
        lines.append(result.fix.snippet)
    return _xml_safe("\n".join(lines))


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most control characters, even escaped, nor lone surrogates."""
    return "".join(
        ch if ch in "\t\n\r" or (ord(ch) >= 0x20 and ch not in "\ufffe\uffff") else "\ufffd"
        for ch in encodable(text)
    )
