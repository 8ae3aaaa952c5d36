"""`--anonymize`: identifying values replaced by stable placeholders for reports shared outside
the company. Secrets are already fingerprints; this goes further and hides who and where: account
IDs, ARNs' resources, project IDs, host names, user names and e-mail addresses. The same value
always gets the same placeholder, so the report still reads consistently."""

from __future__ import annotations

import contextlib
import getpass
import re
import socket
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from ccdoctor.config.view import ResolvedConfig

_PUBLIC_HOSTS = re.compile(
    r"^(?:api\.anthropic\.com|[a-z0-9.-]+\.amazonaws\.com|[a-z0-9.-]*googleapis\.com"
    r"|localhost|127\.0\.0\.1|::1)$"
)
_URL_VARIABLES = re.compile(r"(?:_BASE_URL|_PROXY|^https?_proxy)$", re.IGNORECASE)
_PROJECT_VARIABLES = (
    "ANTHROPIC_VERTEX_PROJECT_ID",
    "ANTHROPIC_GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_PROJECT",
    "GCLOUD_PROJECT",
)
_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("account", re.compile(r"(?<![\d.])\d{12}(?![\d.])")),
    ("resource", re.compile(r"(?<=application-inference-profile/)[a-z0-9]+")),
    ("resource", re.compile(r"(?<=provisioned-model/)[a-z0-9]+")),
)


class Anonymizer:
    def __init__(self, config: ResolvedConfig) -> None:
        self._placeholders: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        for kind, values in (
            ("user", _user_names(config)),
            ("host", _host_names(config)),
            ("project", _projects(config)),
        ):
            for value in values:
                self._placeholder(kind, value)

    def _placeholder(self, kind: str, value: str) -> str:
        if value not in self._placeholders:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._placeholders[value] = f"<{kind}-{self._counts[kind]}>"
        return self._placeholders[value]

    def _replacer(self, kind: str) -> Callable[[re.Match[str]], str]:
        return lambda match: self._placeholder(kind, match.group(0))

    def apply(self, text: str) -> str:
        for kind, pattern in _SHAPES:
            text = pattern.sub(self._replacer(kind), text)
        for value in sorted(self._placeholders, key=len, reverse=True):
            if len(value) >= 3:
                text = re.sub(
                    rf"(?<![\w.-]){re.escape(value)}(?![\w-])", self._placeholders[value], text
                )
        return text


def _user_names(config: ResolvedConfig) -> Iterable[str]:
    names = {Path(config.inputs.home).name}
    with contextlib.suppress(OSError, KeyError):
        names.add(getpass.getuser())
    return sorted(n for n in names if n and n not in ("root", "home"))


def _host_names(config: ResolvedConfig) -> Iterable[str]:
    hosts = {socket.gethostname()}
    for name, value in config.env.items():
        text = value.text
        if text and _URL_VARIABLES.search(name):
            url = text.strip().strip("'\"")
            host = urlsplit(url if "://" in url else f"http://{url}").hostname
            if host:
                hosts.add(host)
    return sorted(h for h in hosts if h and not _PUBLIC_HOSTS.match(h))


def _projects(config: ResolvedConfig) -> Iterable[str]:
    found = {config.vertex_project.value or ""}
    found.update(value for _, value in config.vertex_project.shadowed)
    found.update(config.get(name) or "" for name in _PROJECT_VARIABLES)
    return sorted(p.strip() for p in found if p.strip())
