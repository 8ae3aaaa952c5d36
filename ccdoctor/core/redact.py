"""The one redactor: every secret becomes a fingerprint before anything is rendered."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ccdoctor.core.secrets import SECRET_SHAPES

_MIN_SECRET_LENGTH = 4
"""Shorter values are too likely to occur as ordinary text to be replaced everywhere."""
_SHOW_TAIL_FROM = 24
"""Only long secrets show their last four characters: for short ones that would be most of it."""


def fingerprint(value: str, kind: str = "secret") -> str:
    """A stable, non-reversible description: kind, length and (for long values) the last 4."""
    tail = f" …{value[-4:]}" if len(value) >= _SHOW_TAIL_FROM else ""
    return f"<{kind}: {len(value)} chars{tail}>"


def _fingerprinter(kind: str) -> Callable[[re.Match[str]], str]:
    return lambda match: fingerprint(match.group(0), kind)


class Redactor:
    """Knows every secret value seen in the configuration or produced during the run (helper
    output, tokens) and scrubs them, plus anything shaped like a credential, from text."""

    def __init__(self, secrets: Iterable[tuple[str, str]] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}
        for value, kind in secrets:
            self.add(value, kind)

    def add(self, value: str | None, kind: str = "secret") -> None:
        if not value:
            return
        variants = {value, value.strip(), value.strip().strip("\"'").strip()}
        variants |= {json.dumps(v)[1:-1] for v in list(variants)}
        with self._lock:
            for variant in variants:
                if len(variant) >= _MIN_SECRET_LENGTH:
                    self._secrets.setdefault(variant, fingerprint(value.strip(), kind))

    def scrub(self, text: str) -> str:
        with self._lock:
            known = sorted(self._secrets.items(), key=lambda item: -len(item[0]))
        for secret, replacement in known:
            if secret in text:
                text = text.replace(secret, replacement)
        for kind, pattern in SECRET_SHAPES:
            text = pattern.sub(_fingerprinter(kind), text)
        return text

    def scrub_data(self, data: Any) -> Any:
        """Scrub every string inside JSON-like data, keys included."""
        if isinstance(data, str):
            return self.scrub(data)
        if isinstance(data, Mapping):
            return {self.scrub(str(k)): self.scrub_data(v) for k, v in data.items()}
        if isinstance(data, list | tuple | set | frozenset):
            return [self.scrub_data(item) for item in data]
        return data
