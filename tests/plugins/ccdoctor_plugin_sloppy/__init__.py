"""A plugin written without a type checker: a category given as a string, an id given as a
list, and a check whose function returns a dict instead of an Outcome."""

from ccdoctor.context import CheckContext
from ccdoctor.core.results import Category, Outcome, passed
from ccdoctor.spec import check


@check(id="sloppy.category", title="Stringly", category="config", description="-")  # type: ignore[arg-type]
def stringly(ctx: CheckContext) -> Outcome:
    return passed("never run: the category is not a Category")


@check(id="sloppy.result", title="Returns a dict", category=Category.CONFIG, description="-")  # type: ignore[arg-type]
def returns_dict(ctx: CheckContext) -> object:
    return {"status": "pass", "message": "looks fine"}


@check(id=["sloppy", "listed"], title="Listed id", category=Category.CONFIG, description="-")  # type: ignore[arg-type]
def listed(ctx: CheckContext) -> Outcome:
    return passed("never run: the id is not a string")
