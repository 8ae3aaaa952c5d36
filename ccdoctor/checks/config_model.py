"""config.model — are the main and small/fast model IDs shaped right for the provider in use?"""

from __future__ import annotations

from ccdoctor.config.view import ModelChoice
from ccdoctor.context import CheckContext
from ccdoctor.core.results import Category, Fix, Outcome, Problem, Status
from ccdoctor.diagnose.model_ids import (
    describe_choice,
    endpoint_named,
    judge_model,
    one_million_hint,
    shown_id,
)
from ccdoctor.knowledge.policy import RESTRICTED
from ccdoctor.spec import check


@check(
    id="config.model",
    title="Model IDs",
    category=Category.CONFIG,
    description="The main and small/fast model Claude Code will request are well formed for "
    "the provider in use (Bedrock profile IDs, Vertex @date names, Anthropic IDs).",
    explain="""
Resolves the main model (--model, ANTHROPIC_MODEL, the model setting, ANTHROPIC_DEFAULT_MODEL or
the provider default, through aliases, ANTHROPIC_DEFAULT_*_MODEL pins and modelOverrides) and
the small/fast model, then checks each ID's shape for the provider:
- Bedrock needs an inference-profile ID (us.anthropic.…) or an ARN. A base ID
  (anthropic.claude-…-v1:0) fails at once with "on-demand throughput isn't supported"; a
  Vertex-style name@date or an Anthropic API ID gives "The provided model identifier is
  invalid"; an ARN must contain a literal "/" — not %2F.
- Vertex needs claude-…@YYYYMMDD for dated models; an anthropic.… ID is a Bedrock one.
- The Anthropic API needs claude-… IDs. Behind an ANTHROPIC_BASE_URL gateway any name may be
  valid, so only Bedrock/Vertex-shaped IDs are flagged, as warnings.
- [1m] asks for the 1M-context variant, which only Sonnet 4+, Opus 4.6+, Haiku 5.5+ and Fable
  have. A chosen Sonnet 4 to 4.6 or Opus 4.6 without it runs with 200K: a hint, not a warning.
A broken small/fast model is a warning, not a failure: a one-shot `claude -p` does not use it.
The same for CLAUDE_CODE_SUBAGENT_MODEL and the sonnet/opus alias pins, which the client sends
only mid-session.
A chosen model that availableModels (in any settings file) does not allow is replaced by the
default, which the other checks then judge: a warning, as 2.1.332 prints one (2.1.197 says
nothing).

Typical fixes: prefix a Bedrock base ID with the inference-profile prefix for your region; write
Vertex dates with @; map provider IDs with modelOverrides.
""",
)
def model_check(ctx: CheckContext) -> Outcome:
    config = ctx.config
    main, small = config.main_model, config.small_model
    problems = list(judge_model(main, config, is_main=True))
    if main.restricted is not None:
        problems.insert(0, _restricted(main, *main.restricted))
    if (small.model_id, small.origin) != (main.model_id, main.origin):
        problems.extend(judge_model(small, config, is_main=False))
    for further in config.session_models:
        problems.extend(judge_model(further, config, is_main=False))
    details = {
        "provider": config.provider.provider.value,
        "endpoint": endpoint_named(config),
        "main": describe_choice(main),
        "small_fast": describe_choice(small),
    }
    ok = (
        f"main {shown_id(main)}, small/fast {shown_id(small)}: well formed for "
        f"{endpoint_named(config)}"
    )
    # A hint, never a failure or a warning: a 200K window works, it is only smaller.
    if (hint := one_million_hint(main)) is not None:
        details["hint"] = hint
        ok += f" (hint: {hint})"
    return Outcome.from_problems(problems, ok, details)


def _restricted(main: ModelChoice, chosen: str, where: str) -> Problem:
    return Problem(
        Status.WARN,
        f"{RESTRICTED.format(model=chosen)} availableModels in {where} does not list it, so "
        f"Claude Code sends {shown_id(main)} instead",
        Fix(
            f"Choose a model availableModels lists, or add {chosen} (or its family) to "
            f"availableModels in {where}."
        ),
    )
