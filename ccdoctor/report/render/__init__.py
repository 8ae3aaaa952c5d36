"""Renderers: how a finished report is written. Each takes a Report and returns text."""

from __future__ import annotations

import enum
from collections.abc import Callable

from ccdoctor.report.build import Report


class Format(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    JUNIT = "junit"
    GITHUB = "github"


def renderer(fmt: Format) -> Callable[[Report, bool, bool], str]:
    """The render function for a format: `(report, verbose, colour) -> text`."""
    if fmt is Format.TEXT:
        from ccdoctor.report.render.text import render_text

        return render_text
    if fmt is Format.JSON:
        from ccdoctor.report.render.json_report import render_json

        return lambda report, verbose, colour: render_json(report)
    if fmt is Format.MARKDOWN:
        from ccdoctor.report.render.markdown import render_markdown

        return lambda report, verbose, colour: render_markdown(report, verbose)
    if fmt is Format.JUNIT:
        from ccdoctor.report.render.junit import render_junit

        return lambda report, verbose, colour: render_junit(report)
    from ccdoctor.report.render.github import render_github

    return lambda report, verbose, colour: render_github(report)


__all__ = ["Format", "renderer"]
