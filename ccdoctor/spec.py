"""A check's metadata and the decorator that declares it."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ccdoctor.context import CheckContext
from ccdoctor.core.provider import Provider
from ccdoctor.core.results import Category, Outcome


class Cost(enum.StrEnum):
    """What running a check costs the user: nothing, a free API call, or billed tokens."""

    LOCAL = "local"
    FREE_CALL = "free call"
    BILLED_CALL = "billed call"


@dataclass(frozen=True)
class CheckSpec:
    """A check's metadata, declared beside its code."""

    id: str
    title: str
    category: Category
    description: str
    explain: str = ""
    needs: tuple[str, ...] = ()
    providers: frozenset[Provider] | None = None
    network: bool = False
    cost: Cost = Cost.LOCAL
    stops_client: bool = False
    """A failure means Claude Code stops before its first request (a managed policy that refuses
    the session): the run then sends nothing either, and checks with a live part judge offline."""

    def applies_to(self, provider: Provider) -> bool:
        return self.providers is None or provider in self.providers


CheckFunction = Callable[[CheckContext], Outcome]


@dataclass(frozen=True)
class Check:
    """A registered check: its spec, the function that runs it, and whether it is built in or from a
    plugin."""

    spec: CheckSpec
    run: CheckFunction
    origin: str = "builtin"


def check(
    id: str,
    title: str,
    category: Category,
    description: str,
    *,
    explain: str = "",
    needs: Iterable[str] = (),
    providers: Iterable[Provider] | None = None,
    network: bool = False,
    cost: Cost = Cost.LOCAL,
    stops_client: bool = False,
) -> Callable[[CheckFunction], Check]:
    """Declare a check: the decorated function becomes a `Check` carrying its metadata."""

    spec = CheckSpec(
        id=id,
        title=title,
        category=category,
        description=description,
        explain=explain,
        needs=tuple(needs),
        providers=frozenset(providers) if providers is not None else None,
        network=network,
        cost=cost,
        stops_client=stops_client,
    )

    def wrap(function: CheckFunction) -> Check:
        return Check(spec=spec, run=function)

    return wrap
