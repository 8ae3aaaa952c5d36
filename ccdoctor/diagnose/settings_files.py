"""What is wrong with Claude Code's settings files: why one does not load and what is lost with it,
and which keys the client ignores or misreads (~/.claude.json included)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ccdoctor.config.resolve import env_string
from ccdoctor.config.settings_files import (
    GLOBAL_CONFIG_LIMIT,
    MAX_SETTINGS_BYTES,
    SettingsError,
    SettingsLayer,
    Source,
    global_config_path,
)
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core import repairs
from ccdoctor.core.encoding import Encoding, decoded
from ccdoctor.core.results import DOWNSTREAM, Fix, Problem, Status
from ccdoctor.core.secrets import is_secret_variable
from ccdoctor.knowledge import env_vars, settings_keys
from ccdoctor.knowledge.settings_keys import JsonType, json_type

_SHOWN_NAMES = 6


def settings_label(layer: SettingsLayer, home: Path) -> str:
    path = _short(layer.path, home)
    if layer.source is Source.CLI:
        return "--settings (inline JSON)" if path.startswith("--settings") else f"--settings {path}"
    return f"{layer.source.value} settings {path}"


def _short(path: str, home: Path) -> str:
    prefix = str(home).rstrip("/") + "/"
    return "~/" + path[len(prefix) :] if path.startswith(prefix) else path


# ---- files that do not load ---------------------------------------------------------------------


def broken_file_problem(layer: SettingsLayer, label: str, config: ResolvedConfig) -> Problem:
    error = layer.error
    assert error is not None
    if layer.source is Source.CLI and not layer.exists:
        return Problem(
            Status.FAIL,
            f"--settings file {layer.path} does not exist",
            Fix(
                f"Pass the right path to --settings (a relative path is taken from "
                f"{config.inputs.project_dir}), or inline JSON starting with '{{'.",
                (repairs.show_file(layer.path),),
            ),
        )
    salvaged = _salvage(layer, config)
    lost = _what_vanished(salvaged)
    # The client drops the file silently: that breaks the connection only if the file held
    # something the connection depends on (seen: a broken file of permissions is harmless).
    status = Status.FAIL if _bears_on_connection(salvaged) else Status.WARN
    # What the dropped file held is missing everywhere after it: those failures are symptoms.
    explains = DOWNSTREAM if status is Status.FAIL else ()
    if error.line is not None and error.column is not None and "not valid JSON" in error.message:
        hint = _syntax_hint(layer, config)
        return Problem(
            status,
            f"{label} {error.message} at line {error.line}, column {error.column}"
            f"{hint}; Claude Code drops the whole file silently, so {lost}",
            Fix(
                f"Fix the JSON at line {error.line}, column {error.column} of {layer.path}: "
                "settings files are strict JSON (no comments, no trailing commas). The command "
                "below shows the first error until the file parses.",
                (repairs.show_json_error(layer.path),),
            ),
            explains,
        )
    return Problem(
        status,
        f"{label} {error.message}; Claude Code ignores the whole file, so {lost}",
        _repair(layer, error),
        explains,
    )


def _bears_on_connection(salvaged: Mapping[str, Any] | None) -> bool:
    """Whether a dropped file took connection settings with it; unknown contents count."""
    if salvaged is None:
        return True
    for key in salvaged:
        spec = settings_keys.KNOWN_SETTINGS.get(key)
        if spec is None or spec.connectivity:
            return True
    return False


def _repair(layer: SettingsLayer, error: SettingsError) -> Fix:
    message = error.message
    if error.encoding is not None:
        return _reencode(layer, error.encoding)
    if "is empty" in message:
        return Fix(
            f"Write an empty object into {layer.path}, or delete it.",
            (repairs.write_empty_object(layer.path),),
        )
    if "directory" in message:
        return Fix(f"{layer.path} must be a JSON file; move the directory out of the way.")
    if "cannot be read" in message:
        return Fix(
            f"Let your user read {layer.path}.",
            (repairs.show_file(layer.path), repairs.make_readable(layer.path)),
        )
    if "2 MiB" in message:
        return Fix(f"Shrink {layer.path} below 2 MiB; settings files hold configuration only.")
    return Fix(f"Make {layer.path} hold a single JSON object, like {{}}.")


def _reencode(layer: SettingsLayer, encoding: Encoding) -> Fix:
    """A conversion command only when it is known to give the same JSON back: from a BOM or a
    UTF-16 pattern, or from latin-1 when the text read that way parses; otherwise prose."""
    keep = f" (the original is kept as {layer.path}{repairs.BACKUP_SUFFIX})"
    if encoding is Encoding.UTF8_BOM:
        text = f"Remove the byte-order mark from the start of {layer.path}{keep}."
    else:
        text = f"Re-save {layer.path} as UTF-8 without a byte-order mark{keep}."
    raw = _raw_bytes(layer)
    content = decoded(raw, encoding) if raw is not None else None
    if content is None or (
        encoding is Encoding.LATIN1 and _lenient(content, comments=False, commas=False) is None
    ):
        return Fix(
            f"Re-save {layer.path} as UTF-8 (without a byte-order mark) in the editor that wrote "
            "it: its encoding could not be told from its bytes, so no conversion is safe to "
            "suggest."
        )
    return Fix(text, (repairs.reencode(layer.path, encoding),))


def _raw_text(layer: SettingsLayer, config: ResolvedConfig) -> str | None:
    if layer.source is Source.CLI and layer.path.startswith("--settings"):
        return config.inputs.settings_arg
    raw = _raw_bytes(layer)
    if raw is None:
        return None
    encoding = layer.error.encoding if layer.error is not None else None
    if encoding is not None and (text := decoded(raw, encoding)) is not None:
        return text.removeprefix("\ufeff")
    return raw.decode("utf-8-sig", errors="replace")


def _raw_bytes(layer: SettingsLayer) -> bytes | None:
    try:
        path = Path(layer.path)
        if not path.is_file() or path.stat().st_size > MAX_SETTINGS_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _salvage(layer: SettingsLayer, config: ResolvedConfig) -> Mapping[str, Any] | None:
    """The file's contents read leniently (comments and trailing commas allowed), to say what
    the client lost; None when even that fails."""
    text = _raw_text(layer, config)
    if text is None:
        return None
    data = _lenient(text, comments=True, commas=True)
    return data if isinstance(data, dict) else None


def _syntax_hint(layer: SettingsLayer, config: ResolvedConfig) -> str:
    text = _raw_text(layer, config)
    if text is None:
        return ""
    if _lenient(text, comments=False, commas=True) is not None:
        return " (a trailing comma)"
    if _lenient(text, comments=True, commas=False) is not None:
        return " (a comment; JSON has none)"
    if _lenient(text, comments=True, commas=True) is not None:
        return " (comments and trailing commas)"
    return ""


_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _lenient(text: str, *, comments: bool, commas: bool) -> Any:
    cleaned = _strip_comments(text) if comments else text
    if commas:
        cleaned = _outside_strings(cleaned, lambda part: _TRAILING_COMMA.sub(r"\1", part))
    try:
        return json.loads(cleaned)
    except (ValueError, RecursionError):
        return None


def _strip_comments(text: str) -> str:
    def drop(part: str) -> str:
        part = re.sub(r"/\*.*?\*/", "", part, flags=re.S)
        return re.sub(r"//[^\n]*", "", part)

    return _outside_strings(text, drop)


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def _outside_strings(text: str, change: Any) -> str:
    """Apply `change` to the parts of `text` that are not inside JSON strings."""
    out: list[str] = []
    position = 0
    for match in _STRING.finditer(text):
        out.append(change(text[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(change(text[position:]))
    return "".join(out)


def _what_vanished(data: Mapping[str, Any] | None) -> str:
    if data is None:
        return "everything in it, its env block included, is ignored"
    parts: list[str] = []
    env = data.get("env")
    if isinstance(env, dict) and env:
        names = [str(n) for n in env]
        shown = ", ".join(names[:_SHOWN_NAMES]) + (" …" if len(names) > _SHOWN_NAMES else "")
        parts.append(f"its env block ({shown}) is ignored")
    others = [k for k in data if k != "env"]
    if others:
        shown = ", ".join(others[:_SHOWN_NAMES]) + (" …" if len(others) > _SHOWN_NAMES else "")
        parts.append(f"its {shown} setting{'s' if len(others) > 1 else ''} too")
    return " and ".join(parts) if parts else "nothing else is lost (it holds no settings)"


# ---- files that load ----------------------------------------------------------------------------


def content_problems(
    layer: SettingsLayer, label: str, unrecognised: dict[str, list[str]]
) -> Iterator[Problem]:
    assert layer.data is not None
    for key, value in layer.data.items():
        spec = settings_keys.KNOWN_SETTINGS.get(key)
        if spec is None:
            problem = _unknown_key(key, value, label, layer)
            if problem is None:
                unrecognised.setdefault(layer.path, []).append(key)
            else:
                yield problem
            continue
        actual = json_type(value)
        if spec.types is not None and actual not in spec.types:
            yield _wrong_type(key, spec.types, actual, spec.connectivity, label, layer)
        elif key == "env":
            yield from _env_values(value, label, layer)
        elif key == "modelOverrides":
            yield from _override_values(value, label, layer)
    if layer.source is Source.PROJECT:
        yield from _committed_secrets(layer)


def _unknown_key(key: str, value: Any, label: str, layer: SettingsLayer) -> Problem | None:
    if key in settings_keys.MISPLACED:
        return Problem(
            Status.WARN,
            f"{label}: {key!r} is not read from settings files",
            Fix(f"{settings_keys.MISPLACED[key]}. Then remove {key!r} from {layer.path}."),
        )
    variable = key.strip().upper()
    if env_vars.kind_of(variable) is not None:
        shown = "<value>" if is_secret_variable(variable) else env_string(value) or "<value>"
        return Problem(
            Status.WARN,
            f"{label}: {key} is an environment variable written at the top level, where Claude "
            'Code ignores it; it must sit inside "env"',
            Fix(
                f'Move {key} into the "env" object of {layer.path}.',
                snippet=json.dumps({"env": {variable: shown}}),
            ),
        )
    suggestion = settings_keys.closest_setting(key)
    if suggestion is None:
        return None
    return Problem(
        Status.WARN,
        f"{label}: unknown key {key!r} (did you mean {suggestion!r}?); Claude Code ignores it",
        Fix(
            f"Rename {key!r} to {suggestion!r} in {layer.path}.",
            snippet=json.dumps({suggestion: _example_value(value)}),
        ),
    )


def _example_value(value: Any) -> Any:
    # Cutting the JSON text short would make the snippet invalid; a long value is replaced whole.
    return value if len(json.dumps(value)) <= 200 else "<value>"


def _wrong_type(
    key: str,
    expected: frozenset[JsonType],
    actual: JsonType,
    connectivity: bool,
    label: str,
    layer: SettingsLayer,
) -> Problem:
    wanted = " or ".join(sorted(t.value for t in expected))
    consequence = (
        "none of its variables reach Claude Code"
        if key == "env"
        else "Claude Code reports a settings error and does not use the value"
    )
    example = {
        "env": '{"env": {"CLAUDE_CODE_USE_BEDROCK": "1"}}',
        "modelOverrides": '{"modelOverrides": {"claude-opus-4-6": "<provider model ID>"}}',
    }.get(key, json.dumps({key: "<value>"}) if JsonType.STRING in expected else None)
    return Problem(
        Status.FAIL if connectivity else Status.WARN,
        f"{label}: {key} must be {wanted}, not {actual.value}; {consequence}",
        Fix(f"Write {key} as {wanted} in {layer.path}.", snippet=example),
    )


def _env_values(env: Mapping[str, Any], label: str, layer: SettingsLayer) -> Iterator[Problem]:
    for name, raw in env.items():
        if isinstance(raw, str):
            continue
        kind = json_type(raw)
        text = env_string(raw)
        secret = is_secret_variable(name)
        if text:
            effect = f"it is stringified to {text!r}"
            quoted = "<value>" if secret else text
        else:
            effect = "it becomes an empty value, which Claude Code treats as unset"
            quoted = "<value>"
        yield Problem(
            Status.WARN,
            f"{label}: env {name} is {kind.value}, not a string; {effect}",
            Fix(
                f"Write every env value as a JSON string in {layer.path} (quotes around it); an "
                'empty string "" is the way to unset a variable.',
                snippet=json.dumps({"env": {name: quoted}}),
            ),
        )


def _override_values(
    overrides: Mapping[str, Any], label: str, layer: SettingsLayer
) -> Iterator[Problem]:
    for source_id, target in overrides.items():
        if isinstance(target, str) and target:
            continue
        yield Problem(
            Status.WARN,
            f"{label}: modelOverrides[{source_id!r}] is {json_type(target).value}, not a model "
            "ID; that mapping is ignored",
            Fix(
                f"Map {source_id} to the provider's model ID (a string) in {layer.path}.",
                snippet=json.dumps({"modelOverrides": {source_id: "<provider model ID>"}}),
            ),
        )


def _committed_secrets(layer: SettingsLayer) -> Iterator[Problem]:
    names = [
        name
        for name, raw in layer.env.items()
        if is_secret_variable(name) and isinstance(raw, str) and raw.strip()
    ]
    if not names:
        return
    local = str(Path(layer.path).with_name("settings.local.json"))
    yield Problem(
        Status.WARN,
        f"project settings {layer.path} holds {', '.join(names)}: this file is meant to be "
        "committed, so the secret is shared with everyone who clones the repository",
        Fix(
            f"Move {', '.join(names)} to {local} (not committed) or to ~/.claude/settings.json, "
            "remove it from the committed file, and rotate it if it was ever pushed. Note that "
            "env from project files only applies after the workspace-trust prompt.",
            snippet=json.dumps({"env": dict.fromkeys(names, "<value>")}),
        ),
    )


# ---- ~/.claude.json -----------------------------------------------------------------------------


def global_config_problems(config: ResolvedConfig) -> Iterator[Problem]:
    config_dir = config.inputs.environ.get("CLAUDE_CONFIG_DIR")
    path = global_config_path(config.inputs.environ, config.inputs.home)
    data = _read_json(path)
    if not isinstance(data, dict):
        return
    settings_path = (
        Path(config_dir) / "settings.json" if config_dir else Path("~/.claude/settings.json")
    )
    for key in settings_keys.GLOBAL_CONFIG_IGNORED:
        if key not in data:
            continue
        yield Problem(
            Status.WARN,
            f"{path} has a {key!r} block, which Claude Code ignores there: ~/.claude.json is app "
            "state, not a settings file",
            Fix(
                f"Move the {key!r} block into {settings_path} and delete it from {path}.",
                snippet=json.dumps({key: "…"}),
            ),
        )


def _read_json(path: Path) -> Any:
    try:
        if not path.is_file() or path.stat().st_size > GLOBAL_CONFIG_LIMIT:
            return None
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return None
