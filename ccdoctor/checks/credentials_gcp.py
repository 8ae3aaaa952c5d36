"""credentials.gcp — which Application Default Credentials Claude Code will use for Vertex AI,
whether the file can work, which project the requests go to, and (online) whether Google really
mints a token from them."""

from __future__ import annotations

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome, Status
from ccdoctor.spec import Cost, check


@check(
    id="credentials.gcp",
    title="Google Cloud credentials",
    category=Category.CREDENTIALS,
    description="Which Application Default Credentials Claude Code uses for Vertex AI, whether "
    "Google mints a token from them, and which Google Cloud project requests go to.",
    explain="""
With CLAUDE_CODE_USE_VERTEX, Claude Code authenticates with Google's Application Default
Credentials: the JSON file named by GOOGLE_APPLICATION_CREDENTIALS, else the file `gcloud auth
application-default login` writes (~/.config/gcloud/application_default_credentials.json, or under
CLOUDSDK_CONFIG), else the metadata server of a Google Cloud VM. The project comes from
GCLOUD_PROJECT / GOOGLE_CLOUD_PROJECT, then the credential file's project_id, then
ANTHROPIC_VERTEX_PROJECT_ID (on a VM, then the metadata server); with none the client stops with
"No projectId was given and it could not be resolved from credentials".

Offline, this check reads the credential file without sending it anywhere: that it exists and is
JSON, that its `type` is one Google's libraries accept, that the fields that type needs are there
(a service account's client_email, private_key with its BEGIN/END lines, token_uri; a user's
refresh_token, client_id, client_secret), and that user credentials name a quota project. It warns
when two sources name different projects and the one you set is not the one used.

Online, it loads the file with google-auth as the client's library would and refreshes it once,
through the proxy and with the CA certificates the client uses (a free call to Google's token
endpoint; the metadata server on a VM, and only when one is configured or detected). It names the
credential type, the principal and the quota project, and classifies a refusal: reauthentication
needed (invalid_rapt), refresh token expired or revoked (invalid_grant), a deleted or disabled
service-account key ("Invalid JWT Signature"), a wrong clock ("Token must be a short-lived token"),
an unreachable token endpoint. It warns when requests would bill a quota project other than the
Vertex project, whose API enablement and quota then apply. Under CLAUDE_CODE_SKIP_VERTEX_AUTH the
client sends no Google token and nothing is refreshed. Secrets and tokens never appear in the
report.

Typical fixes: `gcloud auth application-default login`; a new service-account key; sync the
clock; fix GOOGLE_APPLICATION_CREDENTIALS; `gcloud auth application-default set-quota-project P`;
export ANTHROPIC_VERTEX_PROJECT_ID (or make GOOGLE_CLOUD_PROJECT agree with it).
""",
    providers=[Provider.VERTEX],
    cost=Cost.FREE_CALL,
)
def gcp_credentials_check(ctx: CheckContext) -> Outcome:
    # Imported here, not at the top: only a Vertex run pays for loading the provider's code.
    from ccdoctor.providers.vertex.credentials import (
        METADATA,
        find_gcp_credentials,
        google_token,
        minted_text,
        quota_project_problems,
        refresh_problem,
        vertex_project,
    )
    from ccdoctor.providers.vertex.google import TokenError

    found = find_gcp_credentials(ctx.config, ctx.redactor)
    minted = google_token(ctx)
    if minted is None:
        return Outcome.from_problems(found.problems, found.summary, found.details)
    problems = [p for p in found.problems if p not in found.settled_live]
    details = dict(found.details)
    if isinstance(minted, TokenError):
        details["refresh"] = {
            "error": minted.text,
            "exception": minted.exception_names[0],
            "token_url": minted.token_url,
            "ms": minted.elapsed_ms,
        }
        problems.append(refresh_problem(ctx.config, found, minted))
        # What only an answer could have settled stays unsettled without one: a metadata
        # server that does not answer names no project either.
        problems.extend(p for p in found.settled_live if p.status is Status.FAIL)
        return Outcome.from_problems(problems, found.summary, details)
    project = vertex_project(ctx.config, found, minted)
    details["refresh"] = {
        "credential_class": minted.credential_class,
        "principal": minted.principal,
        "quota_project": minted.quota_project,
        "token_url": minted.token_url,
        "ms": minted.elapsed_ms,
    }
    summary = found.summary
    if project is None:
        problems.extend(p for p in found.settled_live if p.status is Status.FAIL)
    elif ctx.config.vertex_project.value is None:
        details["project"] = {"value": project, "origin": METADATA, "shadowed": []}
        summary += f", project {project} from the metadata server"
    problems.extend(quota_project_problems(ctx.config, found, minted, project))
    return Outcome.from_problems(problems, summary + "; " + minted_text(minted), details)
