"""Making untrusted text safe to print: values come from environment variables, settings files
and server replies, so they may hold terminal escape sequences or undecodable bytes."""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _surrogate(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    # Python decodes an undecodable byte (in os.environ, file names) to U+DC80..U+DCFF; showing
    # the byte says more than a replacement character would.
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def _control(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group(0)):02x}"


def encodable(text: str) -> str:
    """Text that encodes as UTF-8: lone surrogates would make any strict writer raise."""
    return _SURROGATE.sub(_surrogate, text)


def printable(text: str) -> str:
    """Text that cannot drive a terminal: control characters other than newline and tab are
    shown as escapes, so an escape sequence in a value is seen rather than obeyed."""
    return _CONTROL.sub(_control, encodable(text))
