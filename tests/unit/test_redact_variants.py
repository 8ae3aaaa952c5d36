"""The redactor catches a secret in every form the client or a server may show it: as given,
trimmed, unquoted, JSON-escaped; and a fingerprint shows the tail only of a long secret.
(Written against the mutants `make mutation` left alive in ccdoctor/core/redact.py.)"""

from __future__ import annotations

import json

from ccdoctor.core.redact import Redactor, fingerprint


def test_a_fingerprint_shows_the_last_four_from_24_characters_on() -> None:
    assert fingerprint("a" * 23 + "Z", "key") == "<key: 24 chars …aaaZ>"
    assert fingerprint("b" * 23, "key") == "<key: 23 chars>"


def test_a_four_character_secret_is_scrubbed_and_a_shorter_one_is_not() -> None:
    redactor = Redactor([("wxyz", "pin"), ("abc", "pin")])
    assert redactor.scrub("pin wxyz, code abc") == "pin <pin: 4 chars>, code abc"


def test_a_quoted_value_is_scrubbed_without_its_quotes() -> None:
    quoted = "\"'hunter2-hunter2'\""
    redactor = Redactor([(quoted, "password")])
    assert redactor.scrub("login failed for hunter2-hunter2") == (
        f"login failed for {fingerprint(quoted.strip(), 'password')}"
    )


def test_a_secret_with_json_special_characters_is_scrubbed_raw_and_escaped() -> None:
    secret = 'pa"ss\\word-0123456789'
    shown = fingerprint(secret, "password")
    redactor = Redactor([(secret, "password")])
    echoed = json.dumps({"error": f"bad credential {secret}"})

    assert redactor.scrub(f"raw {secret} end") == f"raw {shown} end"
    assert redactor.scrub(echoed) == json.dumps({"error": f"bad credential {shown}"})


def test_the_longer_of_two_overlapping_secrets_is_replaced_whole() -> None:
    short, long = "tok-0123456789", "tok-0123456789-extended-part"
    for secrets in ([(short, "a"), (long, "b")], [(long, "b"), (short, "a")]):
        redactor = Redactor(secrets)
        assert redactor.scrub(f"sent {long}") == f"sent {fingerprint(long, 'b')}"


def test_a_credential_shaped_text_is_fingerprinted_with_its_kind() -> None:
    key = "sk-ant-api03-" + "q" * 30
    assert Redactor().scrub(f"key={key}") == f"key={fingerprint(key, 'anthropic-key')}"
