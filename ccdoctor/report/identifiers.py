"""What identifies a user or a company in a set-up, gathered from every source ccdoctor reads:
the environment and settings files, ~/.aws/config and credentials, the SSO token cache and the
Google credential file. `--anonymize` replaces each value found here wherever it appears, so an
identifier that a check echoes in a form no pattern would recognise is still hidden."""

from __future__ import annotations

import configparser
import contextlib
import getpass
import json
import re
import socket
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ccdoctor.config.view import ResolvedConfig
from ccdoctor.knowledge import credentials as known
from ccdoctor.knowledge import foundry

Found = tuple[str, str]
"""(kind, value): the kind names the placeholder, `<host-1>`, `<project-2>`."""

_VENDOR_HOSTS = re.compile(
    r"^(?:[a-z0-9-]+\.)*(?:anthropic\.com|claude\.com|claude\.ai|amazonaws\.com|amazon\.com"
    r"|googleapis\.com|google\.com|azure\.com|microsoft\.com|microsoftonline\.com|github\.com"
    r"|githubusercontent\.com|pypi\.org|python\.org)$"
    r"|^(?:localhost|127\.0\.0\.1|::1|169\.254\.169\.254|0\.0\.0\.0)$"
)
"""Vendors' hosts and loopback: naming them identifies no one. A Foundry resource's own host
under azure.com is the exception (`_AZURE_RESOURCE_HOST`)."""
_PLACEHOLDER_HOSTS = re.compile(r"(?:^|\.)(?:example(?:\.com|\.org|\.net)?|invalid|test)$")
"""The reserved names ccdoctor's own fix texts use (`your-gateway.example.com`): left alone
when found by shape, still replaced when a user's configuration names one."""
_URL_VARIABLES = re.compile(r"(?:_BASE_URL|_PROXY|_HOST|_ENDPOINT|^https?_proxy)$", re.I)
_PROJECT_VARIABLES = (
    "ANTHROPIC_VERTEX_PROJECT_ID",
    "ANTHROPIC_GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_PROJECT",
    "GCLOUD_PROJECT",
    "CLOUDSDK_CORE_PROJECT",
    known.GCP_QUOTA_PROJECT_VARIABLE,
)
_PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
_NAME_VARIABLES = {"AWS_ROLE_SESSION_NAME": "session", foundry.RESOURCE_VARIABLE: "resource"}
_AWS_KEYS = {
    "sso_session": "session",
    "sso_role_name": "role",
    "role_session_name": "session",
    "source_profile": "profile",
    "sso_account_id": "account",
}
"""Keys of ~/.aws/config whose whole value names someone; URLs among the rest give their host."""
_ADC_KEYS = {
    "project_id": "project",
    "quota_project_id": "project",
    "client_email": "email",
    "account": "email",
    "client_id": "client",
}
_AZURE_RESOURCE_HOST = re.compile(
    r"^([a-z0-9][a-z0-9-]*)\.(?:services\.ai|openai|cognitiveservices)\.azure\.com$"
)
_ARN = re.compile(r"arn:aws[\w-]*:[\w-]+:[\w-]*:(\d{12})?:([\w+=,.@/:-]+)")
_ARN_KINDS = {"role": "role", "assumed-role": "role", "user": "user"}
_URL = re.compile(r"https?://[^\s'\"<>]+")
_ANY_SIZE = 1024 * 1024


def identifiers(config: ResolvedConfig) -> Iterator[Found]:
    yield from _users(config)
    yield from _environment(config)
    yield from _settings_strings(config)
    yield from _aws_files(config)
    yield from _sso_cache(config)
    yield from _adc(config)


def _users(config: ResolvedConfig) -> Iterator[Found]:
    names = {Path(config.inputs.home).name}
    with contextlib.suppress(OSError, KeyError):
        names.add(getpass.getuser())
    for name in sorted(names):
        if name and name not in ("root", "home"):
            yield "user", name
    yield from _host(socket.gethostname())


def _environment(config: ResolvedConfig) -> Iterator[Found]:
    for name, value in config.env.items():
        text = (value.text or "").strip().strip("'\"")
        if not text:
            continue
        if name.upper() == "NO_PROXY":
            for entry in text.split(","):
                yield from _host(entry.strip().lstrip("*.").split(":")[0])
        elif _URL_VARIABLES.search(name):
            yield from _hosts_in(text)
        elif name in _PROJECT_VARIABLES:
            yield "project", text
        elif name in _PROFILE_VARIABLES:
            yield from _profile(text)
        elif name in _NAME_VARIABLES:
            yield _NAME_VARIABLES[name], text
        else:
            yield from _urls_in(text)
        yield from _arn_parts(text)
    project = config.vertex_project
    for chosen in (project.value, *(v for _, v in project.shadowed)):
        if chosen and chosen.strip():
            yield "project", chosen.strip()


def _settings_strings(config: ResolvedConfig) -> Iterator[Found]:
    """Hosts in any string of a settings file: a helper command, a gateway URL outside env."""
    for layer in config.layers.files:
        if layer.data is not None:
            for text in _strings(layer.data):
                yield from _urls_in(text)


def _aws_files(config: ResolvedConfig) -> Iterator[Found]:
    files = config.aws_files
    for path in (files.config_path, files.credentials_path):
        parser = configparser.RawConfigParser(strict=False, interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        for section in parser.sections():
            kind, _, name = section.strip().rpartition(" ")
            if kind in ("", "profile"):
                yield from _profile(name)
            elif kind == "sso-session":
                yield "session", name
            for key, value in parser.items(section):
                value = value.strip()
                if key in _AWS_KEYS and value:
                    yield _AWS_KEYS[key], value
                else:
                    yield from _urls_in(value)
                    yield from _arn_parts(value)


def _profile(name: str) -> Iterator[Found]:
    if name and name != "default":
        yield "profile", name


def _sso_cache(config: ResolvedConfig) -> Iterator[Found]:
    folder = config.inputs.home.joinpath(*known.AWS_SSO_CACHE)
    with contextlib.suppress(OSError):
        for path in sorted(folder.glob("*.json"))[:64]:
            data = _json(path)
            if isinstance(data, dict):
                for text in _strings(data):
                    yield from _urls_in(text)


def _adc(config: ResolvedConfig) -> Iterator[Found]:
    # Imported here: only an --anonymize run pays for loading the Vertex provider.
    from ccdoctor.providers.vertex.credentials import gcloud_adc_path

    paths = [gcloud_adc_path(config)]
    named = (config.get("GOOGLE_APPLICATION_CREDENTIALS") or "").strip()
    if named:
        paths.append(Path(named).expanduser())
    for path in paths:
        data = _json(path)
        if not isinstance(data, dict):
            continue
        for key, kind in _ADC_KEYS.items():
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                yield kind, value.strip()
        for text in _strings(data):
            yield from _urls_in(text)


def _json(path: Path) -> Any:
    try:
        if not path.is_file() or path.stat().st_size > _ANY_SIZE:
            return None
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return None


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, Mapping):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _arn_parts(text: str) -> Iterator[Found]:
    """An ARN's account and the names in its resource: a report may wrap the ARN across lines,
    where no pattern would find them again."""
    for match in _ARN.finditer(text):
        account, resource = match.group(1), match.group(2)
        if account:
            yield "account", account
        kind, _, names = resource.partition("/")
        for name in names.split("/") if names else ():
            if name:
                yield _ARN_KINDS.get(kind, "resource"), name


def _urls_in(text: str) -> Iterator[Found]:
    for match in _URL.finditer(text):
        yield from _hosts_in(match.group(0))


def _hosts_in(url: str) -> Iterator[Found]:
    with contextlib.suppress(ValueError):
        yield from _host(urlsplit(url if "://" in url else f"http://{url}").hostname or "")


def is_public_host(host: str, *, placeholders: bool = False) -> bool:
    """A vendor's host or loopback (or, with `placeholders`, a reserved example name)."""
    host = host.strip().lower().rstrip(".")
    if _AZURE_RESOURCE_HOST.match(host):
        return False
    return bool(_VENDOR_HOSTS.match(host) or (placeholders and _PLACEHOLDER_HOSTS.search(host)))


def _host(host: str) -> Iterable[Found]:
    host = host.strip().lower().rstrip(".")
    if not host or is_public_host(host):
        return ()
    found: list[Found] = [("host", host)]
    resource = _AZURE_RESOURCE_HOST.match(host)
    if resource:
        found.append(("resource", resource.group(1)))
    return found
