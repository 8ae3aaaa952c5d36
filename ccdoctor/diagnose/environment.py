"""What is wrong with the variables Claude Code will see: names, values, deprecations, conflicts."""

from __future__ import annotations

import json
import re
import shlex
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ccdoctor.config.removal import unset_command, unset_in_shell
from ccdoctor.config.resolve import Value
from ccdoctor.config.settings_files import Source
from ccdoctor.config.truthy import Flag, parse_flag
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.provider import Provider
from ccdoctor.core.redact import fingerprint
from ccdoctor.core.results import DOWNSTREAM, Category, Fix, Problem, Status
from ccdoctor.core.secrets import is_secret_variable
from ccdoctor.knowledge import env_vars
from ccdoctor.knowledge.env_vars import Kind
from ccdoctor.knowledge.routes import ANTHROPIC_API, PROVIDER_FLAGS

_HTTP_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
"""RFC 9110 token: what an HTTP header name may be made of."""
_QUOTE_PAIRS = (('"', '"'), ("'", "'"), ("“", "”"), ("‘", "’"))
_QUOTES_ARE_FATAL = frozenset({Kind.URL, Kind.CREDENTIAL, Kind.HEADERS, Kind.MODEL, Kind.REGION})
_QUOTE_EFFECT = {
    Kind.URL: 'Claude Code stops at once: the value "cannot be parsed as a URL"',
    Kind.CREDENTIAL: "the quotes are sent as part of the credential and the server answers 401 "
    '("Invalid API key · Fix external API key")',
    Kind.HEADERS: "the quotes become part of the header",
    Kind.MODEL: "the quotes become part of the model ID, which no provider knows",
    Kind.REGION: "the quotes make it an invalid region, which the client skips",
    Kind.FLAG: "the value reads as neither true nor false, so the flag is off",
    Kind.PRESENCE: "the quotes are part of the value (the variable is on either way)",
    Kind.NUMBER: "the value is not a number, so the default applies",
}
_JUDGED_ELSEWHERE = frozenset(variable for _, variable in PROVIDER_FLAGS)
"""config.provider already fails a provider flag whose value (quoted or not) reads as false."""


# ---- names --------------------------------------------------------------------------------------


def _intended(name: str, config: ResolvedConfig) -> str | None:
    """The variable a malformed or misspelt name stands for; None when the name is fine or
    not one of Claude Code's. A name the judged client's code names is fine even where the
    catalogue (from the docs) lacks it: the client moves faster than the docs."""
    if name in env_vars.KNOWN or name in config.facts.variables:
        return None
    stripped = name.strip()
    if not env_vars.is_checked_family(stripped):
        return None
    return env_vars.closest_known(stripped)


def misspelt_name_problem(name: str, value: Value, config: ResolvedConfig) -> Problem | None:
    intended = _intended(name, config)
    if intended is None:
        return None
    where = value.origin.describe()
    stripped = name.strip()
    if stripped != name:
        why = f"{name!r} ({where}) has stray whitespace in its name, so Claude Code never reads it"
    elif stripped.upper() == intended:
        why = f"{name} ({where}) is not read: variable names are case-sensitive"
    else:
        why = f"{name} ({where}) is not a variable Claude Code reads"
    if config.is_set(intended):
        message = f"{why}; {intended} is set as well, so this one only adds confusion"
    else:
        message = f"{why}; did you mean {intended}?"
    status = Status.WARN
    explains: tuple[str, ...] = ()
    if (
        intended in env_vars.PROVIDER_FLAGS
        and parse_flag(value.text) is Flag.TRUE
        and not any(config.truthy(flag) for flag in env_vars.PROVIDER_FLAGS)
    ):
        status = Status.FAIL
        message += " No provider flag is set, so Claude Code uses the Anthropic API instead"
        explains = DOWNSTREAM
    return Problem(status, message, _rename_fix(name, intended, value), explains)


def _rename_fix(name: str, intended: str, value: Value) -> Fix:
    shown = "<value>" if is_secret_variable(intended) else (value.text or "")
    if value.origin.source is Source.SHELL:
        return Fix(
            f"Rename {name} to {intended} where it is exported (shell profile, .env file, CI).",
            (unset_command(name), f"export {intended}={shlex.quote(shown)}"),
        )
    return Fix(
        f'Rename the key {name!r} to "{intended}" in the env block of {value.origin.path}.',
        snippet=json.dumps({"env": {intended: shown}}),
    )


# ---- values -------------------------------------------------------------------------------------


def value_problems(name: str, value: Value, text: str, notes: list[str]) -> Iterator[Problem]:
    kind = env_vars.kind_of(name)
    if kind is None or kind is Kind.SET_BY_CLIENT:
        return
    where = value.origin.describe()
    header = name in env_vars.SENT_AS_HEADER
    if header:
        breaker = _header_breaker(text.strip(" \t\n"))
        if breaker is not None:
            yield Problem(
                Status.FAIL,
                f"{name} ({where}) contains {_describe(breaker)}; it is sent as an HTTP header, "
                "which cannot carry that character, so requests fail before they are sent",
                _retype_fix(name, value, breaker),
            )
            return
    elif "\r" in text and kind is not Kind.HEADERS:
        yield Problem(
            Status.WARN,
            f"{name} ({where}) ends in or contains a carriage return (a Windows line ending)",
            _retype_fix(name, value, "\r"),
        )
    quoted = _quoted(text)
    if quoted is not None and name not in _JUDGED_ELSEWHERE:
        yield _quote_problem(name, kind, value, quoted)
    elif text != text.strip():
        notes.append(f"{name} has surrounding whitespace (harmless for URLs and keys)")


def _header_breaker(text: str) -> str | None:
    for char in text:
        code = ord(char)
        if code > 0xFF or code == 0x7F or (code < 0x20 and char != "\t"):
            return char
    return None


def _describe(char: str) -> str:
    special = {"\r": "a carriage return", "\n": "a line break", "\x00": "a NUL byte"}
    name = special.get(char) or unicodedata.name(char, "a control character").lower()
    return f"{name} (U+{ord(char):04X})"


def _retype_fix(name: str, value: Value, char: str) -> Fix:
    if value.origin.source is Source.SHELL:
        commands: tuple[str, ...] = ()
        if char == "\r":
            commands = (f'export {name}="$(printf %s "${name}" | tr -d \'\\r\')"',)
        return Fix(
            f"Retype {name} by hand where it is exported: the stray character usually comes "
            "from copying out of a web page, a chat or a file with Windows line endings.",
            commands,
        )
    return Fix(
        f"Retype the value of {name} in {value.origin.path}: the stray character usually comes "
        "from copying out of a web page, a chat or a file with Windows line endings."
    )


def _quoted(text: str) -> str | None:
    """The value inside literal quotes wrapped around the whole value, if there are any."""
    stripped = text.strip()
    for left, right in _QUOTE_PAIRS:
        if len(stripped) >= 2 and stripped.startswith(left) and stripped.endswith(right):
            return stripped[len(left) : -len(right)]
    return None


def _quote_problem(name: str, kind: Kind, value: Value, inner: str) -> Problem:
    where = value.origin.describe()
    secret = kind is Kind.CREDENTIAL or is_secret_variable(name) or kind is Kind.HEADERS
    shown = fingerprint(value.text or "", name.lower()) if secret else repr(value.text)
    effect = _QUOTE_EFFECT.get(kind, "the quotes are part of the value")
    fatal = kind in _QUOTES_ARE_FATAL or name in env_vars.SENT_AS_HEADER
    clean = "<value>" if secret else inner
    if value.origin.source is Source.SHELL:
        fix = Fix(
            f"Export {name} without the inner quotes: the shell removes one pair, a second pair "
            "stays in the value.",
            (f"export {name}={shlex.quote(clean)}",),
        )
    else:
        fix = Fix(
            f"In {value.origin.path} the outer JSON quotes already delimit the string: write "
            f'"{name}": "value", not "\'value\'".',
            snippet=json.dumps({"env": {name: clean}}),
        )
    return Problem(
        Status.FAIL if fatal else Status.WARN,
        f"{name} ({where}) is wrapped in literal quotes {shown}: {effect}",
        fix,
        # proxy.config (base URLs) and network.env (proxies) judge the same value again.
        (Category.PROXY.value, Category.NETWORK.value) if kind is Kind.URL else (),
    )


# ---- variables that changed, contradict each other or read oddly --------------------------------


def deprecated_problems(config: ResolvedConfig) -> Iterator[Problem]:
    version = config.claude_version
    for name, deprecation in env_vars.DEPRECATED.items():
        value = config.env.get(name)
        if value is None or value.text is None:
            continue
        if deprecation.since is not None and version is not None and version < deprecation.since:
            continue
        where = value.origin.describe()
        replacement = deprecation.replacement
        if replacement is None:
            yield Problem(
                Status.WARN,
                f"{name} ({where}) has no effect: {deprecation.note}",
                _drop_fix(name, value),
            )
            continue
        shadowed = config.is_set(replacement)
        tail = (
            f"; {replacement} is also set and takes over, so this one is ignored"
            if shadowed
            else f"; it still works, but rename it to {replacement}"
        )
        shown = "<value>" if is_secret_variable(name) else value.text
        yield Problem(
            Status.WARN,
            f"{name} ({where}) is {deprecation.note}{tail}",
            Fix(
                f"Rename {name} to {replacement}"
                + (" (and check which of the two values you want)." if shadowed else "."),
                (unset_command(name), f"export {replacement}={shlex.quote(shown or '')}")
                if value.origin.source is Source.SHELL
                else (),
                None
                if value.origin.source is Source.SHELL
                else json.dumps({"env": {replacement: shown}}),
            ),
        )
    debug = config.env.get(env_vars.DEBUG_VARIABLE)
    if (
        debug is not None
        and parse_flag(debug.text) is Flag.TRUE
        and not config.is_set(env_vars.DEBUG_REPLACEMENT)
    ):
        yield Problem(
            Status.WARN,
            f"DEBUG={debug.text} ({debug.origin.describe()}) only writes Claude Code's debug log "
            "file; it stopped logging API requests in 0.2.125",
            Fix(
                "To see each HTTP request Claude Code sends, set ANTHROPIC_LOG=debug instead.",
                ("export ANTHROPIC_LOG=debug",),
                json.dumps({"env": {"ANTHROPIC_LOG": "debug"}}),
            ),
        )


def _drop_fix(name: str, value: Value) -> Fix:
    if value.origin.source is Source.SHELL:
        return Fix(f"Remove {name} where it is exported.", (unset_command(name),))
    return Fix(f"Delete {name} from the env block of {value.origin.path}.")


def presence_only_problems(config: ResolvedConfig) -> Iterator[Problem]:
    for name in env_vars.PRESENCE_ONLY:
        value = config.env.get(name)
        if value is None or parse_flag(value.text) is not Flag.FALSE:
            continue
        yield Problem(
            Status.WARN,
            f"{name}={value.text} ({value.origin.describe()}) still turns it ON: this variable "
            "only checks that it is set, so 0 and false count as set",
            Fix(
                f'To turn it off, unset {name}; in a settings file set it to "" (empty).',
                unset_in_shell(config, name),
                json.dumps({"env": {name: ""}}),
            ),
        )


def auth_conflict_problems(config: ResolvedConfig) -> Iterator[Problem]:
    if config.provider.provider is not Provider.ANTHROPIC:
        return
    key = config.env.get("ANTHROPIC_API_KEY")
    token = config.env.get("ANTHROPIC_AUTH_TOKEN")
    if key is None or token is None or key.text is None or token.text is None:
        return
    gateway = config.is_set(ANTHROPIC_API.base_url_variable)
    drop, keep = (
        ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
        if gateway
        else ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY")
    )
    reads = (
        "a gateway usually reads Authorization (ANTHROPIC_AUTH_TOKEN)"
        if gateway
        else "the Anthropic API reads x-api-key (ANTHROPIC_API_KEY)"
    )
    yield Problem(
        Status.WARN,
        f"ANTHROPIC_API_KEY ({key.origin.describe()}) and ANTHROPIC_AUTH_TOKEN "
        f"({token.origin.describe()}) are both set: every request carries both x-api-key and "
        'Authorization, and Claude Code warns "Auth conflict"',
        Fix(
            f"Keep the one your endpoint reads and unset the other; {reads}, so unset {drop} "
            f"unless you know {keep} is the wrong one.",
            unset_in_shell(config, drop),
            json.dumps({"env": {drop: ""}}),
        ),
        # credentials.anthropic reports the same conflict as the client words it.
        ("credentials.anthropic",),
    )


# ---- ANTHROPIC_CUSTOM_HEADERS -------------------------------------------------------------------


@dataclass(frozen=True)
class _HeaderLine:
    """One line of ANTHROPIC_CUSTOM_HEADERS split into name and value, with its line number and
    whether it had a colon."""

    number: int
    name: str
    value: str
    has_colon: bool


def _header_lines(text: str) -> list[_HeaderLine]:
    """One header per line; a literal backslash-n (as typed into JSON by hand) also separates."""
    lines: list[_HeaderLine] = []
    for number, line in enumerate(text.replace("\\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        name, colon, rest = line.partition(":")
        lines.append(_HeaderLine(number, name.strip(" \t"), rest.strip(" \t"), bool(colon)))
    return lines


def custom_header_problems(config: ResolvedConfig, names: list[str]) -> Iterator[Problem]:
    value = config.env.get(env_vars.CUSTOM_HEADERS)
    if value is None or value.text is None:
        return
    where = value.origin.describe()
    fix = Fix(
        f"Write {env_vars.CUSTOM_HEADERS} as one 'Name: Value' per line (in JSON, separate "
        "lines with \\n); names are letters, digits and - only; retype any value copied from a "
        "web page (curly quotes, zero-width spaces).",
        snippet=json.dumps({"env": {env_vars.CUSTOM_HEADERS: "X-Name: value\nX-Other: value"}}),
    )
    for line in _header_lines(value.text):
        label = f"line {line.number}"
        if not line.has_colon:
            yield Problem(
                Status.WARN,
                f"{env_vars.CUSTOM_HEADERS} ({where}) {label} has no ':' and is ignored",
                fix,
            )
            continue
        shown_name = repr(line.name[:40])
        if not line.name or not _HTTP_TOKEN.match(line.name):
            breaker = _header_breaker(line.name)
            why = (
                "has no header name"
                if not line.name
                else f"name {shown_name} contains {_describe(breaker)}"
                if breaker is not None
                else f"name {shown_name} is not a valid HTTP header name"
            )
            yield Problem(
                Status.FAIL,
                f"{env_vars.CUSTOM_HEADERS_ERROR}: {label} ({where}) {why}",
                fix,
            )
            continue
        names.append(line.name)
        breaker = _header_breaker(line.value)
        if breaker is not None:
            yield Problem(
                Status.FAIL,
                f"{env_vars.CUSTOM_HEADERS_ERROR}: the value of {line.name} ({where}) contains "
                f"{_describe(breaker)}",
                fix,
            )


# ---- what the check saw -------------------------------------------------------------------------


def variable_inventory(config: ResolvedConfig) -> dict[str, dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for name, value in sorted(config.env.items()):
        kind = env_vars.kind_of(name)
        if value.text is None or kind is None or kind is Kind.SET_BY_CLIENT:
            continue
        if kind is Kind.HEADERS:
            lines = _header_lines(value.text)
            # A line that is not `Name: Value` may be a pasted secret: count it, never show it.
            valid = [h.name for h in lines if h.has_colon and _HTTP_TOKEN.match(h.name)]
            malformed = len(lines) - len(valid)
            shown = "headers: " + ", ".join(valid)
            if malformed:
                shown += f" (+{malformed} malformed line{'s' if malformed > 1 else ''})"
        elif kind is Kind.CREDENTIAL or is_secret_variable(name):
            shown = fingerprint(value.text, name.lower())
        else:
            shown = value.text
        entry: dict[str, Any] = {"value": shown, "from": value.origin.describe()}
        if value.shadowed:
            entry["overrides"] = [v.origin.describe() for v in value.shadowed]
        seen[name] = entry
    return seen
