"""Which credential Claude Code will send to the Anthropic API (or the gateway at
ANTHROPIC_BASE_URL), in which header, and whether it can work."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ccdoctor.config.removal import removal_fix, unset_command
from ccdoctor.config.resolve import SHELL, Value, env_string
from ccdoctor.config.settings_files import Source
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core import repairs
from ccdoctor.core.redact import Redactor, fingerprint
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.host import files as file_probe
from ccdoctor.host.commands import CommandRun, expand_home, program_path, run_shell_command
from ccdoctor.knowledge import credentials as known
from ccdoctor.knowledge.credential_text import credential_text_problem
from ccdoctor.knowledge.credentials import TokenKind
from ccdoctor.knowledge.routes import ANTHROPIC_API

MEMO_KEY = "credentials.anthropic"
HELPER = "apiKeyHelper"
CLAUDE_LOGIN = "claude.ai login"
_HELPER_KIND = "apikeyhelper-output"
_TOKEN_LIKE_MIN_CHARS = 16
"""A single word at least this long on stderr is treated as a misdirected key."""
_QUOTED_LINE_MAX = 200

_EXPECTED_KIND = {
    "ANTHROPIC_API_KEY": TokenKind.API_KEY,
    "CLAUDE_CODE_OAUTH_TOKEN": TokenKind.OAUTH_ACCESS,
}
_HOME_OF_KIND = {kind: variable for variable, kind in _EXPECTED_KIND.items()}
_SHELL = SHELL.describe()


@dataclass(frozen=True)
class SentCredential:
    """A credential the client sends on the Anthropic route: where it comes from and the headers it
    fills."""

    source: str
    """The variable or setting it comes from, or "claude.ai login"."""
    origin: str
    headers: tuple[str, ...]
    value: str | None
    """The secret itself, for a live check to send; None for a login ccdoctor does not read."""


@dataclass(frozen=True)
class ClaudeLogin:
    """The claude.ai login /login left on disk: present or not, its expiry, whether it can be
    refreshed, or why it is unreadable."""

    path: Path
    present: bool
    expires_at: datetime | None = None
    refreshable: bool = False
    unreadable: str | None = None


@dataclass(frozen=True)
class AnthropicCredentials:
    """The verdict on the Anthropic route's credentials: the source the client uses, what it sends,
    and the problems."""

    chosen: str | None
    """The source the client uses (even when it fails), or None when there is none."""
    sent: tuple[SentCredential, ...]
    problems: tuple[Problem, ...]
    details: Mapping[str, Any]


def anthropic_credentials(ctx: CheckContext) -> AnthropicCredentials:
    """The verdict for this run, worked out once: the apiKeyHelper must not run once per check
    (each run costs the user's secret store a call, and two runs may give two keys)."""
    return ctx.once(MEMO_KEY, lambda: find_anthropic_credentials(ctx))


def find_anthropic_credentials(ctx: CheckContext) -> AnthropicCredentials:
    """The offline verdict; a live check reuses `sent` to make its request."""
    config = ctx.config
    gateway = _gateway(config)
    problems: list[Problem] = []
    details: dict[str, Any] = {"endpoint": gateway or f"https://{known.ANTHROPIC_API_HOST}"}

    auth = _env_credential(config, "ANTHROPIC_AUTH_TOKEN", (known.BEARER_HEADER,))
    key = _env_credential(config, "ANTHROPIC_API_KEY", (known.API_KEY_HEADER,))
    oauth = _env_credential(config, "CLAUDE_CODE_OAUTH_TOKEN", (known.BEARER_HEADER,))
    helper = _helper_setting(config, problems)
    primary = _primary_api_key(config)
    if auth and not key:
        # The client sends the stored key beside the token, as it would ANTHROPIC_API_KEY.
        key = primary
    login = read_claude_login(config)
    details["claude_login"] = _login_details(login)

    sent: list[SentCredential] = []
    chosen: str | None = None
    if auth or key:
        sent = [c for c in (auth, key) if c is not None]
        chosen = sent[0].source
        if auth and key:
            problems.append(_both_env_conflict(auth, key, gateway))
        ignored = [(HELPER, helper.origin.describe())] if helper else []
        ignored += [(oauth.source, oauth.origin)] if oauth else []
        problems.extend(_ignored(name, origin, chosen) for name, origin in ignored)
        if key and not auth and login.present:
            problems.append(_login_conflict(key.source))
    elif helper:
        chosen = HELPER
        run_details, helper_credential = _run_helper(ctx, helper, gateway, problems)
        details["helper"] = run_details
        sent = [helper_credential] if helper_credential else []
        if oauth:
            problems.append(_ignored(oauth.source, oauth.origin, HELPER, conflict=True))
        if login.present:
            problems.append(_login_conflict(HELPER))
    elif oauth:
        chosen = oauth.source
        sent = [oauth]
    elif login.present:
        # Watched on 2.1.197 and 2.1.332 (tests/facts/leftovers.md): a login beats the
        # primaryApiKey an older /login left in ~/.claude.json.
        chosen = CLAUDE_LOGIN
        sent = [SentCredential(CLAUDE_LOGIN, str(login.path), (known.BEARER_HEADER,), None)]
        problems.extend(_login_problems(login, gateway))
    elif primary:
        chosen = primary.source
        sent = [primary]
    else:
        problems.append(_not_logged_in(login, gateway))

    for credential in sent:
        if credential.value is not None and credential.source != HELPER:
            problems.extend(_value_problems(config, credential, gateway))
    details["chosen"] = chosen
    details["sent"] = [_sent_details(c) for c in sent]
    return AnthropicCredentials(chosen, tuple(sent), tuple(problems), details)


def _gateway(config: ResolvedConfig) -> str | None:
    url = (config.get(ANTHROPIC_API.base_url_variable) or "").strip()
    if not url:
        return None
    try:
        host = urlsplit(url.strip("\"'")).hostname
    except ValueError:
        return url
    return None if host == known.ANTHROPIC_API_HOST else url


def _env_credential(
    config: ResolvedConfig, name: str, headers: tuple[str, ...]
) -> SentCredential | None:
    value = config.env.get(name)
    if value is None or value.text is None:
        return None
    return SentCredential(name, value.origin.describe(), headers, value.text)


def _primary_api_key(config: ResolvedConfig) -> SentCredential | None:
    """The key /login stored in ~/.claude.json; the same key in a settings file is not read."""
    for layer in config.layers.loaded:
        value = layer.data.get(known.PRIMARY_API_KEY) if layer.data is not None else None
        if layer.source is Source.GLOBAL and isinstance(value, str) and value.strip():
            return SentCredential(
                known.PRIMARY_API_KEY, f"{layer.path} (/login)", (known.API_KEY_HEADER,), value
            )
    return None


def _helper_setting(config: ResolvedConfig, problems: list[Problem]) -> Value | None:
    setting = config.settings.get(HELPER)
    if setting is None or setting.raw is None:
        return None
    if not isinstance(setting.raw, str):
        problems.append(
            Problem(
                Status.WARN,
                f"apiKeyHelper in {setting.origin.describe()} is {type(setting.raw).__name__}, "
                "not a command string: Claude Code cannot run it",
                Fix(
                    "Make apiKeyHelper a single shell command string.",
                    snippet='{"apiKeyHelper": "~/bin/get-anthropic-key"}',
                ),
            )
        )
        return None
    return setting if setting.raw.strip() else None


# --- conflicts -----------------------------------------------------------------------------------


def _both_env_conflict(auth: SentCredential, key: SentCredential, gateway: str | None) -> Problem:
    drop, keep = (key, auth) if gateway else (auth, key)
    expects = "A gateway usually expects" if gateway else "The Anthropic API expects"
    return Problem(
        Status.WARN,
        f"{known.auth_conflict(auth.source, key.source)} Both go out on every request "
        f"({known.BEARER_HEADER} and {known.API_KEY_HEADER}); the server may check the one you "
        "did not mean",
        _unset_fix(drop, f"Keep one. {expects} {keep.source}; unset {drop.source}."),
    )


def _ignored(name: str, origin: str, winner: str, *, conflict: bool = False) -> Problem:
    prefix = f"{known.auth_conflict(name, winner)} " if conflict else ""
    remove = f"run `{unset_command(name)}`" if origin == _SHELL else f"delete {name} from {origin}"
    return Problem(
        Status.WARN,
        f"{prefix}{name} from {origin} is ignored: {winner} takes precedence",
        Fix(
            f"Remove whichever you do not mean to use. If {name} is the right credential, remove "
            f"{winner}; otherwise {remove}."
        ),
    )


def _login_conflict(key_source: str) -> Problem:
    return Problem(
        Status.WARN,
        f"{known.auth_conflict('claude.ai', key_source)} Claude Code uses {key_source}, not the "
        "saved claude.ai login",
        Fix(
            "Use one: log out of claude.ai to keep the key, or remove the key to use your "
            "subscription.",
            ("claude /logout",),
        ),
    )


def _unset_fix(credential: SentCredential, text: str) -> Fix:
    if credential.origin == _SHELL:
        return Fix(text, (unset_command(credential.source),))
    return Fix(f"{text} It is set in {credential.origin}: delete it from that file's env block.")


# --- credential text and shape -------------------------------------------------------------------


def _value_problems(
    config: ResolvedConfig, credential: SentCredential, gateway: str | None
) -> list[Problem]:
    assert credential.value is not None
    name, origin = credential.source, credential.origin
    issue = credential_text_problem(credential.value)
    if issue is not None:
        return [
            Problem(
                Status.FAIL,
                f"{name} from {origin} {issue}: Claude Code sends it as it is and the server "
                f'rejects it ("{known.INVALID_API_KEY}")',
                Fix(
                    f"Set {name} to the bare credential: no quotes, spaces or line breaks. In a "
                    f"shell `export {name}=…` needs no quotes; in a settings file write "
                    f'"{name}": "…" once.',
                ),
            )
        ]
    if gateway is not None:
        return []  # a gateway issues keys in its own shape (LiteLLM: sk-…)
    return _shape_problems(config, name, origin, credential.value.strip())


def _shape_problems(config: ResolvedConfig, name: str, origin: str, value: str) -> list[Problem]:
    kind = known.token_kind(value)
    expected = _EXPECTED_KIND.get(name)
    where = f"{name} from {origin}"
    if kind in known.NEVER_VALID_FOR_INFERENCE:
        return [
            Problem(
                Status.FAIL,
                f"{where} holds a {kind.value}, which cannot call the Messages API",
                Fix(
                    "Create an API key at https://console.anthropic.com/settings/keys (or run "
                    "`claude setup-token` for an OAuth token) and use it instead.",
                ),
            )
        ]
    if expected is not None and kind is not expected and kind in _HOME_OF_KIND:
        home = _HOME_OF_KIND[kind]
        return [
            Problem(
                Status.FAIL,
                f"{where} holds a {kind.value}, which api.anthropic.com does not accept there",
                removal_fix(
                    config,
                    f"Move it to {home} and unset {name}.",
                    name,
                    after=(f"export {home}=…",),
                ),
            )
        ]
    if kind is TokenKind.FOREIGN:
        status = Status.FAIL if expected is not None else Status.WARN
        return [
            Problem(
                status,
                f"{where} does not look like an Anthropic credential (sk-ant-…) and "
                f"ANTHROPIC_BASE_URL is not set, so it goes to {known.ANTHROPIC_API_HOST}",
                Fix(
                    "If this is a gateway key, point Claude Code at the gateway; otherwise use "
                    "an Anthropic API key.",
                    ("export ANTHROPIC_BASE_URL=https://your-gateway.example/anthropic",),
                ),
            )
        ]
    if expected is not None and kind is not expected:
        return [
            Problem(
                Status.WARN,
                f"{where} is an {kind.value}, not the expected {expected.value}",
                Fix(f"Check that {name} holds the credential you meant."),
            )
        ]
    return []


# --- apiKeyHelper --------------------------------------------------------------------------------


def _run_helper(
    ctx: CheckContext, setting: Value, gateway: str | None, problems: list[Problem]
) -> tuple[dict[str, Any], SentCredential | None]:
    config = ctx.config
    command = str(setting.raw).strip()
    origin = setting.origin.describe()
    expanded = expand_home(command, config.inputs.home)
    details: dict[str, Any] = {"command": command, "origin": origin, "ttl_ms": _helper_ttl(config)}
    script = program_path(expanded)
    if script is not None:
        if not script.is_absolute():
            script = config.inputs.project_dir / script
        unusable = _script_problem(script, command, origin)
        if unusable is not None:
            problems.append(unusable)
            return details, None
    run = run_shell_command(
        expanded,
        timeout=ctx.step_timeout(),
        env=_client_env(config),
        cwd=config.inputs.project_dir,
    )
    _register_output(ctx.redactor, run)  # before any message can quote it
    details.update(duration_ms=run.duration_ms, exit_code=run.exit_code)
    found = _helper_failure(ctx.redactor, run, command, origin)
    if found is not None:
        problems.append(found)
        return details, None
    value = run.stdout.strip()
    details["output"] = fingerprint(value, _HELPER_KIND)
    credential = SentCredential(HELPER, origin, (known.BEARER_HEADER, known.API_KEY_HEADER), value)
    output_issue = _helper_output_problem(run, config, command)
    if output_issue is not None:
        problems.append(output_issue)
    else:
        problems.extend(_value_problems(config, credential, gateway))
    if run.duration_ms > known.HELPER_SLOW_NOTICE_SECONDS * 1000:
        problems.append(
            Problem(
                Status.WARN,
                f"apiKeyHelper took {run.duration_ms / 1000:.1f} s; Claude Code shows a "
                f"slow-helper notice after {known.HELPER_SLOW_NOTICE_SECONDS:g} s and waits for "
                "it again every time the key is refreshed",
                Fix(
                    "Make the helper answer from a local cache and refresh in the background, or "
                    f"raise {known.HELPER_TTL_VARIABLE} so it runs less often.",
                    snippet=f'{{"env": {{"{known.HELPER_TTL_VARIABLE}": "3600000"}}}}',
                ),
            )
        )
    return details, credential


def _script_problem(script: Path, command: str, origin: str) -> Problem | None:
    if not file_probe.exists(script):
        return Problem(
            Status.FAIL,
            f"apiKeyHelper from {origin} runs {script}, which does not exist",
            Fix(
                f"Fix the apiKeyHelper path in {origin}, or create the script. The helper "
                "runs in the directory Claude Code starts in, so prefer an absolute path.",
            ),
        )
    if file_probe.is_dir(script) or not os.access(script, os.X_OK):
        return Problem(
            Status.FAIL,
            f"apiKeyHelper from {origin} runs {script}, which is not executable",
            Fix("Make the script executable.", (repairs.make_executable(str(script)), command)),
        )
    return None


def _helper_failure(
    redactor: Redactor, run: CommandRun, command: str, origin: str
) -> Problem | None:
    """Why the helper produced no key at all, or None when it printed something on stdout."""
    by_hand = Fix(
        "Run the helper by hand and fix what it reports; it often means logging in to the "
        "secret store it reads from again.",
        (command,),
    )
    stderr_line = _first_line(redactor, run.stderr)
    said = f": {stderr_line}" if stderr_line else ""
    if run.start_error is not None:
        return Problem(
            Status.FAIL,
            f"apiKeyHelper could not be started with {known.SHELL}: {run.start_error}",
            by_hand,
        )
    if run.timed_out:
        return Problem(
            Status.FAIL,
            f"apiKeyHelper from {origin} did not finish within {run.duration_ms / 1000:.1f} s; "
            "Claude Code waits for it before every request that needs a key",
            Fix(
                "Run it by hand: does it wait for input (a login prompt, a password) or hang on "
                "the network? If it is only slow, re-run ccdoctor with a longer --timeout.",
                (command, "ccdoctor --only credentials.anthropic --timeout 30"),
            ),
        )
    if run.exit_code != 0:
        fix = by_hand
        if run.exit_code == known.EXIT_NOT_FOUND:
            fix = Fix(
                "The shell could not find the command: check the path and that the program is "
                "installed and on PATH for Claude Code.",
                (command,),
            )
        elif run.exit_code == known.EXIT_NOT_EXECUTABLE:
            fix = Fix("The shell found the command but may not run it: chmod +x it.", (command,))
        return Problem(
            Status.FAIL,
            f"apiKeyHelper from {origin} exited with status {run.exit_code}{said}. Claude Code "
            "then sends an empty key, gets 401 and re-runs the helper on every retry "
            f'("{known.HELPER_FAILING}")',
            fix,
        )
    if run.stdout.strip():
        return None
    if _token_like(run.stderr):
        return Problem(
            Status.FAIL,
            f"apiKeyHelper from {origin} printed nothing on stdout and a key-like value on "
            "stderr: Claude Code reads only stdout",
            Fix(
                "Print the key to stdout (drop the >&2 or the logging call that prints it).",
                (command,),
            ),
        )
    return Problem(
        Status.FAIL,
        f"apiKeyHelper from {origin} printed nothing on stdout"
        + (f"; stderr says{said}" if stderr_line else ""),
        by_hand,
    )


def _helper_output_problem(run: CommandRun, config: ResolvedConfig, command: str) -> Problem | None:
    """The stdout rules from 2.1.227: one printable-ASCII token of bounded length."""
    version = config.claude_version
    strict = version is None or version >= known.HELPER_STRICT_OUTPUT_SINCE
    since = ".".join(map(str, known.HELPER_STRICT_OUTPUT_SINCE))
    consequence = (
        f"Claude Code {since} and later reject it"
        if strict
        else f"Claude Code {since} and later reject it; this version sends it all as the key"
    )
    fix = Fix(
        "Make the helper print only the key on stdout; send progress and log lines to stderr "
        "(`echo … >&2`).",
        (command,),
    )
    status = Status.FAIL if strict else Status.WARN
    if run.stdout_truncated:
        cap = known.HELPER_OUTPUT_CAP_BYTES // 1024
        return Problem(Status.FAIL, f"apiKeyHelper printed more than {cap} KiB", fix)
    text = run.stdout.strip()
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        return Problem(
            status, f"apiKeyHelper printed {len(lines)} lines, not just the key: {consequence}", fix
        )
    words = text.split()
    if len(words) > 1:
        return Problem(
            status,
            f"apiKeyHelper printed {len(words)} words on one line, not just the key: {consequence}",
            fix,
        )
    odd = next((c for c in text if not 0x21 <= ord(c) <= 0x7E), None)
    if odd is not None:
        return Problem(
            status,
            f"apiKeyHelper's output contains U+{ord(odd):04X}, which is not printable ASCII: "
            f"{consequence}",
            fix,
        )
    if len(text) > known.HELPER_MAX_TOKEN_CHARS:
        return Problem(
            status,
            f"apiKeyHelper printed {len(text):,} characters, more than "
            f"{known.HELPER_MAX_TOKEN_CHARS:,}: {consequence}",
            fix,
        )
    return None


def _register_output(redactor: Redactor, run: CommandRun) -> None:
    """Every piece of stdout that could be the key, and a key printed to stderr by mistake.
    Short lines and words are left out: registering "true" would scrub it from every result."""
    redactor.add(run.stdout, _HELPER_KIND)
    for piece in (*run.stdout.splitlines(), *run.stdout.split()):
        if len(piece.strip()) >= _TOKEN_LIKE_MIN_CHARS:
            redactor.add(piece, _HELPER_KIND)
    if _token_like(run.stderr):
        redactor.add(run.stderr.strip().splitlines()[0], _HELPER_KIND)


def _token_like(text: str) -> bool:
    lines = text.strip().splitlines()
    if not lines:
        return False
    first = lines[0].strip()
    return len(first) >= _TOKEN_LIKE_MIN_CHARS and all(0x21 <= ord(c) <= 0x7E for c in first)


def _first_line(redactor: Redactor, text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = redactor.scrub(line)
    return line if len(line) <= _QUOTED_LINE_MAX else line[:_QUOTED_LINE_MAX] + "…"


def _client_env(config: ResolvedConfig) -> dict[str, str]:
    """The environment the client gives its helper: the shell's plus every settings `env`."""
    return {name: env_string(value.raw) for name, value in config.env.items()}


def _helper_ttl(config: ResolvedConfig) -> int:
    raw = (config.get(known.HELPER_TTL_VARIABLE) or "").strip()
    try:
        return int(float(raw)) if raw else known.HELPER_DEFAULT_TTL_MS
    except ValueError:
        return known.HELPER_DEFAULT_TTL_MS


# --- claude.ai login -----------------------------------------------------------------------------


def read_claude_login(config: ResolvedConfig) -> ClaudeLogin:
    """Whether /login left a claude.ai login on disk, and until when; the tokens stay unread."""
    config_dir = config.inputs.environ.get("CLAUDE_CONFIG_DIR")
    # The client joins CLAUDE_CONFIG_DIR as it is: no `~` expansion.
    base = Path(config_dir) if config_dir else config.inputs.home / ".claude"
    path = base / known.CLAUDE_CREDENTIALS_FILE
    try:
        if not path.is_file():
            return ClaudeLogin(path, present=False)
        if path.stat().st_size > 1024 * 1024:
            return ClaudeLogin(path, present=False, unreadable="is larger than 1 MiB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return ClaudeLogin(path, present=False, unreadable=f"cannot be read: {exc.strerror}")
    except (ValueError, RecursionError):
        return ClaudeLogin(path, present=False, unreadable="is not valid JSON")
    entry = data.get(known.CLAUDE_LOGIN_KEY) if isinstance(data, dict) else None
    if not isinstance(entry, dict):
        return ClaudeLogin(path, present=False, unreadable=f"has no {known.CLAUDE_LOGIN_KEY} entry")
    expires = entry.get("expiresAt")
    expires_at = None
    if isinstance(expires, int | float) and not isinstance(expires, bool):
        try:
            expires_at = datetime.fromtimestamp(expires / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            expires_at = None
    refresh = entry.get("refreshToken")
    return ClaudeLogin(path, True, expires_at, isinstance(refresh, str) and bool(refresh))


def keychain_may_hold_login() -> bool:
    return sys.platform == known.KEYCHAIN_PLATFORM


def _login_problems(login: ClaudeLogin, gateway: str | None) -> list[Problem]:
    problems: list[Problem] = []
    now = datetime.now(tz=UTC)
    if login.expires_at is not None and login.expires_at <= now and not login.refreshable:
        problems.append(
            Problem(
                Status.FAIL,
                f"the claude.ai login in {login.path} expired at "
                f"{login.expires_at:%Y-%m-%d %H:%M} UTC and cannot be refreshed",
                Fix("Log in again.", ("claude /login",)),
            )
        )
    if gateway is not None:
        problems.append(
            Problem(
                Status.WARN,
                f"the only credential is the claude.ai login, so the gateway at {gateway} "
                "receives your OAuth token; it must forward the anthropic-beta header or every "
                "request is answered 401",
                Fix(
                    "Give Claude Code the gateway's own key.",
                    ("export ANTHROPIC_AUTH_TOKEN=<gateway key>",),
                ),
            )
        )
    return problems


def _not_logged_in(login: ClaudeLogin, gateway: str | None) -> Problem:
    target = f"the gateway at {gateway}" if gateway else "the Anthropic API"
    broken = f" ({login.path} {login.unreadable})" if login.unreadable else ""
    key_command = (
        "export ANTHROPIC_AUTH_TOKEN=<gateway key>"
        if gateway
        else "export ANTHROPIC_API_KEY=sk-ant-api03-…"
    )
    fix = Fix(
        "Give Claude Code a credential: an API key in the environment, a claude.ai login, or "
        "an apiKeyHelper command in your settings that prints the key.",
        (key_command, "claude /login"),
        '{"apiKeyHelper": "~/bin/get-anthropic-key"}',
    )
    if keychain_may_hold_login():
        return Problem(
            Status.WARN,
            f"no credential for {target} in the environment or settings; a claude.ai login "
            "would be in the macOS Keychain, which ccdoctor does not read",
            Fix(
                f'Run `claude /status`: if it says "{known.NOT_LOGGED_IN}", {fix.text[0].lower()}'
                f"{fix.text[1:]}",
                fix.commands,
                fix.snippet,
            ),
        )
    return Problem(
        Status.FAIL,
        f'no credential for {target}{broken}: Claude Code stops with "{known.NOT_LOGGED_IN}"',
        fix,
    )


# --- details -------------------------------------------------------------------------------------


def _login_details(login: ClaudeLogin) -> dict[str, Any]:
    return {
        "path": str(login.path),
        "present": login.present,
        "expires_at": login.expires_at.isoformat() if login.expires_at else None,
        "refreshable": login.refreshable,
        "problem": login.unreadable,
    }


def _sent_details(credential: SentCredential) -> dict[str, Any]:
    return {
        "source": credential.source,
        "origin": credential.origin,
        "headers": list(credential.headers),
        "fingerprint": (
            fingerprint(credential.value.strip(), credential.source.lower())
            if credential.value is not None
            else None
        ),
    }
