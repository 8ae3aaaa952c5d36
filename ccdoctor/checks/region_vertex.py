"""region.vertex — which Vertex location (and host) each model is called in, and whether the model
is served there: judged from the configuration offline and, unless --offline, by free token counts
in that location and, after Google's 404, in the locations that serve Claude most widely.

It also holds how the client calls Vertex AI in a location (the caller, the time a check may
spend, the requests, each made at most once per run), which models.vertex builds on."""

from __future__ import annotations

from typing import Any

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome, Status
from ccdoctor.spec import Cost, check


@check(
    id="region.vertex",
    title="Vertex location",
    category=Category.REGION,
    description="The Vertex location and host each model is called in, where it came from, and "
    "whether the model is served there.",
    providers=[Provider.VERTEX],
    explain="""
Claude Code picks a location per model: the model's VERTEX_REGION_CLAUDE_* variable, then
CLOUD_ML_REGION, else us-east5; values not shaped like a location are skipped. `global` is served
by aiplatform.googleapis.com, `us`/`eu` by aiplatform.{us,eu}.rep.googleapis.com, a region R by
R-aiplatform.googleapis.com — there is no global-aiplatform.googleapis.com.

Regional locations serve Claude models up to Sonnet/Opus 4.6; Opus 4.7 and later, Sonnet 5,
Opus 5 and Fable are served only on global and the us/eu multi-regions, so the default us-east5
fails for them with a 404 or "not available on your vertex deployment".

Unless --offline, the check then asks Vertex AI, with the client's free token count
(count-tokens:rawPredict, with the client's token, project and host), whether each model is served
in its location. Google's 404 reads the same for "not served in this location" and "no access to
the model", so after a 404 it asks the same in global, us, eu and us-east5: a model served in one
of those is in the wrong location (a failure for the main model, a warning for the small/fast
one); a model served nowhere is an access problem, which models.vertex reports. Under a gateway
that answers without Google's error it cannot tell, and keeps to the offline verdict. The answers
are shared with models.vertex, which makes no call twice.

Typical fixes: the model's VERTEX_REGION_CLAUDE_* variable set to a location that serves it;
CLOUD_ML_REGION=global; remove a hand-built global-aiplatform host from
ANTHROPIC_VERTEX_BASE_URL.
""",
    cost=Cost.FREE_CALL,
)
def region_vertex_check(ctx: CheckContext) -> Outcome:
    # Imported here, not at the top: only a Vertex run pays for loading the provider's code.
    from ccdoctor.providers.vertex.live import (
        judge_live_locations,
        location_problems,
        vertex_targets,
    )

    targets = vertex_targets(ctx.config)
    details: dict[str, Any] = {
        "models": [
            {
                "role": t.role,
                "model": t.model.model_id,
                "location": t.location.value,
                "origin": t.location.origin,
                "host": t.host,
                "skipped": [{"where": w, "value": v} for w, v in t.location.skipped],
            }
            for t in targets
        ]
    }
    summary = "; ".join(
        f"{t.role} {t.model.model_id} → {t.location.value} ({t.location.origin}) at {t.host}"
        for t in targets
    )
    offline = location_problems(ctx.config)
    # A location that already fails (a host that does not exist) needs no call to prove it.
    if ctx.options.offline or any(p.status is Status.FAIL for p in offline):
        return Outcome.from_problems(offline, summary, details)
    live = judge_live_locations(ctx, targets)
    details["live"] = live.notes
    problems = [*location_problems(ctx.config, live.settled), *live.problems]
    return Outcome.from_problems(problems, summary + live.summary, details)
