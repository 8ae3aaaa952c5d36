"""Every fix command that acts on a local file, built in one place.

A command that rewrites a user's file has to be right for the file it is shown for and must
never cost its content: each rewrite writes a new file, keeps the original beside it as
`<file>.bak`, and only then moves the new file into place. The test suite runs each kind listed
in `LOCAL_REPAIRS` in a sandbox HOME on the set-up that triggers it and re-runs the check, and it
fails on a file-touching command built anywhere else, so a new local fix cannot ship unproven."""

from __future__ import annotations

import enum
import shlex

from ccdoctor.core.encoding import Encoding


class Repair(enum.Enum):
    REENCODE = "rewrite a file as UTF-8 without a byte-order mark, keeping the original"
    WRITE_EMPTY_OBJECT = "write {} into an empty file, keeping the original"
    MAKE_READABLE = "give the owner read permission"
    MAKE_EXECUTABLE = "give a script execute permission"
    SHOW_JSON_ERROR = "print a file's first JSON syntax error (reads only)"
    SHOW_FILE = "list a path's type, owner and permissions (reads only)"


LOCAL_REPAIRS: tuple[Repair, ...] = tuple(Repair)

REENCODABLE: tuple[Encoding, ...] = tuple(e for e in Encoding if e is not Encoding.UTF8)
"""The encodings `reencode` has a command for."""

BACKUP_SUFFIX = ".bak"


def reencode(path: str, encoding: Encoding) -> str:
    quoted = shlex.quote(path)
    new = shlex.quote(path + ".utf8")
    if encoding is Encoding.UTF8_BOM:
        # iconv keeps U+FEFF as a character; dropping the three bytes is the whole repair.
        convert = f"tail -c +4 {quoted} > {new}"
    else:
        convert = f"iconv -f {encoding.iconv_name} -t UTF-8 {quoted} > {new}"
    return f"{convert} && {_replace(quoted, new)}"


def write_empty_object(path: str) -> str:
    quoted = shlex.quote(path)
    new = shlex.quote(path + ".new")
    return f"printf '{{}}\\n' > {new} && {_replace(quoted, new)}"


def make_readable(path: str) -> str:
    return f"chmod u+r {shlex.quote(path)}"


def make_executable(path: str) -> str:
    return f"chmod +x {shlex.quote(path)}"


def show_json_error(path: str) -> str:
    return f"python3 -m json.tool {shlex.quote(path)} > /dev/null"


def show_file(path: str) -> str:
    return f"ls -ld {shlex.quote(path)}"


def _replace(quoted: str, new: str) -> str:
    backup = shlex.quote(shlex.split(quoted)[0] + BACKUP_SUFFIX)
    return f"cp -p {quoted} {backup} && mv {new} {quoted}"
