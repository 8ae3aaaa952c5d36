"""Which Google Application Default Credentials Claude Code uses for Vertex AI, and which project
requests go to."""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ccdoctor.config.removal import removal_fix
from ccdoctor.config.resolve import env_string
from ccdoctor.config.view import ResolvedConfig, VertexProject
from ccdoctor.context import CheckContext
from ccdoctor.core.paths import expand_user
from ccdoctor.core.redact import Redactor
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.host import files as file_probe
from ccdoctor.host.cloud import cloud_vendor
from ccdoctor.knowledge import credentials as known
from ccdoctor.knowledge.connectivity import CAUSES, FACT_DEFAULTS
from ccdoctor.knowledge.routes import VERTEX
from ccdoctor.providers.vertex import wire as vertex
from ccdoctor.providers.vertex.errors import AUTH_FACT_DEFAULTS, AuthCause, classify_auth_error
from ccdoctor.providers.vertex.google import (
    EXECUTABLE_TIMEOUT,
    MintedToken,
    TokenError,
    mint_from_file,
    mint_from_metadata,
)
from ccdoctor.wire.compatible import Signer

ENV_FILE = "GOOGLE_APPLICATION_CREDENTIALS"
GCLOUD_FILE = "gcloud ADC file"
METADATA = "metadata server"
SKIPPED = "skipped"
_ADC_LOGIN = "gcloud auth application-default login"
_PROJECT_VARIABLES = ("GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT")
_CLOCK_SKEW_WORTH_SAYING = 60
"""Seconds of difference from the token endpoint's clock worth reporting."""


@dataclass(frozen=True)
class GcpCredentials:
    """The offline verdict on the Google credentials the client would use: source, file and type,
    and the problems."""

    source: str | None
    """ENV_FILE, GCLOUD_FILE, METADATA, SKIPPED, or None when there are none."""
    path: Path | None
    credential_type: str | None
    summary: str
    problems: tuple[Problem, ...]
    details: Mapping[str, Any]
    settled_live: tuple[Problem, ...] = ()
    """Problems among `problems` that only an answer from Google can settle (a live run drops
    them and reports what it found instead)."""

    @property
    def refreshable(self) -> bool:
        """Something to mint a token from, and nothing that stops the client before it tries."""
        if self.source not in (ENV_FILE, GCLOUD_FILE, METADATA):
            return False
        return not any(p.status is Status.FAIL for p in self.problems if p not in self.settled_live)


def google_token(ctx: CheckContext, vertex: bool = True) -> MintedToken | TokenError | None:
    """The access token the client would send to Vertex AI (or, `vertex=False`, to Claude
    Platform on Google Cloud, from the Application Default Credentials alone), minted once per
    run. None when there is none to mint: --offline, the route's skip-auth, or credentials that
    stop the client before it tries."""
    return ctx.once(f"google-token:{vertex}", lambda: _mint(ctx, vertex))


def bearer_signer(ctx: CheckContext, subject: str) -> Signer | str:
    """The Google access token as the Claude Platform on Google Cloud request carries it, or why
    there is none (`subject` names the check that judges the credentials)."""
    minted = google_token(ctx, vertex=False)
    if minted is None:
        return f"not proven: no Google credential to mint a token from (see {subject})"
    if isinstance(minted, TokenError):
        return f"the Google token could not be minted (see {subject})"
    token = minted.token
    return lambda _url, _body, headers: {**headers, "authorization": f"Bearer {token}"}


def vertex_project(
    config: ResolvedConfig, found: GcpCredentials, minted: MintedToken | None
) -> str | None:
    """The project the client puts in its request paths."""
    if config.vertex_project.value is not None:
        return config.vertex_project.value
    if found.source == METADATA and minted is not None:
        return minted.project
    return None


def _mint(ctx: CheckContext, vertex: bool) -> MintedToken | TokenError | None:
    found = find_gcp_credentials(ctx.config, ctx.redactor, vertex=vertex)
    if ctx.options.offline or not found.refreshable:
        return None
    timeout = ctx.step_timeout()
    if found.source == METADATA:
        minted = mint_from_metadata(ctx.network, _metadata_host(ctx.config), timeout)
    else:
        assert found.path is not None
        quota = (ctx.config.get(known.GCP_QUOTA_PROJECT_VARIABLE) or "").strip() or None
        environ = {name: env_string(value.raw) for name, value in ctx.config.env.items()}
        minted = mint_from_file(
            ctx.network, found.path, found.credential_type, quota, timeout, environ
        )
    if isinstance(minted, MintedToken):
        ctx.redactor.add(minted.token, "google-access-token")
    return minted


def _metadata_host(config: ResolvedConfig) -> str:
    for variable in vertex.METADATA_HOST_VARIABLES:
        value = (config.get(variable) or "").strip()
        if value:
            return value
    return vertex.METADATA_DEFAULT_HOST


def minted_text(minted: MintedToken) -> str:
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    left = minted.minutes_left(now)
    valid = f", valid for {left} min" if left is not None else ""
    who = f" for {minted.principal}" if minted.principal else ""
    quota = minted.quota_project or "none"
    return f"Google minted a token{who} in {minted.elapsed_ms:.0f} ms{valid}; quota project {quota}"


def quota_project_problems(
    config: ResolvedConfig, found: GcpCredentials, minted: MintedToken, project: str | None
) -> list[Problem]:
    quota = minted.quota_project
    if quota is None or project is None or quota == project:
        return []
    if config.get(known.GCP_QUOTA_PROJECT_VARIABLE):
        where = known.GCP_QUOTA_PROJECT_VARIABLE
        commands: tuple[str, ...] = (f"export {known.GCP_QUOTA_PROJECT_VARIABLE}={project}",)
    else:
        where = f"quota_project_id in {found.path}"
        commands = (f"gcloud auth application-default set-quota-project {project}",)
    return [
        Problem(
            Status.WARN,
            f"requests are billed to quota project {quota} ({where}, sent as "
            f"{vertex.QUOTA_PROJECT_HEADER}), not to the Vertex project {project}: the Vertex AI "
            f"API must be enabled, and quota available, in {quota} as well",
            Fix(
                f"Make the quota project the Vertex project, unless {quota} is meant to carry "
                "the quota (then enable aiplatform.googleapis.com there).",
                commands,
            ),
        )
    ]


def refresh_problem(config: ResolvedConfig, found: GcpCredentials, error: TokenError) -> Problem:
    where = str(found.path) if found.path else METADATA
    if EXECUTABLE_TIMEOUT in error.exception_names:
        # Claude Code waits as long as the file's timeout_millis says: slow is not broken.
        return Problem(
            Status.WARN,
            f"no token from {where} within ccdoctor's time limit: {error.text}",
            Fix(
                "Run the credential's command by hand to see whether it ends and what it prints, "
                "or give ccdoctor more time with --timeout."
            ),
        )
    if error.transport is not None:
        failure = error.transport
        text = CAUSES[failure.cause]
        endpoint = (
            f"token_uri in {found.path}"
            if found.credential_type == "service_account"
            else f"the route to {failure.host}"
        )
        facts = {
            **FACT_DEFAULTS,
            "host": failure.host,
            "port": str(failure.port),
            "url": failure.url,
            "endpoint_var": endpoint,
            "detail": failure.detail,
        }
        if failure.proxy is not None:
            proxy = urlsplit(failure.proxy.url)
            facts.update(
                proxy=f"{proxy.scheme}://{proxy.hostname}:{proxy.port or 80}",
                proxy_var=failure.proxy.variable,
                proxy_hostport=f"{proxy.hostname}:{proxy.port or 80}",
            )
        return Problem(
            Status.FAIL,
            f"no token from {where}: the connection to the token endpoint {failure.host} failed — "
            + text.summary.format(**facts),
            removal_fix(
                config,
                "Claude Code cannot refresh its Google token either, so every request would "
                "fail. " + text.fix.format(**facts),
                *text.unsets_for(facts),
                after=text.commands_for(facts),
            ),
        )
    row = classify_auth_error(error.exception_names, error.text)
    facts = {
        **AUTH_FACT_DEFAULTS,
        "path": where,
        "login": _login_command(found.credential_type),
    }
    principal = found.details.get("principal")
    if isinstance(principal, str):
        facts["principal"] = principal
    message = f'no token from {where}: {row.meaning.format(**facts)}; Google said "{error.text}"'
    if row.cause is AuthCause.CLOCK_SKEW and error.server_date is not None:
        message += _skew_text(error.server_date)
    return Problem(
        Status.FAIL,
        message,
        Fix(row.fix.format(**facts), tuple(c.format(**facts) for c in row.commands)),
    )


def _login_command(credential_type: str | None) -> str:
    if credential_type == "external_account_authorized_user":
        return f"{_ADC_LOGIN} --login-config=LOGIN_CONFIG_FILE"
    return _ADC_LOGIN


def _skew_text(server_date: datetime.datetime) -> str:
    if server_date.tzinfo is None:
        server_date = server_date.replace(tzinfo=datetime.UTC)
    skew = (datetime.datetime.now(datetime.UTC) - server_date).total_seconds()
    if abs(skew) < _CLOCK_SKEW_WORTH_SAYING:
        return ""
    direction = "ahead of" if skew > 0 else "behind"
    # The Date header has a resolution of a second, so large skews are told in minutes.
    amount = f"{abs(skew):.0f} s" if abs(skew) < 120 else f"{abs(skew) / 60:.0f} min"
    return f" (this machine's clock is {amount} {direction} the token endpoint's)"


def find_gcp_credentials(
    config: ResolvedConfig, redactor: Redactor, vertex: bool = True
) -> GcpCredentials:
    """The offline verdict; a live check refreshes the credential found at `path`.
    `vertex=False` judges the Application Default Credentials alone, for a route with its own
    project variables and skip-auth (Claude Platform on Google Cloud)."""
    problems: list[Problem] = []
    project = config.vertex_project if vertex else VertexProject(None, None)
    details: dict[str, Any] = {
        "project": {
            "value": project.value,
            "origin": project.origin,
            "shadowed": [{"origin": o, "value": v} for o, v in project.shadowed],
        }
    }
    project_problems = _project_problems(config) if vertex else []
    problems.extend(project_problems)

    def result(
        source: str | None,
        summary: str,
        path: Path | None = None,
        kind: str | None = None,
        settled_live: tuple[Problem, ...] = (),
    ) -> GcpCredentials:
        details.update(source=source, path=str(path) if path else None, type=kind)
        in_project = f", project {project.value}" if project.value else ""
        return GcpCredentials(
            source, path, kind, summary + in_project, tuple(problems), details, settled_live
        )

    if vertex and config.truthy(VERTEX.skip_auth):
        if not config.get(VERTEX.base_url_variable):
            problems.append(_skip_without_gateway(config))
        return result(SKIPPED, "skipped: the gateway supplies credentials")

    gcloud_file = gcloud_adc_path(config)
    named = config.env.get(ENV_FILE)
    if named is not None and named.text and named.text.strip():
        # google-auth-library opens the variable's path as it is: no `~` expansion.
        path = Path(named.text.strip())
        if not path.is_absolute():
            path = config.inputs.project_dir / path
        if file_probe.is_file(gcloud_file) and path != gcloud_file:
            details["ignored"] = f"{gcloud_file}: {ENV_FILE} wins"
        where = f"{ENV_FILE} from {named.origin.describe()}"
        kind, label = _judge_file(path, where, config, redactor, problems, details)
        return result(ENV_FILE, f"{label} from {ENV_FILE} ({path})", path, kind)
    if file_probe.is_file(gcloud_file):
        kind, label = _judge_file(gcloud_file, GCLOUD_FILE, config, redactor, problems, details)
        return result(GCLOUD_FILE, f"{label} from {gcloud_file}", gcloud_file, kind)

    hint = next((v for v in known.GCP_METADATA_HINT_VARIABLES if config.get(v)), None)
    if hint is not None or cloud_vendor() == "gcp":
        why = f"{hint} is set" if hint else "this machine is a Google Cloud VM"
        unknown = Problem(
            Status.WARN,
            f"no credential file, so credentials would come from the metadata server ({why}); "
            "ccdoctor cannot tell offline whether it answers",
            Fix(
                "Run ccdoctor without --offline, or check by hand.",
                ("gcloud auth application-default print-access-token",),
            ),
        )
        problems.append(unknown)
        # The client asks the metadata server for the project too, so a missing project
        # variable is only a failure if the server names none.
        missing_project = tuple(project_problems) if project.value is None else ()
        return result(METADATA, "metadata server", settled_live=(unknown, *missing_project))
    problems.append(
        Problem(
            Status.FAIL,
            f"no Application Default Credentials: {ENV_FILE} is not set and {gcloud_file} does "
            f'not exist, so Claude Code reports "{known.GCP_NO_CREDENTIALS}"',
            Fix(
                f"Log in with gcloud, or point {ENV_FILE} at a credential file.",
                (_ADC_LOGIN, f"export {ENV_FILE}=/path/to/key.json"),
            ),
        )
    )
    return result(None, "no credentials")


def gcloud_adc_path(config: ResolvedConfig) -> Path:
    """Where `gcloud auth application-default login` writes its file."""
    override = (config.get("CLOUDSDK_CONFIG") or "").strip()
    if override:
        base = expand_user(override)
    elif sys.platform.startswith("win") and config.get("APPDATA"):
        base = Path(str(config.get("APPDATA"))) / "gcloud"
    else:
        base = config.inputs.home / ".config" / "gcloud"
    return base / known.GCP_ADC_FILE


# --- the credential file -------------------------------------------------------------------------


def _judge_file(
    path: Path,
    where: str,
    config: ResolvedConfig,
    redactor: Redactor,
    problems: list[Problem],
    details: dict[str, Any],
) -> tuple[str | None, str]:
    """Load and judge one credential file; returns its type and a label for the summary."""
    data, unreadable = _load(path)
    if data is None:
        problems.append(_file_problem(config, path, where, unreadable or "cannot be read"))
        return None, "unreadable credential file"
    _register_secrets(data, redactor)  # before anything can quote the file
    kind = data.get("type")
    spec = known.GCP_CREDENTIAL_TYPES.get(kind) if isinstance(kind, str) else None
    if spec is None:
        problems.append(
            Problem(
                Status.FAIL,
                f"{where}: {known.gcp_invalid_type(str(path), kind)}",
                _new_file_fix(path),
            )
        )
        return None, "credential file of unknown type"
    assert isinstance(kind, str)
    principal = data.get("client_email")
    if isinstance(principal, str):
        details["principal"] = principal
    missing = [name for name in spec.required if not data.get(name)]
    if missing:
        problems.append(
            Problem(
                Status.FAIL,
                f"{path} ({spec.label}) lacks {', '.join(missing)}: Google's libraries refuse it",
                _new_file_fix(path, kind),
            )
        )
    if not spec.for_vertex:
        problems.append(
            Problem(
                Status.WARN,
                f"{path} holds a {spec.label}, which does not authenticate to Vertex AI",
                _new_file_fix(path),
            )
        )
    if kind == "service_account" and "private_key" not in missing:
        problems.extend(_private_key_problems(path, data.get("private_key")))
    if kind == "external_account" and isinstance(data.get("credential_source"), dict):
        problems.extend(_external_source_problems(path, data["credential_source"], config))
    if kind == "impersonated_service_account":
        problems.extend(_impersonation_problems(path, data.get("source_credentials")))
    if kind in known.GCP_USER_TYPES:
        quota = data.get("quota_project_id")
        details["quota_project_id"] = quota if isinstance(quota, str) else None
        if not quota and not config.get(known.GCP_QUOTA_PROJECT_VARIABLE):
            problems.append(_no_quota_project(path, config))
    label = spec.label + (f" {principal}" if isinstance(principal, str) else "")
    return kind, label


def _load(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    try:
        if path.is_dir():
            return None, "is a directory, not a file"
        if not path.exists():
            return None, "does not exist"
        if path.stat().st_size > known.GCP_CREDENTIAL_FILE_MAX_BYTES:
            return None, "is larger than 1 MiB, so it is not a credential file"
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    except ValueError:
        return None, "is not a usable path"
    try:
        data = json.loads(text)
    except ValueError as exc:
        return None, f"is not valid JSON ({str(exc).splitlines()[0]})"
    except RecursionError:
        return None, "is nested too deeply to be JSON a credential file holds"
    if not isinstance(data, dict):
        return None, "does not hold a JSON object"
    return data, None


def _register_secrets(data: Mapping[str, Any], redactor: Redactor) -> None:
    for field in known.GCP_SECRET_FIELDS:
        value = data.get(field)
        if isinstance(value, str):
            redactor.add(value, f"gcp-{field.replace('_', '-')}")
    nested = data.get("source_credentials")
    if isinstance(nested, dict):
        _register_secrets(nested, redactor)


def _file_problem(config: ResolvedConfig, path: Path, where: str, why: str) -> Problem:
    if why == "does not exist":
        message = f'{where} points to {path}, which does not exist: "File {path} was not found."'
    else:
        message = f"{where}: {path} {why}"
    if where == GCLOUD_FILE:
        return Problem(
            Status.FAIL, message, Fix(f"Log in again so gcloud rewrites {path}.", (_ADC_LOGIN,))
        )
    return Problem(
        Status.FAIL,
        message,
        removal_fix(
            config,
            f"Point {ENV_FILE} at a readable credential file, or unset it and log in with gcloud.",
            ENV_FILE,
            after=(_ADC_LOGIN,),
        ),
    )


def _new_file_fix(path: Path, kind: str | None = None) -> Fix:
    if kind in known.GCP_USER_TYPES:
        return Fix(f"Log in again so gcloud rewrites {path}.", (_ADC_LOGIN,))
    return Fix(
        f"Replace {path} with a complete credential file (for a service account: create a new "
        "JSON key in the Cloud console), or log in with gcloud instead.",
        (_ADC_LOGIN,),
    )


def _private_key_problems(path: Path, key: object) -> list[Problem]:
    fix = Fix(
        f"Download a new JSON key for the service account and point {ENV_FILE} at it; do not "
        "edit or re-encode the file.",
    )
    if not isinstance(key, str):
        return [Problem(Status.FAIL, f"{path}: private_key is not a string", fix)]
    if "\\n" in key and "\n" not in key:
        return [
            Problem(
                Status.FAIL,
                f"{path}: private_key holds literal \\n sequences instead of line breaks (the "
                "file was escaped twice), so the key cannot be parsed",
                fix,
            )
        ]
    if not (known.GCP_PEM_BEGIN.search(key) and known.GCP_PEM_END.search(key)):
        return [
            Problem(
                Status.FAIL,
                f"{path}: private_key is not a PEM private key (no BEGIN/END PRIVATE KEY lines)",
                fix,
            )
        ]
    return []


def _external_source_problems(
    path: Path, source: Mapping[str, Any], config: ResolvedConfig
) -> list[Problem]:
    problems: list[Problem] = []
    token_file = source.get("file")
    if isinstance(token_file, str) and not file_probe.is_file(expand_user(token_file)):
        problems.append(
            Problem(
                Status.FAIL,
                f"{path}: the workload identity token file {token_file} does not exist",
                Fix("Fix credential_source.file, or make the platform mount the token there."),
            )
        )
    if "executable" in source and config.get(known.GCP_ALLOW_EXECUTABLES) != "1":
        problems.append(
            Problem(
                Status.FAIL,
                f"{path} gets its token from an executable, which Google's libraries run only "
                f"when {known.GCP_ALLOW_EXECUTABLES}=1",
                Fix(
                    f"Allow it explicitly, if you trust the command in {path}.",
                    (f"export {known.GCP_ALLOW_EXECUTABLES}=1",),
                    f'{{"env": {{"{known.GCP_ALLOW_EXECUTABLES}": "1"}}}}',
                ),
            )
        )
    return problems


def _impersonation_problems(path: Path, source: object) -> list[Problem]:
    kind = source.get("type") if isinstance(source, dict) else None
    if isinstance(kind, str) and kind in known.GCP_CREDENTIAL_TYPES:
        return []
    return [
        Problem(
            Status.FAIL,
            f"{path}: source_credentials has no valid type, so there is nothing to impersonate "
            "with",
            Fix(
                "Log in again with impersonation.",
                (f"{_ADC_LOGIN} --impersonate-service-account=SA_EMAIL",),
            ),
        )
    ]


def _no_quota_project(path: Path, config: ResolvedConfig) -> Problem:
    project = config.vertex_project.value or "PROJECT_ID"
    return Problem(
        Status.WARN,
        f'the user credentials in {path} name no quota project: Google may answer "quota '
        'exceeded" or "API not enabled" for requests billed to no project',
        Fix(
            "Set a quota project for Application Default Credentials.",
            (f"gcloud auth application-default set-quota-project {project}",),
        ),
    )


# --- project -------------------------------------------------------------------------------------


def _project_problems(config: ResolvedConfig) -> list[Problem]:
    project = config.vertex_project
    if project.value is None:
        return [
            Problem(
                Status.FAIL,
                f'no Google Cloud project is set: Claude Code stops with "{known.GCP_NO_PROJECT}"',
                Fix(
                    "Name the project that has Claude enabled in Vertex AI Model Garden.",
                    ("export ANTHROPIC_VERTEX_PROJECT_ID=your-project-id",),
                    '{"env": {"ANTHROPIC_VERTEX_PROJECT_ID": "your-project-id"}}',
                ),
            )
        ]
    differing = [(origin, value) for origin, value in project.shadowed if value != project.value]
    if not differing:
        return []
    others = "; ".join(f"{value} from {origin}" for origin, value in differing)
    wanted = differing[-1][1]
    message = f"Claude Code uses project {project.value} from {project.origin}, not {others}"
    if project.origin in _PROJECT_VARIABLES:
        how = f"set {project.origin} to the project you mean, or unset it"
        return [
            Problem(
                Status.WARN,
                message,
                removal_fix(config, f"Make them agree: {how}.", project.origin),
            )
        ]
    how = "set GOOGLE_CLOUD_PROJECT (it beats the credential file) to the project you mean"
    return [
        Problem(
            Status.WARN,
            message,
            Fix(f"Make them agree: {how}.", (f"export GOOGLE_CLOUD_PROJECT={wanted}",)),
        )
    ]


def _skip_without_gateway(config: ResolvedConfig) -> Problem:
    return Problem(
        Status.WARN,
        "CLAUDE_CODE_SKIP_VERTEX_AUTH is set but ANTHROPIC_VERTEX_BASE_URL is not: requests go "
        "to Google without credentials, and nothing is there to add them",
        removal_fix(
            config,
            "Point Claude Code at the gateway that adds credentials, or unset "
            f"{VERTEX.skip_auth} to use your Google credentials.",
            VERTEX.skip_auth,
            before=(f"export {VERTEX.base_url_variable}=https://your-gateway.example/vertex/v1",),
        ),
    )
