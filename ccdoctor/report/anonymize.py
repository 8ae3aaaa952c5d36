"""`--anonymize`: identifying values replaced by stable placeholders for reports shared outside
the company. Secrets are already fingerprints; this goes further and hides who and where: account
IDs, ARNs' resources and role names, SSO start URLs and sessions, profiles, project and workspace
IDs, Foundry resources, host names, user names (in paths too) and e-mail addresses. The same value
always gets the same placeholder, so the report still reads consistently."""

from __future__ import annotations

import re
from collections.abc import Callable

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.report.identifiers import identifiers, is_public_host

_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("account", re.compile(r"(?<![\d.])\d{12}(?![\d.])")),
    ("resource", re.compile(r"(?<=application-inference-profile/)[a-z0-9]+")),
    ("resource", re.compile(r"(?<=provisioned-model/)[a-z0-9]+")),
    ("role", re.compile(r"(?<=:role/)[\w+=,.@-]+(?:/[\w+=,.@-]+)*")),
    ("role", re.compile(r"(?<=:assumed-role/)[\w+=,.@-]+(?:/[\w+=,.@-]+)?")),
    ("user", re.compile(r"(?<=:user/)[\w+=,.@-]+")),
    ("principal", re.compile(r"\bA(?:IDA|ROA|GPA|NPA|NVA|SIA)[A-Z0-9]{12,}")),
    ("workspace", re.compile(r"\bwrkspc_[A-Za-z0-9]+")),
    ("user", re.compile(r"(?<=/home/)[^/\s'\"<>:]+|(?<=/Users/)[^/\s'\"<>:]+")),
    ("user", re.compile(r"(?<=\\Users\\)[^\\\s'\"<>:]+")),
)
_URL_HOST = re.compile(r"(?<=://)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
"""A host in any URL, wherever it came from (a helper's error, a server's reply)."""
_KEEP = frozenset({"root", "home", "default", "<", ">"})
_SHORTEST = 3
"""Shorter values would be replaced inside ordinary words."""


class Anonymizer:
    def __init__(self, config: ResolvedConfig) -> None:
        self._placeholders: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        for kind, value in identifiers(config):
            if len(value) >= _SHORTEST and value not in _KEEP and not value.startswith("<"):
                self._placeholder(kind, value)

    def _placeholder(self, kind: str, value: str) -> str:
        if value.startswith("<") and value.endswith(">"):
            return value
        if value not in self._placeholders:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._placeholders[value] = f"<{kind}-{self._counts[kind]}>"
        return self._placeholders[value]

    def _replacer(self, kind: str) -> Callable[[re.Match[str]], str]:
        return lambda match: self._placeholder(kind, match.group(0))

    def _host(self, match: re.Match[str]) -> str:
        host = match.group(0)
        return (
            host
            if is_public_host(host, placeholders=True)
            else self._placeholder("host", host.lower())
        )

    def apply(self, text: str) -> str:
        # Shapes first, so an e-mail address goes whole; then every value known or found by
        # shape, longest first (a host holds a resource name), wherever else it appears.
        for kind, pattern in _SHAPES:
            text = pattern.sub(self._replacer(kind), text)
        text = _URL_HOST.sub(self._host, text)
        for value in sorted(self._placeholders, key=len, reverse=True):
            text = re.sub(
                rf"(?<![\w-]){re.escape(value)}(?![\w-])", self._placeholders[value], text
            )
        return text
