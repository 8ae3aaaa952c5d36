"""Did-you-mean for names a user types: check ids and categories."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """The known names nearest to word, case ignored; a word that is a known name's prefix
    (`proxy.re`) counts as near."""
    names = list(dict.fromkeys(known))
    lowered = {name.lower(): name for name in names}
    typed = word.strip().lower()
    prefixed = [name for name in names if typed and name.lower().startswith(typed)]
    similar = difflib.get_close_matches(typed, list(lowered), n=limit, cutoff=0.6)
    return list(dict.fromkeys(prefixed + [lowered[s] for s in similar]))[:limit]


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """' (did you mean a or b?)', or '' when nothing is near."""
    near = closest(word, known)
    if not near:
        return ""
    return " (did you mean " + " or ".join(near) + "?)"
