"""What the providers answer, as data: fixtures/responses/<route>/<name>.<ext>.

The fakes keep the behaviour (routing, authentication, which state causes which refusal); the
bodies, error texts and stream events they send live in files, so that a text copied from the
real provider can be checked against it without reading code. The error-table tests read their
samples of real answers (`error_samples.json`) from here too. Two kinds of placeholder, one per
kind of file:

- JSON templates (`load` + `fill`): a string that is exactly "{{name}}" becomes the value given
  for `name`, whatever its type, so a token count stays a number.
- Texts (error messages inside the JSON files, `text` files such as XML or HTML): `str.format`
  fields, `{name}`, filled by the fake that sends them.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from tests.fixtures_dir import FIXTURES

RESPONSES = FIXTURES / "responses"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def load(route: str, name: str) -> Any:
    """fixtures/responses/<route>/<name>.json, parsed afresh (callers may change their copy)."""
    return json.loads(_read(route, f"{name}.json"))


def text(route: str, filename: str) -> str:
    """A non-JSON answer, as sent: fixtures/responses/<route>/<filename>."""
    return _read(route, filename)


def fill(template: Any, **values: Any) -> Any:
    """A copy of the JSON template with every "{{name}}" string replaced by values[name]."""
    if isinstance(template, dict):
        return {key: fill(value, **values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(item, **values) for item in template]
    if isinstance(template, str) and (found := _PLACEHOLDER.fullmatch(template)):
        return values[found.group(1)]
    return template


@cache
def _read(route: str, filename: str) -> str:
    # Read once per process: the fakes answer from these on every request.
    return (RESPONSES / route / filename).read_text(encoding="utf-8")
