"""Whether a credential survives the trip into an HTTP header exactly as the user meant it."""

from __future__ import annotations

import unicodedata

from ccdoctor.knowledge.credentials import HEADER_MAX_CODE_POINT, QUOTE_CHARACTERS


def credential_text_problem(value: str) -> str | None:
    """What is wrong with a credential's text, as a phrase ("is wrapped in literal quotes"), or
    None. Surrounding spaces, tabs and line breaks are harmless: they are trimmed before sending."""
    text = value.strip()
    if not text:
        return "is blank"
    if text[0] in QUOTE_CHARACTERS or text[-1] in QUOTE_CHARACTERS:
        return "is wrapped in literal quotes, which are sent as part of it"
    for character in text:
        if character in "\r\n":
            return "has a line break inside it"
        if character.isspace():
            return f"has whitespace inside it ({_describe(character)})"
        if ord(character) < 0x20 or ord(character) == 0x7F:
            return f"contains a control character ({_describe(character)})"
        if ord(character) > HEADER_MAX_CODE_POINT:
            return f"contains {_describe(character)}, which cannot be sent in an HTTP header"
    return None


def _describe(character: str) -> str:
    name = unicodedata.name(character, "")
    code = f"U+{ord(character):04X}"
    return f"{code} {name}" if name else code
