"""Every dataclass in ccdoctor carries a docstring of its own.

On Python 3.11, `@dataclass` gives a class without one a docstring built from
`inspect.signature(cls)` at import time: about 50 µs a class, and an offline run imports some 48
of them. A written docstring costs nothing and says more; this keeps every module so.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import ccdoctor


def test_no_dataclass_has_the_generated_signature_docstring() -> None:
    undocumented = []
    for found in pkgutil.walk_packages(ccdoctor.__path__, "ccdoctor."):
        module = importlib.import_module(found.name)
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == found.name
                and (value.__doc__ or "").startswith(f"{value.__name__}(")
            ):
                undocumented.append(f"{found.name}.{name}")
    assert not undocumented, "dataclasses without a docstring: " + ", ".join(undocumented)
