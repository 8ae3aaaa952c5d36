"""What the live Bedrock checks share: the botocore link, the credentials it resolves, the
inference-profile listing (the client's start-up call) and the streamed invoke (its own call for
the main model), each made once per run, and the way an AWS error becomes a message and a fix."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from ccdoctor.config.removal import removal_fix
from ccdoctor.config.view import ModelChoice, ResolvedConfig
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.host.commands import CommandRun, expand_home, run_shell_command
from ccdoctor.knowledge import models as model_data
from ccdoctor.providers.bedrock import wire as live
from ccdoctor.providers.bedrock.aws import (
    AuthMode,
    AwsAnswer,
    AwsError,
    AwsLink,
    AwsResult,
    CredentialsResult,
    ResolvedCredentials,
    aws_setup,
    base_url_unusable,
)
from ccdoctor.providers.bedrock.credentials import AwsCredentials, find_aws_credentials
from ccdoctor.providers.bedrock.errors import Kind, denial_facts, fill, rule_for


class Budget:
    """The time a check may spend on its live part: the runner abandons a check after its time
    limit, so a chain of calls shares one allowance instead of each taking a full step."""

    def __init__(self, ctx: CheckContext, steps: int = 1) -> None:
        self._ctx = ctx
        self._deadline = time.monotonic() + ctx.options.timeout * steps

    def left(self) -> float:
        return max(0.0, min(self._ctx.step_timeout(), self._deadline - time.monotonic()))


def offline_verdict(ctx: CheckContext) -> AwsCredentials:
    return ctx.once("aws:offline", lambda: find_aws_credentials(ctx.config))


def can_fail(found: AwsCredentials) -> bool:
    return any(p.status is Status.FAIL for p in found.problems)


def link(ctx: CheckContext) -> AwsLink:
    def build() -> AwsLink:
        found = offline_verdict(ctx)
        instance_role = found.method == "iam-role" or (
            found.details.get("credential_source") == "Ec2InstanceMetadata"
        )
        setup = aws_setup(
            ctx.config, ctx.network.settings, ctx.options.timeout, instance_role=instance_role
        )
        return AwsLink(setup, ctx.network)

    return ctx.once("aws:link", build)


def mode(ctx: CheckContext) -> AuthMode:
    return link(ctx).setup.auth


# --- credentials ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Usable:
    """Whether live Bedrock calls can be made and, if not, why (credentials.aws or proxy.config
    reports the cause itself)."""

    ok: bool
    why: str = ""


def resolved(ctx: CheckContext, budget: Budget) -> CredentialsResult | None:
    """The credentials requests are signed with: what awsCredentialExport prints when that
    setting exists (the client always runs it), else what the SDK chain produces. None when
    requests are not SigV4-signed."""
    if mode(ctx) is not AuthMode.SIGV4:
        return None

    def resolve() -> CredentialsResult:
        if offline_verdict(ctx).method == "aws-credential-export":
            result = _exported(ctx, budget)
        else:
            result = link(ctx).credentials(budget.left())
        if isinstance(result, ResolvedCredentials):
            ctx.redactor.add(result.secret_key, "aws_secret_access_key")
            ctx.redactor.add(result.token, "aws_session_token")
        return result

    return ctx.once("aws:credentials", resolve)


def _exported(ctx: CheckContext, budget: Budget) -> CredentialsResult:
    command = str(ctx.config.setting(live.EXPORT_SETTING) or "").strip()
    run = run_shell_command(
        expand_home(command, ctx.config.inputs.home),
        timeout=budget.left(),
        env=link(ctx).setup.session.environ,
        cwd=ctx.config.inputs.project_dir,
    )
    failure = _export_failure(run)
    if failure is not None:
        return AwsError(live.EXPORT_ERROR, failure)
    try:
        data = json.loads(run.stdout)
    except ValueError:
        data = None
    fields = data.get("Credentials", data) if isinstance(data, dict) else None
    if not isinstance(fields, dict):
        return AwsError(live.EXPORT_ERROR, "its output is not a JSON object")
    key, secret, token = (fields.get(k) for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"))
    # Registered before anything can be reported: these are live secrets.
    for value, kind in ((secret, "aws_secret_access_key"), (token, "aws_session_token")):
        ctx.redactor.add(value if isinstance(value, str) else None, kind)
    if not (isinstance(key, str) and key and isinstance(secret, str) and secret):
        return AwsError(live.EXPORT_ERROR, "its JSON has no AccessKeyId and SecretAccessKey")
    session_token = token if isinstance(token, str) and token else None
    link(ctx).use_credentials(key, secret, session_token)
    return ResolvedCredentials("aws-credential-export", key, secret, session_token, None)


def _export_failure(run: CommandRun) -> str | None:
    if run.start_error is not None:
        return f"it could not be started: {run.start_error}"
    if run.timed_out:
        return f"it did not finish within {run.duration_ms / 1000:.1f} s"
    if run.exit_code != 0:
        stderr = run.stderr.strip().splitlines()[-1:] or ["no error output"]
        return f"it exited with status {run.exit_code}: {stderr[0][:200]}"
    return None


def usable(ctx: CheckContext, budget: Budget) -> Usable:
    """Live calls are worth making only with credentials that can sign them."""
    found = offline_verdict(ctx)
    if can_fail(found):
        return Usable(False, "credentials.aws found no usable credentials")
    if base_url_unusable(ctx.config):
        return Usable(False, f"{live.BASE_URL_VARIABLE} is not a usable URL (see proxy.config)")
    result = resolved(ctx, budget)
    if isinstance(result, AwsError):
        return Usable(False, f"the AWS credential chain failed ({result.code})")
    return Usable(True)


# --- the client's start-up call ------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """The inference profiles Bedrock lists for the region, and where the listing came from."""

    profiles: tuple[str, ...]
    """System-defined inference profile IDs callable from the region."""
    url: str
    """Where the listing came from (the base URL, or the regional control-plane host)."""

    def same_model(self, profile_id: str) -> list[str]:
        """Profiles of the same base model under other prefixes, in the order the client picks
        one for a built-in default its region does not list: geographic prefixes first, then
        global. (watched on 2.1.197 and 2.1.332)."""
        match = model_data.BEDROCK_PROFILE_ID.match(profile_id)
        base = match.group(2) if match else profile_id
        others = [p for p in self.profiles if p.split(".", 1)[-1] == base and p != profile_id]
        return sorted(others, key=lambda p: p.startswith("global."))

    def for_base(self, base: str) -> list[str]:
        return [p for p in self.profiles if p.split(".", 1)[-1] == base]

    def family(self, model_id: str, prefix: str, other_than: str | None = None) -> list[str]:
        """Listed profiles of the model's family (opus, sonnet, …), other than `other_than`
        (a base model), the client's preferred `prefix` first, then newest-looking first."""
        family = next((f for f in _FAMILIES if f in model_id), "claude")
        found = [
            p
            for p in self.profiles
            if family in p and (other_than is None or p.split(".", 1)[-1] != other_than)
        ]
        by_name = sorted(found, reverse=True)
        return sorted(by_name, key=lambda p: not p.startswith(prefix + "."))


_FAMILIES = ("opus", "sonnet", "haiku", "fable")


def listing(ctx: CheckContext, region: str, budget: Budget) -> Listing | AwsError:
    """ListInferenceProfiles(SYSTEM_DEFINED) in `region`, every page, once per run."""

    def fetch() -> Listing | AwsError:
        profiles: list[str] = []
        token: str | None = None
        url = ""
        for _ in range(live.LIST_MAX_PAGES):
            params: dict[str, Any] = {
                "typeEquals": live.SYSTEM_DEFINED,
                "maxResults": live.LIST_PAGE_SIZE,
            }
            if token:
                params["nextToken"] = token
            page = link(ctx).call(
                live.CONTROL_SERVICE, region, "list_inference_profiles", budget.left(), params
            )
            if isinstance(page, AwsError):
                return page
            url = page.url
            for summary in page.data.get("inferenceProfileSummaries", []):
                if isinstance(summary, Mapping) and summary.get("inferenceProfileId"):
                    profiles.append(str(summary["inferenceProfileId"]))
            token = page.data.get("nextToken")
            if not token:
                break
        return Listing(tuple(dict.fromkeys(profiles)), url)

    return ctx.once(f"aws:profiles:{region}", fetch)


def sent_model_id(model: ModelChoice, listing: Listing | None) -> str:
    """The client sends a listed profile of the same model under another prefix when the one
    it prefers for a built-in default is not listed; region.bedrock warns about that, and the
    model the client picks is proven."""
    if model.explicit or listing is None or model.model_id in listing.profiles:
        return model.model_id
    others = listing.same_model(model.model_id)
    return others[0] if others else model.model_id


# --- the client's own call -----------------------------------------------------------------------


def is_application_profile(model_id: str) -> bool:
    match = model_data.BEDROCK_ARN.match(model_id)
    return match is not None and match.group(3) == "application-inference-profile"


def application_profile(ctx: CheckContext, model_id: str, region: str, budget: Budget) -> AwsResult:
    """GetInferenceProfile, the client's lookup of an application inference profile before it
    calls one; once per run."""
    return ctx.once(
        f"aws:application-profile:{region}:{model_id}",
        lambda: link(ctx).call(
            live.CONTROL_SERVICE,
            region,
            "get_inference_profile",
            budget.left(),
            {"inferenceProfileIdentifier": model_id},
        ),
    )


def not_found(error: AwsError) -> bool:
    """No such resource (a model the account may not use says so with the same code)."""
    return error.code == "ResourceNotFoundException" and error.rule.kind is not Kind.MODEL_ACCESS


def main_call(ctx: CheckContext, budget: Budget) -> tuple[str, str]:
    """The model ID the client sends for its main model, and the region it sends it to."""
    region = ctx.config.bedrock_region.value
    found = listing(ctx, region, budget)
    profiles = found if isinstance(found, Listing) else None
    model_id = sent_model_id(ctx.config.main_model, profiles)
    return model_id, region


def stream_invoke(ctx: CheckContext, model_id: str, region: str, budget: Budget) -> AwsResult:
    """InvokeModelWithResponseStream with max_tokens 1, as the client calls it. Billed, so made
    once per run: models.bedrock proves the model with it, proxy.conformance judges the stream a
    gateway sends back."""

    def call() -> AwsResult:
        return link(ctx).call(
            live.RUNTIME_SERVICE,
            region,
            "invoke_model_with_response_stream",
            budget.left(),
            {
                "modelId": model_id,
                "body": json.dumps(live.probe_body()).encode(),
                "contentType": "application/json",
                "accept": "application/json",
            },
        )

    return ctx.once(f"aws:stream:{region}:{model_id}", call)


@dataclass(frozen=True)
class Stream:
    """What came back from the streamed invoke: where from, under which content type, and the
    events botocore could read from it."""

    url: str
    content_type: str
    events: tuple[str, ...]
    decode_error: str | None

    @classmethod
    def of(cls, answer: AwsAnswer) -> Stream:
        error = answer.data.get("decode_error")
        return cls(
            answer.url,
            str(answer.data.get("content_type", "")),
            tuple(str(e) for e in answer.data.get("events") or ()),
            str(error) if error else None,
        )

    @property
    def labelled(self) -> bool:
        """Sent under the content type the client expects."""
        return self.content_type.split(";")[0].strip() == live.EVENT_STREAM

    @property
    def readable(self) -> bool:
        """A binary event stream botocore (and so the client) can parse, whatever its label."""
        return bool(self.events) and self.decode_error is None

    def details(self) -> dict[str, Any]:
        found: dict[str, Any] = {"content_type": self.content_type, "events": list(self.events)}
        if self.decode_error is not None:
            found["decode_error"] = self.decode_error
        return found


def catalogue(ctx: CheckContext, region: str, budget: Budget) -> dict[str, Any] | AwsError:
    """Anthropic base models in `region` (ListFoundationModels, diagnostic), by model ID."""

    def fetch() -> dict[str, Any] | AwsError:
        answer = link(ctx).call(
            live.CONTROL_SERVICE,
            region,
            "list_foundation_models",
            budget.left(),
            {"byProvider": live.ANTHROPIC_PROVIDER},
        )
        if isinstance(answer, AwsError):
            return answer
        summaries = answer.data.get("modelSummaries", [])
        return {
            str(s["modelId"]): s for s in summaries if isinstance(s, Mapping) and s.get("modelId")
        }

    return ctx.once(f"aws:catalogue:{region}", fetch)


# --- describing what went wrong ------------------------------------------------------------------


def model_variable(role: str) -> str:
    if role in ("main", "small_fast"):
        return live.MAIN_MODEL_VARIABLE if role == "main" else live.SMALL_MODEL_VARIABLE
    return model_data.session_role(role).variable


def facts(
    ctx: CheckContext,
    error: AwsError | None = None,
    model: ModelChoice | None = None,
    model_id: str | None = None,
    region: str | None = None,
    suggested: str | None = None,
) -> dict[str, str | None]:
    found = offline_verdict(ctx)
    known: dict[str, str | None] = {
        "profile": found.profile or ctx.config.aws_files.profile,
        "region": region or ctx.config.bedrock_region.value,
        "model": model_id or (model.model_id if model else None),
        "base_model": base_model(model_id or (model.model_id if model else "")),
        "model_variable": model_variable(model.role) if model else None,
        "suggested_model": suggested,
    }
    if error is not None:
        known.update(denial_facts(error.message))
    return known


def base_model(model_id: str) -> str | None:
    profile = model_data.BEDROCK_PROFILE_ID.match(model_id)
    if profile:
        return profile.group(2)
    return model_id if model_data.BEDROCK_BASE_ID.match(model_id) else None


def error_fix(
    config: ResolvedConfig,
    error: AwsError,
    known: Mapping[str, str | None],
    extra: str = "",
    commands: tuple[str, ...] = (),
) -> Fix:
    rule = error.rule
    text = fill(rule.fix, known) + extra
    filled = tuple(fill(c, known) for c in rule.commands)
    snippet = live.RECOMMENDED_POLICY if rule.cause in ("iam_no_allow", "access_denied") else None
    return removal_fix(config, text, *rule.unsets, before=commands, after=filled, snippet=snippet)


def error_message(what: str, error: AwsError, known: Mapping[str, str | None]) -> str:
    meaning = fill(error.rule.meaning, known)
    return f"{what}: {meaning} ({error.describe()})"


def error_problem(
    config: ResolvedConfig,
    status: Status,
    what: str,
    error: AwsError,
    known: Mapping[str, str | None],
    extra: str = "",
    commands: tuple[str, ...] = (),
) -> Problem:
    fix = error_fix(config, error, known, extra, commands)
    return Problem(status, error_message(what, error, known), fix)


def skew(date: datetime | None) -> timedelta | None:
    """How far this machine's clock is from the server's (positive: the machine is behind)."""
    if date is None:
        return None
    return date - datetime.now(tz=UTC)


# --- credentials.aws, live -----------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """What the live AWS identity check found: its problems, a summary line and details."""

    problems: tuple[Problem, ...]
    summary: str
    """Appended to the offline summary."""
    details: Mapping[str, Any]


def live_identity(ctx: CheckContext) -> Identity:
    budget = Budget(ctx)
    auth = mode(ctx)
    if auth is AuthMode.UNSIGNED:
        return Identity((), "", {"live": "nothing to prove: the gateway adds credentials"})
    if auth is AuthMode.BEARER:
        return _key_identity(ctx, budget)
    return _signed_identity(ctx, budget)


def _key_identity(ctx: CheckContext, budget: Budget) -> Identity:
    """STS takes no Bedrock API key; the client's own first call proves it instead."""
    region = ctx.config.bedrock_region.value
    result = listing(ctx, region, budget)
    if isinstance(result, AwsError):
        if result.rule.kind is Kind.CREDENTIALS:
            problem = error_problem(
                ctx.config,
                Status.FAIL,
                "the client's start-up call (ListInferenceProfiles) is refused",
                result,
                facts(ctx, result),
            )
            return Identity((problem,), "", {"live": result.describe()})
        return Identity((), "", {"live": f"not proven: {result.describe()} (see region.bedrock)"})
    host = urlsplit(result.url).netloc or result.url
    return Identity((), f"; accepted by {host}", {"live": f"ListInferenceProfiles in {region}"})


def _signed_identity(ctx: CheckContext, budget: Budget) -> Identity:
    region = ctx.config.bedrock_region.value
    credentials = resolved(ctx, budget)
    if isinstance(credentials, AwsError):
        source = (
            "the awsCredentialExport command"
            if offline_verdict(ctx).method == "aws-credential-export"
            else "the AWS credential chain"
        )
        problem = error_problem(
            ctx.config,
            Status.FAIL,
            f"{source} could not produce credentials",
            credentials,
            facts(ctx, credentials),
        )
        return Identity((problem,), "", {"resolution": credentials.describe()})
    assert credentials is not None
    details: dict[str, Any] = {
        "resolved_by": credentials.method,
        "access_key_id": _key_hint(credentials.access_key),
        "temporary": credentials.token is not None,
    }
    if credentials.expires_at is not None:
        details["expires_at"] = credentials.expires_at.isoformat()
    answer = link(ctx).call("sts", region, "get_caller_identity", budget.left())
    problems: list[Problem] = []
    summary = ""
    if isinstance(answer, AwsAnswer):
        arn = str(answer.data.get("Arn", ""))
        account = str(answer.data.get("Account", ""))
        details["identity"] = {"arn": arn, "account": account, "user_id": answer.data.get("UserId")}
        summary = f" → {arn} (account {account})"
    elif answer.rule.kind is Kind.CREDENTIALS:
        problems.append(
            error_problem(
                ctx.config,
                Status.FAIL,
                "STS refuses the request signed with these credentials (sts:GetCallerIdentity)",
                answer,
                facts(ctx, answer),
            )
        )
    else:
        details["sts"] = answer.describe()
        problems.append(_sts_unreachable(answer))
    offset = skew(answer.date)
    if offset is not None:
        details["clock_skew_seconds"] = round(offset.total_seconds(), 1)
        refused_for_skew = isinstance(answer, AwsError) and answer.rule.cause == "clock_skew"
        if not refused_for_skew:
            problems.extend(_skew_problems(offset))
    return Identity(tuple(problems), summary, details)


def _sts_unreachable(error: AwsError) -> Problem:
    return Problem(
        Status.WARN,
        f"could not check the identity with STS ({error.describe()}); the client never calls "
        "STS, so this alone breaks nothing",
        Fix(
            "If this network has no route to STS (a private VPC, a gateway in between), point "
            "AWS_ENDPOINT_URL_STS at a reachable STS endpoint to check, or ignore this warning.",
            ("aws sts get-caller-identity",),
        ),
    )


def _skew_problems(offset: timedelta) -> list[Problem]:
    size = abs(offset)
    direction = "behind" if offset > timedelta(0) else "ahead of"
    text = f"this machine's clock is {_minutes(size)} {direction} AWS's"
    rule = rule_for("clock_skew")
    fix = Fix(rule.fix, rule.commands)
    if size > live.MAX_CLOCK_SKEW:
        return [Problem(Status.FAIL, text + ": AWS rejects SigV4 signatures beyond 5 min", fix)]
    if size > live.CLOCK_SKEW_WARNING:
        return [Problem(Status.WARN, text + "; at 5 min every signed request fails", fix)]
    return []


def _minutes(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes:.0f} min" if minutes >= 1 else f"{delta.total_seconds():.0f} s"


def _key_hint(access_key: str) -> str:
    return f"{access_key[:4]}…{access_key[-4:]}" if len(access_key) > 8 else "…"
