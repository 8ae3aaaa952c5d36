"""Boolean parsing exactly as Claude Code does it (observed with 2.1.197)."""

from __future__ import annotations

import enum

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class Flag(enum.Enum):
    TRUE = "true"
    FALSE = "false"
    UNSET = "unset"
    AMBIGUOUS = "ambiguous"
    """Set to something that is neither truthy nor falsy: the client treats it as false."""


def parse_flag(value: str | None) -> Flag:
    if value is None or value == "":
        return Flag.UNSET
    word = value.strip().lower()
    if word in _TRUE:
        return Flag.TRUE
    if word in _FALSE:
        return Flag.FALSE
    return Flag.AMBIGUOUS


def is_truthy(value: str | None) -> bool:
    return parse_flag(value) is Flag.TRUE
