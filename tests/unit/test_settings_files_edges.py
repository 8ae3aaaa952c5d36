"""Reading one settings file: every way it can be unusable is kept as a message the user can act
on, at the limits the client has. (Written against the mutants `make mutation` left alive in
ccdoctor/config/settings_files.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from ccdoctor.config.settings_files import (
    MAX_SETTINGS_BYTES,
    Source,
    load_layer,
    parse_layer,
    settings_argument_layer,
)


def test_a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_not(tmp_path: Path) -> None:
    body = b'{"model": "m"}'
    at_limit = tmp_path / "at.json"
    at_limit.write_bytes(body + b" " * (MAX_SETTINGS_BYTES - len(body)))
    over = tmp_path / "over.json"
    over.write_bytes(body + b" " * (MAX_SETTINGS_BYTES - len(body) + 1))

    assert load_layer(Source.USER, at_limit).data == {"model": "m"}
    layer = load_layer(Source.USER, over)
    assert layer.data is None and layer.error is not None
    assert "2 MiB" in layer.error.message


def test_an_absent_file_is_not_an_error_and_a_directory_is(tmp_path: Path) -> None:
    absent = load_layer(Source.PROJECT, tmp_path / "none.json")
    assert absent.exists is False and absent.error is None
    folder = tmp_path / "settings.json"
    folder.mkdir()
    error = load_layer(Source.PROJECT, folder).error
    assert error is not None and error.message == "is a directory, not a file"


def test_a_byte_order_mark_is_placed_at_line_1_column_1() -> None:
    error = parse_layer(Source.USER, "f", b'\xef\xbb\xbf{"model": "m"}').error
    assert error is not None
    assert (error.message, error.line, error.column) == (
        "starts with a byte-order mark, which strict JSON parsers reject",
        1,
        1,
    )


def test_empty_and_too_deeply_nested_files_say_so() -> None:
    empty = parse_layer(Source.LOCAL, "f", b"  \n").error
    assert empty is not None and empty.message == "is empty; write {} or delete it"
    deep = parse_layer(
        Source.LOCAL, "deep.json", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    )
    assert (deep.source, deep.path, deep.data) == (Source.LOCAL, "deep.json", None)
    assert deep.error is not None and deep.error.message == "is nested too deeply to be read"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[1]", "an array"),
        ('"x"', "a string"),
        ("null", "null"),
        ("1.5", "a number"),
        ("2", "a number"),
        # Python's bool is an int: the file's `true` was once named "a number".
        ("true", "true or false"),
        ("false", "true or false"),
    ],
)
def test_a_file_that_is_not_an_object_names_what_it_holds(text: str, named: str) -> None:
    error = parse_layer(Source.USER, "f", text.encode()).error
    assert error is not None and error.message == f"must hold a JSON object, not {named}"


def test_inline_settings_may_start_with_blanks_and_a_missing_file_says_so(tmp_path: Path) -> None:
    inline = settings_argument_layer('  \n {"model": "m"}', tmp_path)
    assert (inline.path, inline.data) == ("--settings (inline JSON)", {"model": "m"})
    missing = settings_argument_layer("nowhere.json", tmp_path)
    assert (missing.path, missing.exists, missing.data) == (
        str(tmp_path / "nowhere.json"),
        False,
        None,
    )
    assert missing.error is not None and missing.error.message == "does not exist"
