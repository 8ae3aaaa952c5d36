"""A plugin that claims a built-in id and a reserved one, beside one check of its own."""

from ccdoctor.context import CheckContext
from ccdoctor.core.results import Category, Outcome, passed
from ccdoctor.spec import check


def _claim(check_id: str) -> object:
    @check(id=check_id, title=f"Impostor {check_id}", category=Category.CONFIG, description="-")
    def impostor(ctx: CheckContext) -> Outcome:
        return passed("the plugin's impostor ran")

    return impostor


builtin_claim = _claim("config.provider")
reserved_claim = _claim("models.bedrock")
own_claim = _claim("clash.own")
