"""What a text file that is not plain UTF-8 is written in, told from its bytes: the repair
command has to name the real encoding (iconv from latin-1 turns UTF-16 into garbage)."""

from __future__ import annotations

import enum


class Encoding(enum.Enum):
    """An encoding a settings file is found in, with the name iconv knows it by."""

    UTF8 = ("UTF-8", "UTF-8")
    UTF8_BOM = ("UTF-8 with a byte-order mark (EF BB BF)", "UTF-8")
    UTF16_LE = ("UTF-16 LE (byte-order mark FF FE, as PowerShell's > writes)", "UTF-16")
    UTF16_BE = ("UTF-16 BE (byte-order mark FE FF)", "UTF-16")
    UTF16_LE_NO_BOM = ("UTF-16 LE without a byte-order mark", "UTF-16LE")
    UTF16_BE_NO_BOM = ("UTF-16 BE without a byte-order mark", "UTF-16BE")
    LATIN1 = ("latin-1 (ISO-8859-1) or a Windows code page", "LATIN1")

    def __init__(self, description: str, iconv_name: str) -> None:
        self.description = description
        self.iconv_name = iconv_name

    @property
    def python_codec(self) -> str:
        return _CODECS[self]


_CODECS = {
    Encoding.UTF8: "utf-8",
    Encoding.UTF8_BOM: "utf-8-sig",
    Encoding.UTF16_LE: "utf-16",
    Encoding.UTF16_BE: "utf-16",
    Encoding.UTF16_LE_NO_BOM: "utf-16-le",
    Encoding.UTF16_BE_NO_BOM: "utf-16-be",
    Encoding.LATIN1: "latin-1",
}


def sniff(raw: bytes) -> Encoding:
    """The encoding `raw` is most likely in. A BOM decides; without one, JSON starts with ASCII,
    so UTF-16 shows as a zero byte beside every character; what is neither UTF-8 nor UTF-16 is
    taken as latin-1, which decodes any byte."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return Encoding.UTF8_BOM
    if raw.startswith(b"\xff\xfe"):
        return Encoding.UTF16_LE
    if raw.startswith(b"\xfe\xff"):
        return Encoding.UTF16_BE
    head = raw[:64]
    if len(head) >= 2 and head[1::2].count(0) > len(head) // 4 and 0 not in head[0::2][:1]:
        return Encoding.UTF16_LE_NO_BOM
    if len(head) >= 2 and head[0::2].count(0) > len(head) // 4 and 0 not in head[1::2][:1]:
        return Encoding.UTF16_BE_NO_BOM
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return Encoding.LATIN1
    return Encoding.UTF8


def decoded(raw: bytes, encoding: Encoding) -> str | None:
    """`raw` as text in `encoding`, None when it is not valid there."""
    try:
        return raw.decode(encoding.python_codec)
    except UnicodeDecodeError:
        return None
