"""Which AWS credential source will sign Claude Code's Bedrock requests, and whether it can work."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ccdoctor.config.aws_profiles import AwsProfiles, read_aws_profiles
from ccdoctor.config.removal import removal_fix
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.paths import expand_user
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.host import files as file_probe
from ccdoctor.host.cloud import cloud_vendor
from ccdoctor.host.commands import expand_home, program_path
from ccdoctor.knowledge import credentials as known
from ccdoctor.knowledge.credential_text import credential_text_problem
from ccdoctor.knowledge.routes import BEDROCK

_STATIC_KEYS = ("aws_access_key_id", "aws_secret_access_key")


@dataclass(frozen=True)
class AwsCredentials:
    """The offline verdict on the AWS credential chain: the source the client would use, its
    profile, and the problems."""

    method: str | None
    """A key of AWS_METHOD_LABELS, or None when no source was found."""
    profile: str | None
    summary: str
    problems: tuple[Problem, ...]
    details: Mapping[str, Any]
    unchecked: str = ""
    """What only a live check can judge (appended to the summary when none follows)."""
    undecided: tuple[Problem, ...] = ()
    """Warnings that hold only while nothing live has been tried (a source that cannot be judged
    from files); a live check replaces them with what it finds."""

    def offline_problems(self) -> tuple[Problem, ...]:
        return (*self.problems, *self.undecided)


@dataclass(frozen=True)
class BedrockKey:
    """What a Bedrock API key's text tells: short- or long-term, region, expiry, account, or why it
    is malformed."""

    kind: str
    """"short-term", "long-term" or "unknown"."""
    region: str | None = None
    expires_at: datetime | None = None
    account: str | None = None
    temporary_principal: bool | None = None
    malformed: str | None = None


def find_aws_credentials(
    config: ResolvedConfig, now: datetime | None = None, bedrock: bool = True
) -> AwsCredentials:
    """The offline verdict on the credential source; a live check follows up on `method`.
    `bedrock=False` judges the SDK's chain alone, for a route that signs with it but knows
    neither Bedrock's skip-auth variable nor its API key (Claude Platform on AWS)."""
    now = now or datetime.now(tz=UTC)
    files = config.aws_files
    problems: list[Problem] = [
        Problem(
            Status.FAIL,
            f"{error} — the AWS SDK cannot read this file either",
            Fix("Fix the file's INI syntax: [profile name] headers and key = value lines."),
        )
        for error in files.errors
    ]
    details: dict[str, Any] = {
        "profile": files.profile,
        "profile_from_env": files.profile_from_env,
        "credentials_file": str(files.credentials_path),
        "config_file": str(files.config_path),
    }

    def result(
        method: str | None,
        summary: str,
        profile: str | None = None,
        unchecked: str = "",
        undecided: tuple[Problem, ...] = (),
    ) -> AwsCredentials:
        details["method"] = method
        details["source"] = known.AWS_METHOD_LABELS.get(method or "", "none found")
        return AwsCredentials(
            method, profile, summary, tuple(problems), details, unchecked, undecided
        )

    if bedrock and config.truthy(BEDROCK.skip_auth):
        problems.extend(_skip_auth_problems(config))
        return result("skipped", "skipped: the gateway supplies credentials")

    bearer = config.get("AWS_BEARER_TOKEN_BEDROCK")
    if bedrock and bearer is not None:
        key = decode_bedrock_key(bearer.strip())
        details["bedrock_api_key"] = _key_details(key)
        problems.extend(_bearer_problems(bearer, key, config, now))
        if _has_sigv4_hint(config):
            details["ignored"] = "SigV4 credentials: the Bedrock API key wins over them"
        return result("bedrock-api-key", _key_summary(key))

    export = config.settings.get("awsCredentialExport")
    if export is not None and isinstance(export.raw, str) and export.raw.strip():
        details["aws_credential_export"] = {
            "command": export.raw.strip(),
            "origin": export.origin.describe(),
        }
        return result(
            "aws-credential-export",
            f"awsCredentialExport command from {export.origin.describe()}",
            unchecked=" (not run offline)",
        )

    profiles = read_aws_profiles(files)
    details["profiles_found"] = profiles.names()
    env_method = _read_env_keys(config, problems)
    if env_method:
        if files.profile_from_env:
            problems.append(_env_shadows_profile(config, files.profile))
        return result("env", "environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY")

    profile = files.profile
    if files.profile_from_env and not profiles.exists(profile):
        problems.append(_profile_not_found(profile, profiles, config))
        return result(None, f"profile '{profile}' not found", profile)

    reader = _ProfileReader(config, profiles, now, problems, details)
    method = reader.method_of(profile, frozenset(), top_level=True)
    if method is not None:
        summary = f"{known.AWS_METHOD_LABELS[method]}, profile '{profile}'"
        return result(method, summary + reader.note, profile, reader.unchecked)

    container = next((v for v in known.AWS_CONTAINER_VARIABLES if config.get(v)), None)
    if container is not None:
        undecided = (_cannot_tell("container-role", f"{container} is set"),)
        return result(
            "container-role", known.AWS_METHOD_LABELS["container-role"], None, "", undecided
        )
    if not config.truthy("AWS_EC2_METADATA_DISABLED") and cloud_vendor() == "aws":
        undecided = (_cannot_tell("iam-role", "this machine is an EC2 instance"),)
        return result("iam-role", known.AWS_METHOD_LABELS["iam-role"], None, "", undecided)
    problems.append(_no_credentials(profile, profiles, config))
    return result(None, "no AWS credentials found", profile)


# --- skip-auth and Bedrock API keys --------------------------------------------------------------


def _skip_auth_problems(config: ResolvedConfig) -> list[Problem]:
    if config.get(BEDROCK.base_url_variable):
        return []
    return [
        Problem(
            Status.WARN,
            "CLAUDE_CODE_SKIP_BEDROCK_AUTH is set but ANTHROPIC_BEDROCK_BASE_URL is not: requests "
            "go unsigned straight to AWS, and nothing is there to add credentials",
            removal_fix(
                config,
                "Point Claude Code at the gateway that signs requests, or unset "
                f"{BEDROCK.skip_auth} to sign them yourself.",
                BEDROCK.skip_auth,
                before=(
                    f"export {BEDROCK.base_url_variable}=https://your-gateway.example/bedrock",
                ),
            ),
        )
    ]


def decode_bedrock_key(value: str) -> BedrockKey:
    """What a Bedrock API key says about itself, without calling AWS."""
    if value.startswith(known.BEDROCK_SHORT_KEY_PREFIX):
        return _decode_short_term(value[len(known.BEDROCK_SHORT_KEY_PREFIX) :])
    if value.startswith(known.BEDROCK_LONG_KEY_PREFIX):
        text = _b64decode(value[len(known.BEDROCK_LONG_KEY_PREFIX) :])
        match = known.BEDROCK_LONG_KEY_BODY.match(text or "")
        if match is None:
            return BedrockKey("long-term", malformed="its body does not decode to a key id")
        return BedrockKey("long-term", account=match.group(1))
    return BedrockKey("unknown")


def _decode_short_term(body: str) -> BedrockKey:
    text = _b64decode(body)
    if text is None or not text.startswith(known.BEDROCK_SHORT_KEY_URL_START):
        return BedrockKey("short-term", malformed="its body is not a base64 presigned URL")
    query = parse_qs(urlsplit("https://" + text).query)

    def first(name: str) -> str:
        values = query.get(name) or [""]
        return values[0]

    credential = first("X-Amz-Credential").split("/")
    try:
        issued = datetime.strptime(first("X-Amz-Date"), known.BEDROCK_KEY_DATE_FORMAT)
        lifetime = int(first("X-Amz-Expires"))
        expires_at = issued.replace(tzinfo=UTC) + timedelta(seconds=lifetime)
    except (ValueError, OverflowError):
        return BedrockKey("short-term", malformed="its X-Amz-Date or X-Amz-Expires is unreadable")
    if len(credential) < 3 or not credential[2]:
        return BedrockKey("short-term", malformed="its X-Amz-Credential names no region")
    return BedrockKey(
        "short-term",
        region=credential[2],
        expires_at=expires_at,
        temporary_principal=credential[0].startswith(known.AWS_TEMPORARY_KEY_PREFIX),
    )


def _b64decode(text: str) -> str | None:
    padded = text + "=" * (-len(text) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            return decode(padded.encode("ascii")).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeError):
            continue
    return None


def _bearer_problems(
    raw: str, key: BedrockKey, config: ResolvedConfig, now: datetime
) -> list[Problem]:
    issue = credential_text_problem(raw)
    if issue is not None:
        return [
            Problem(
                Status.FAIL,
                f"AWS_BEARER_TOKEN_BEDROCK {issue}: it is sent as it is and Bedrock rejects it",
                Fix("Set AWS_BEARER_TOKEN_BEDROCK to the bare key: no quotes, spaces or breaks."),
            )
        ]
    regenerate = Fix(
        "Generate a new key in the Bedrock console (API keys) or with "
        "aws-bedrock-token-generator, and export it.",
        ("export AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-…",),
    )
    if key.kind == "unknown":
        return [
            Problem(
                Status.WARN,
                "AWS_BEARER_TOKEN_BEDROCK does not look like a Bedrock API key "
                f"({known.BEDROCK_SHORT_KEY_PREFIX}… or {known.BEDROCK_LONG_KEY_PREFIX}…)",
                regenerate,
            )
        ]
    if key.malformed is not None:
        status = Status.FAIL if key.kind == "short-term" else Status.WARN
        return [
            Problem(
                status,
                f"AWS_BEARER_TOKEN_BEDROCK is a malformed {key.kind} key: {key.malformed}",
                regenerate,
            )
        ]
    problems: list[Problem] = []
    if key.expires_at is not None:
        if key.expires_at <= now:
            problems.append(
                Problem(
                    Status.FAIL,
                    f"the Bedrock API key in AWS_BEARER_TOKEN_BEDROCK expired at "
                    f"{key.expires_at:%Y-%m-%d %H:%M} UTC ({_span(now - key.expires_at)} ago)",
                    regenerate,
                )
            )
        elif key.expires_at - now < known.AWS_EXPIRY_WARNING:
            problems.append(
                Problem(
                    Status.WARN,
                    f"the Bedrock API key expires in {_span(key.expires_at - now)}",
                    regenerate,
                )
            )
    region = config.bedrock_region
    if key.region is not None and key.region != region.value:
        problems.append(
            Problem(
                Status.FAIL,
                f"the Bedrock API key only works in region {key.region}, but Claude Code uses "
                f"{region.value} (from {region.origin})",
                Fix(
                    f"Use the key's region, or create a key in {region.value}.",
                    (f"export AWS_REGION={key.region}",),
                ),
            )
        )
    return problems


def _key_summary(key: BedrockKey) -> str:
    label = known.AWS_METHOD_LABELS["bedrock-api-key"]
    if key.kind == "short-term" and key.region and key.expires_at:
        return f"{label}: short-term, region {key.region}, until {key.expires_at:%H:%M} UTC"
    if key.account:
        return f"{label}: long-term, account {key.account}"
    return label


def _key_details(key: BedrockKey) -> dict[str, Any]:
    return {
        "kind": key.kind,
        "region": key.region,
        "expires_at": key.expires_at.isoformat() if key.expires_at else None,
        "account": key.account,
        "temporary_principal": key.temporary_principal,
    }


def _has_sigv4_hint(config: ResolvedConfig) -> bool:
    return bool(config.get("AWS_ACCESS_KEY_ID") or config.aws_files.profile_from_env)


# --- environment keys ----------------------------------------------------------------------------


def _read_env_keys(config: ResolvedConfig, problems: list[Problem]) -> bool:
    """True when the environment supplies (or half-supplies) the keys, so the chain stops there."""
    key_id = config.get("AWS_ACCESS_KEY_ID")
    secret = config.get("AWS_SECRET_ACCESS_KEY")
    if key_id is None and secret is None:
        return False
    if key_id is None or secret is None:
        missing = "AWS_ACCESS_KEY_ID" if key_id is None else "AWS_SECRET_ACCESS_KEY"
        present = "AWS_SECRET_ACCESS_KEY" if key_id is None else "AWS_ACCESS_KEY_ID"
        problems.append(
            Problem(
                Status.FAIL,
                f"{present} is set but {missing} is not: "
                f'"{known.AWS_PARTIAL_CREDENTIALS.format(where="env", missing=missing)}"',
                removal_fix(
                    config,
                    f"Export both keys, or unset {present} to let the profile supply them.",
                    present,
                    before=(f"export {missing}=…",),
                ),
            )
        )
        return True
    token = config.get("AWS_SESSION_TOKEN") or config.get("AWS_SECURITY_TOKEN")
    problems.extend(
        _static_key_problems(
            key_id,
            secret,
            token,
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            removal_fix(
                config,
                "Unset the left-over session token.",
                "AWS_SESSION_TOKEN",
                "AWS_SECURITY_TOKEN",
            ),
        )
    )
    return True


def _static_key_problems(
    key_id: str,
    secret: str,
    token: str | None,
    key_name: str,
    secret_name: str,
    token_name: str,
    drop_token: Fix,
) -> list[Problem]:
    problems: list[Problem] = []
    for name, value in ((key_name, key_id), (secret_name, secret)):
        issue = credential_text_problem(value)
        if issue is not None:
            problems.append(
                Problem(
                    Status.FAIL,
                    f"{name} {issue}: every signature made with it is rejected",
                    Fix(f"Set {name} to the bare value: no quotes, spaces or line breaks."),
                )
            )
    if problems:
        return problems
    key_id = key_id.strip()
    if not known.AWS_ACCESS_KEY_ID_SHAPE.match(key_id):
        problems.append(
            Problem(
                Status.WARN,
                f"{key_name} does not look like an access key id (AKIA… or ASIA… and 16 more "
                "capitals or digits)",
                Fix(f"Check that {key_name} holds the access key id, not the secret."),
            )
        )
    elif key_id.startswith(known.AWS_TEMPORARY_KEY_PREFIX) and not token:
        problems.append(
            Problem(
                Status.FAIL,
                f"{key_name} is a temporary key (ASIA…) but {token_name} is not set: AWS answers "
                '"The security token included in the request is invalid"',
                Fix(
                    f"Export the session token that came with the key, or fetch fresh "
                    f"credentials. ({token_name})",
                    (f"export {token_name}=…",),
                ),
            )
        )
    elif not key_id.startswith(known.AWS_TEMPORARY_KEY_PREFIX) and token:
        problems.append(
            Problem(
                Status.WARN,
                f"{token_name} is set next to a long-term key (AKIA…): it is probably left over "
                "from earlier temporary credentials, and AWS rejects the pair",
                drop_token,
            )
        )
    return problems


def _env_shadows_profile(config: ResolvedConfig, profile: str) -> Problem:
    return Problem(
        Status.WARN,
        f"AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set, so AWS_PROFILE={profile} is ignored: "
        "environment keys come first in the AWS credential chain",
        removal_fix(
            config,
            "Unset the keys to use the profile, or unset AWS_PROFILE to make the choice explicit.",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ),
    )


# --- profiles ------------------------------------------------------------------------------------


class _ProfileReader:
    """Follows a profile the way the SDK's chain does, collecting what cannot work."""

    def __init__(
        self,
        config: ResolvedConfig,
        profiles: AwsProfiles,
        now: datetime,
        problems: list[Problem],
        details: dict[str, Any],
    ) -> None:
        self.config = config
        self.profiles = profiles
        self.now = now
        self.problems = problems
        self.details = details
        self.note = ""
        """Appended to the summary (e.g. how long an SSO login has left)."""
        self.unchecked = ""
        """What only a live check can judge."""

    def method_of(self, name: str, seen: frozenset[str], *, top_level: bool) -> str | None:
        entry = self.profiles.merged(name)
        role_arn = entry.get("role_arn")
        if role_arn and (entry.get("source_profile") or entry.get("credential_source")):
            self._assume_role(name, entry, seen)
            return "assume-role"
        token_file = entry.get("web_identity_token_file")
        if token_file is None and top_level:
            token_file = self.config.get("AWS_WEB_IDENTITY_TOKEN_FILE")
            role_arn = role_arn or self.config.get("AWS_ROLE_ARN")
        if token_file and role_arn:
            self._web_identity(name, token_file)
            return "assume-role-with-web-identity"
        if role_arn:
            self.problems.append(
                Problem(
                    Status.WARN,
                    f"profile '{name}' has role_arn but neither source_profile nor "
                    "credential_source, so the SDK does not assume the role",
                    Fix(
                        f"Add source_profile (or credential_source) to [profile {name}] in "
                        f"{self.config.aws_files.config_path}."
                    ),
                )
            )
        if entry.get("sso_session") or entry.get("sso_start_url"):
            self._sso(name, entry)
            return "sso"
        in_credentials = self.profiles.credentials.get(name, {})
        if any(k in in_credentials for k in _STATIC_KEYS):
            self._static(name, in_credentials, self.config.aws_files.credentials_path)
            return "shared-credentials-file"
        if entry.get("login_session"):
            self.unchecked = " (session expiry is checked online)"
            return "login"
        if entry.get("credential_process"):
            self._process(name, entry["credential_process"])
            return "custom-process"
        in_config = self.profiles.config.get(name, {})
        if any(k in in_config for k in _STATIC_KEYS):
            self._static(name, in_config, self.config.aws_files.config_path)
            return "config-file"
        return None

    def _assume_role(self, name: str, entry: Mapping[str, str], seen: frozenset[str]) -> None:
        self.details["role_arn"] = entry.get("role_arn")
        source = entry.get("source_profile")
        if not source:
            credential_source = entry.get("credential_source", "")
            self.details["credential_source"] = credential_source
            if credential_source not in known.AWS_ASSUME_ROLE_CREDENTIAL_SOURCES:
                allowed = ", ".join(sorted(known.AWS_ASSUME_ROLE_CREDENTIAL_SOURCES))
                self.problems.append(
                    Problem(
                        Status.FAIL,
                        f"profile '{name}' has credential_source = {credential_source}, which "
                        f"is not one of {allowed}",
                        Fix(f"Set credential_source in [profile {name}] to one of {allowed}."),
                    )
                )
            return
        self.details.setdefault("source_profiles", []).append(source)
        if source == name:  # a role profile may sign the AssumeRole call with its own keys
            entry_keys = self.profiles.credentials.get(name, {})
            self._static(name, entry_keys, self.config.aws_files.credentials_path)
            return
        if source in seen or len(seen) >= known.AWS_PROFILE_CHAIN_DEPTH:
            self.problems.append(
                Problem(
                    Status.FAIL,
                    f"profile '{name}': source_profile chain loops back through '{source}'",
                    Fix("Make the source_profile chain end in a profile with credentials."),
                )
            )
            return
        if not self.profiles.exists(source):
            self.problems.append(
                Problem(
                    Status.FAIL,
                    f"profile '{name}' takes its credentials from source_profile '{source}', "
                    f'which does not exist: "{known.AWS_PROFILE_NOT_FOUND.format(profile=source)}"',
                    Fix(f"Fix source_profile in [profile {name}], or create [profile {source}]."),
                )
            )
            return
        if self.method_of(source, seen | {name}, top_level=False) is None:
            self.problems.append(
                Problem(
                    Status.FAIL,
                    f"profile '{name}' takes its credentials from source_profile '{source}', "
                    "which has none",
                    Fix(f"Give profile '{source}' credentials (keys, SSO, or its own role)."),
                )
            )

    def _web_identity(self, name: str, token_file: str) -> None:
        path = expand_user(expand_home(token_file, self.config.inputs.home))
        self.details["web_identity_token_file"] = str(path)
        if not file_probe.is_file(path):
            self.problems.append(
                Problem(
                    Status.FAIL,
                    f"the web identity token file {path} (profile '{name}') does not exist",
                    Fix(
                        "Point AWS_WEB_IDENTITY_TOKEN_FILE (or web_identity_token_file) at the "
                        "token your platform mounts (EKS IRSA: "
                        "/var/run/secrets/eks.amazonaws.com/serviceaccount/token)."
                    ),
                )
            )

    def _sso(self, name: str, entry: Mapping[str, str]) -> None:
        config_path = self.config.aws_files.config_path
        login = f"aws sso login --profile {shlex.quote(name)}"
        session = entry.get("sso_session")
        required = ["sso_account_id", "sso_role_name"]
        if session:
            session_entry = self.profiles.sso_sessions.get(session)
            if session_entry is None:
                self.problems.append(
                    Problem(
                        Status.FAIL,
                        f"profile '{name}' uses sso_session '{session}', which is not defined in "
                        f"{config_path}",
                        Fix(
                            f"Add an [sso-session {session}] section, or let the AWS CLI write it.",
                            (f"aws configure sso --profile {shlex.quote(name)}",),
                        ),
                    )
                )
                return
            cache_key = session
            start_url = session_entry.get("sso_start_url")
        else:
            cache_key = entry.get("sso_start_url", "")
            start_url = cache_key
            required.append("sso_region")
        self.details["sso"] = {"profile": name, "session": session, "start_url": start_url}
        missing = [k for k in required if not entry.get(k)]
        if missing:
            self.problems.append(
                Problem(
                    Status.FAIL,
                    f"SSO profile '{name}' lacks {', '.join(missing)}, so the SDK cannot pick a "
                    "role to sign with",
                    Fix(
                        "Configure the profile with the AWS CLI.",
                        (f"aws configure sso --profile {shlex.quote(name)}",),
                    ),
                )
            )
        self._sso_token(name, cache_key, bool(session), login)

    def _sso_token(self, name: str, cache_key: str, refreshable_style: bool, login: str) -> None:
        digest = hashlib.sha1(cache_key.encode("utf-8")).hexdigest()  # the SDK's cache name
        path = self.config.inputs.home.joinpath(*known.AWS_SSO_CACHE, f"{digest}.json")
        self.details["sso"]["cache_file"] = str(path)
        refresh_fix = Fix(
            "Log in again. To let Claude Code do it for you next time, add awsAuthRefresh to "
            "your settings.",
            (login,),
            f'{{"awsAuthRefresh": "{login}"}}',
        )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError:
            self.problems.append(
                Problem(
                    Status.FAIL,
                    f"profile '{name}' uses SSO but there is no cached SSO login ({path})",
                    refresh_fix,
                )
            )
            return
        except (ValueError, RecursionError):
            data = None
        expires_at = _parse_time(data.get("expiresAt") if isinstance(data, dict) else None)
        if expires_at is None:
            self.problems.append(
                Problem(
                    Status.WARN,
                    f"the cached SSO login for profile '{name}' ({path}) has no readable expiresAt",
                    refresh_fix,
                )
            )
            return
        assert isinstance(data, dict)
        self.details["sso"]["expires_at"] = expires_at.isoformat()
        when = f"{expires_at:%Y-%m-%d %H:%M} UTC"
        if expires_at <= self.now:
            registration = _parse_time(data.get("registrationExpiresAt"))
            can_refresh = (
                refreshable_style
                and bool(data.get("refreshToken"))
                and (registration is None or registration > self.now)
            )
            if can_refresh:
                self.problems.append(
                    Problem(
                        Status.WARN,
                        f"the SSO access token for profile '{name}' expired at {when}; the SDK "
                        "will try its saved refresh token, and fails if the SSO session has "
                        "ended",
                        refresh_fix,
                    )
                )
            else:
                self.problems.append(
                    Problem(
                        Status.FAIL,
                        f"the SSO login for profile '{name}' expired at {when} "
                        f'({_span(self.now - expires_at)} ago): "{known.AWS_SSO_EXPIRED}"',
                        refresh_fix,
                    )
                )
        elif expires_at - self.now < known.AWS_EXPIRY_WARNING:
            self.problems.append(
                Problem(
                    Status.WARN,
                    f"the SSO login for profile '{name}' expires in "
                    f"{_span(expires_at - self.now)}, in the middle of a session",
                    refresh_fix,
                )
            )
        else:
            self.note = f" (valid until {when})"

    def _static(self, name: str, entry: Mapping[str, str], path: Path) -> None:
        key_id = entry.get("aws_access_key_id")
        secret = entry.get("aws_secret_access_key")
        if not key_id or not secret:
            missing = " and ".join(k for k in _STATIC_KEYS if not entry.get(k))
            partial = known.AWS_PARTIAL_CREDENTIALS.format(where=path.name, missing=missing)
            self.problems.append(
                Problem(
                    Status.FAIL,
                    f"profile '{name}' in {path} has no {missing}: \"{partial}\"",
                    Fix(
                        "Write both keys for the profile.",
                        (f"aws configure --profile {shlex.quote(name)}",),
                    ),
                )
            )
            return
        self.problems.extend(
            _static_key_problems(
                key_id,
                secret,
                entry.get("aws_session_token"),
                f"aws_access_key_id of profile '{name}'",
                f"aws_secret_access_key of profile '{name}'",
                "aws_session_token",
                Fix(f"Delete aws_session_token from profile '{name}' in {path}."),
            )
        )

    def _process(self, name: str, command: str) -> None:
        self.details["credential_process"] = command
        program = program_path(expand_home(command, self.config.inputs.home))
        if program is not None and not file_probe.is_file(program):
            self.problems.append(
                Problem(
                    Status.FAIL,
                    f"credential_process of profile '{name}' runs {program}, which does not exist",
                    Fix(f"Fix credential_process in [profile {name}]."),
                )
            )
        else:
            self.unchecked = " (the command is not run offline)"


def _profile_not_found(profile: str, profiles: AwsProfiles, config: ResolvedConfig) -> Problem:
    names = profiles.names()
    listed = f" Profiles found: {', '.join(names)}." if names else " No profiles were found."
    variable = "AWS_PROFILE" if config.get("AWS_PROFILE") else "AWS_DEFAULT_PROFILE"
    return Problem(
        Status.FAIL,
        f"{variable}={profile} names a profile that is in neither "
        f"{config.aws_files.config_path} nor {config.aws_files.credentials_path}: "
        f'"{known.AWS_PROFILE_NOT_FOUND.format(profile=profile)}"',
        Fix(
            f"Fix the profile name, or create the profile.{listed}",
            (f"aws configure sso --profile {shlex.quote(profile)}",)
            + ((f"export {variable}={names[0]}",) if names else ()),
        ),
    )


def _cannot_tell(method: str, why: str) -> Problem:
    return Problem(
        Status.WARN,
        f"credentials would come from the {known.AWS_METHOD_LABELS[method]} ({why}); "
        "ccdoctor could not tell offline whether it answers",
        Fix("Run ccdoctor without --offline, or check by hand.", ("aws sts get-caller-identity",)),
    )


def _no_credentials(profile: str, profiles: AwsProfiles, config: ResolvedConfig) -> Problem:
    if profiles.exists(profile):
        where = f"profile '{profile}' has no credentials"
    else:
        where = f"no profile '{profile}' in {config.aws_files.config_path}"
    others = [n for n in profiles.names() if n != profile]
    commands = [f"export AWS_PROFILE={others[0]}"] if others else []
    commands += ["aws configure sso", "aws configure"]
    return Problem(
        Status.FAIL,
        f"no AWS credentials found (no AWS_BEARER_TOKEN_BEDROCK, no AWS_ACCESS_KEY_ID, {where}): "
        f'Claude Code retries for about 3 minutes, then prints "{known.AWS_NO_CREDENTIALS}"',
        Fix(
            "Give the AWS SDK credentials: log in with SSO, configure a profile, export keys, or "
            "export a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK."
            + (f" Profiles found: {', '.join(others)}." if others else ""),
            tuple(commands),
        ),
    )


def _parse_time(raw: object) -> datetime | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip().replace("UTC", "+00:00")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} days"
