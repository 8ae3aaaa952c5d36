"""A well-behaved plugin: one check that needs a built-in one."""

from ccdoctor.context import CheckContext
from ccdoctor.core.results import Category, Outcome, passed
from ccdoctor.spec import check


@check(
    id="demo.greeting",
    title="Demo plugin greeting",
    category=Category.CONFIG,
    description="Passes, naming the provider config.provider settled on.",
    explain="A fixture for ccdoctor's plugin tests.",
    needs=("config.provider",),
)
def greeting(ctx: CheckContext) -> Outcome:
    return passed(f"hello from the demo plugin ({ctx.config.provider.provider.value})")
