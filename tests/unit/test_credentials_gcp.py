"""credentials.gcp: which Application Default Credentials Vertex requests use, whether the file
can work, and which project they go to — with the file's secrets kept out of the result."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ccdoctor.context import RunOptions
from ccdoctor.core.results import CheckResult, Status, fix_to_dict
from ccdoctor.host import cloud as cloud_host
from ccdoctor.knowledge import credentials as known
from tests.machine import Machine, machine_file

CHECK = "credentials.gcp"
PROJECT = "claude-vertex-prod"
OFFLINE = RunOptions(timeout=2.0, deadline=10.0, offline=True)
"""What the file alone tells: online, the check also refreshes the credential at Google's token
endpoint (tests/integration/test_live_vertex.py does that against a loopback fake)."""


@pytest.fixture(autouse=True)
def vertex(machine: Machine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machine:
    """Vertex on a machine that is not a Google Cloud VM."""
    dmi = tmp_path / "dmi"
    dmi.mkdir()
    monkeypatch.setattr(cloud_host, "DMI_DIRECTORY", dmi)
    machine.env["CLAUDE_CODE_USE_VERTEX"] = "1"
    return machine


@pytest.fixture(scope="module")
def pem_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def dump(result: CheckResult) -> str:
    return json.dumps(
        {"message": result.message, "fix": fix_to_dict(result.fix), "details": result.details},
        default=str,
    )


def messages(result: CheckResult) -> list[str]:
    return [p["message"] for p in result.details.get("problems", [])] or [result.message]


def service_account(pem: str, **changes: Any) -> dict[str, Any]:
    text = machine_file(
        "gcp_service_account",
        "keys/sa.json",
        project=PROJECT,
        private_key_id=secrets.token_hex(20),
        private_key=json.dumps(pem)[1:-1],  # inside the template's JSON string: newlines escaped
    )
    data = json.loads(text)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def user_credentials(**changes: Any) -> dict[str, Any]:
    text = machine_file(
        "gcloud_user",
        f"home/.config/gcloud/{known.GCP_ADC_FILE}",
        client_secret="d-FL95Q" + secrets.token_urlsafe(12),
        refresh_token="1//0g" + secrets.token_urlsafe(80),
        project=PROJECT,
    )
    data = json.loads(text)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def key_file(machine: Machine, content: Any) -> Path:
    path = machine.write(machine.root / "keys" / "sa.json", content)
    machine.env["GOOGLE_APPLICATION_CREDENTIALS"] = str(path)
    return path


def gcloud_file(machine: Machine, content: Any, base: Path | None = None) -> Path:
    directory = base or machine.home / ".config" / "gcloud"
    return machine.write(directory / known.GCP_ADC_FILE, content)


# --- service-account key files -------------------------------------------------------------------


def test_service_account_key_passes_and_its_private_key_never_shows(
    machine: Machine, pem_key: str
) -> None:
    key_file(machine, service_account(pem_key))
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.PASS
    assert f"claude@{PROJECT}.iam.gserviceaccount.com" in result.message
    assert f"project {PROJECT}" in result.message
    assert result.details["type"] == "service_account"
    body = pem_key.splitlines()[5]
    assert body not in dump(result)


def test_missing_key_file_fails_with_googles_text(machine: Machine) -> None:
    machine.env["GOOGLE_APPLICATION_CREDENTIALS"] = str(machine.root / "nope.json")
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert f"File {machine.root / 'nope.json'} was not found." in result.message
    assert result.fix is not None and "unset GOOGLE_APPLICATION_CREDENTIALS" in result.fix.commands


def test_relative_key_path_is_read_from_the_start_directory(machine: Machine, pem_key: str) -> None:
    machine.write(machine.project / "sa.json", service_account(pem_key))
    machine.env["GOOGLE_APPLICATION_CREDENTIALS"] = "sa.json"
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.PASS
    assert result.details["path"] == str(machine.project / "sa.json")


def test_key_path_that_is_a_directory_fails(machine: Machine) -> None:
    machine.env["GOOGLE_APPLICATION_CREDENTIALS"] = str(machine.root)
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert "is a directory" in result.message


def test_key_file_that_is_not_json_fails(machine: Machine) -> None:
    key_file(machine, '{"type": "service_account",')
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert "is not valid JSON" in result.message


def test_unknown_type_fails_with_the_accepted_list(machine: Machine) -> None:
    key_file(machine, {"type": "weird", "project_id": PROJECT})
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert "does not have a valid type. Type is 'weird'" in result.message
    assert "'service_account'" in result.message


def test_service_account_missing_fields_fails_naming_them(machine: Machine, pem_key: str) -> None:
    key_file(machine, service_account(pem_key, client_email=None, token_uri=None))
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert "lacks client_email, token_uri" in result.message


def test_private_key_escaped_twice_fails(machine: Machine, pem_key: str) -> None:
    key_file(machine, service_account(pem_key.replace("\n", "\\n")))
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert "literal \\n sequences" in result.message
    assert pem_key.splitlines()[5] not in dump(result)


def test_private_key_without_pem_markers_fails(machine: Machine, pem_key: str) -> None:
    body = "".join(pem_key.splitlines()[1:-1])
    key_file(machine, service_account(body))
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert "not a PEM private key" in result.message
    assert body[:60] not in dump(result)


def test_key_file_beats_the_gcloud_file(machine: Machine, pem_key: str) -> None:
    gcloud_file(machine, user_credentials())
    key_file(machine, service_account(pem_key))
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.PASS
    assert result.details["source"] == "GOOGLE_APPLICATION_CREDENTIALS"
    assert "GOOGLE_APPLICATION_CREDENTIALS wins" in result.details["ignored"]


# --- gcloud user credentials ---------------------------------------------------------------------


def test_gcloud_user_credentials_pass_without_showing_secrets(machine: Machine) -> None:
    data = user_credentials()
    gcloud_file(machine, data)
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.PASS
    assert result.details["source"] == "gcloud ADC file"
    assert result.details["quota_project_id"] == PROJECT
    assert data["refresh_token"] not in dump(result)
    assert data["client_secret"] not in dump(result)


def test_gcloud_file_is_found_under_cloudsdk_config(machine: Machine) -> None:
    elsewhere = machine.root / "gcloud-config"
    gcloud_file(machine, user_credentials(), base=elsewhere)
    machine.env["CLOUDSDK_CONFIG"] = str(elsewhere)
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.PASS
    assert result.details["path"] == str(elsewhere / known.GCP_ADC_FILE)


def test_broken_gcloud_file_fails_with_the_login_command(machine: Machine) -> None:
    gcloud_file(machine, "{")
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert "gcloud ADC file" in result.message and "is not valid JSON" in result.message
    assert result.fix is not None
    assert result.fix.commands == ("gcloud auth application-default login",)


def test_user_credentials_without_quota_project_warn(machine: Machine) -> None:
    gcloud_file(machine, user_credentials(quota_project_id=None))
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.WARN
    assert "no quota project" in result.message
    assert result.fix is not None
    assert result.fix.commands == (f"gcloud auth application-default set-quota-project {PROJECT}",)


def test_quota_project_variable_satisfies_user_credentials(machine: Machine) -> None:
    gcloud_file(machine, user_credentials(quota_project_id=None))
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    machine.env["GOOGLE_CLOUD_QUOTA_PROJECT"] = PROJECT
    assert machine.check(CHECK, options=OFFLINE).status is Status.PASS


def test_user_credentials_without_refresh_token_fail(machine: Machine) -> None:
    gcloud_file(machine, user_credentials(refresh_token=None))
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert "lacks refresh_token" in result.message
    assert result.fix is not None
    assert result.fix.commands == ("gcloud auth application-default login",)


# --- other credential types ----------------------------------------------------------------------


def external_account(source: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "external_account",
        "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/"
        "providers/gh",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": "https://sts.googleapis.com/v1/token",
        "credential_source": source,
    }


def test_federation_token_file_that_is_missing_fails(machine: Machine) -> None:
    key_file(machine, external_account({"file": str(machine.root / "oidc-token")}))
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert "workload identity token file" in result.message


def test_federation_token_file_that_exists_passes(machine: Machine) -> None:
    token = machine.write(machine.root / "oidc-token", "eyJhbGciOi...")
    key_file(machine, external_account({"file": str(token)}))
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    assert machine.check(CHECK, options=OFFLINE).status is Status.PASS


def test_federation_executable_needs_explicit_permission(machine: Machine) -> None:
    key_file(machine, external_account({"executable": {"command": "/usr/bin/get-token"}}))
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert result.fix is not None
    assert result.fix.commands == ("export GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1",)
    machine.env["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES"] = "1"
    assert machine.check(CHECK, options=OFFLINE).status is Status.PASS


def test_impersonation_without_source_credentials_fails(machine: Machine) -> None:
    key_file(
        machine,
        {
            "type": "impersonated_service_account",
            "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/x",
            "source_credentials": {"type": "nonsense"},
        },
    )
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert "source_credentials has no valid type" in result.message


def test_impersonation_hides_the_nested_refresh_token(machine: Machine) -> None:
    nested = user_credentials()
    key_file(
        machine,
        {
            "type": "impersonated_service_account",
            "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/x",
            "source_credentials": nested,
        },
    )
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.PASS
    assert nested["refresh_token"] not in dump(result)


def test_gdch_credentials_warn(machine: Machine) -> None:
    key_file(machine, {"type": "gdch_service_account"})
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.WARN
    assert "does not authenticate to Vertex AI" in result.message


# --- no credential file --------------------------------------------------------------------------


def test_no_credentials_off_google_cloud_fails(machine: Machine) -> None:
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert known.GCP_NO_CREDENTIALS in result.message
    assert result.fix is not None
    assert "gcloud auth application-default login" in result.fix.commands


def test_metadata_server_on_a_google_vm_cannot_be_judged_offline(
    machine: Machine, tmp_path: Path
) -> None:
    (tmp_path / "dmi" / "product_name").write_text("Google Compute Engine\n")
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.WARN
    assert "cannot tell offline" in result.message
    assert result.details["source"] == "metadata server"


def test_metadata_hint_variable_also_means_cannot_tell(machine: Machine) -> None:
    machine.env["K_SERVICE"] = "claude-runner"
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    assert machine.check(CHECK, options=OFFLINE).status is Status.WARN


# --- project -------------------------------------------------------------------------------------


def test_no_project_fails_with_the_clients_message(machine: Machine) -> None:
    gcloud_file(machine, user_credentials())
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.FAIL
    assert known.GCP_NO_PROJECT in result.message
    assert result.fix is not None
    assert result.fix.commands == ("export ANTHROPIC_VERTEX_PROJECT_ID=your-project-id",)
    assert result.fix.snippet is not None and "ANTHROPIC_VERTEX_PROJECT_ID" in result.fix.snippet


def test_project_shadowed_by_a_different_value_warns_naming_both(machine: Machine) -> None:
    gcloud_file(machine, user_credentials())
    machine.env["GOOGLE_CLOUD_PROJECT"] = "old-sandbox"
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.WARN
    assert "old-sandbox from GOOGLE_CLOUD_PROJECT" in result.message
    assert f"{PROJECT} from ANTHROPIC_VERTEX_PROJECT_ID" in result.message
    assert result.fix is not None and result.fix.commands == ("unset GOOGLE_CLOUD_PROJECT",)


def test_key_file_project_shadowing_is_fixed_with_google_cloud_project(
    machine: Machine, pem_key: str
) -> None:
    key_file(machine, service_account(pem_key))
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = "the-one-i-meant"
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.WARN
    assert result.fix is not None
    assert result.fix.commands == ("export GOOGLE_CLOUD_PROJECT=the-one-i-meant",)


def test_same_project_from_two_places_is_fine(machine: Machine) -> None:
    gcloud_file(machine, user_credentials())
    machine.env["GOOGLE_CLOUD_PROJECT"] = PROJECT
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    assert machine.check(CHECK, options=OFFLINE).status is Status.PASS


# --- skip-auth and provider ----------------------------------------------------------------------


def test_skip_auth_with_a_gateway_passes(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_SKIP_VERTEX_AUTH"] = "1"
    machine.env["ANTHROPIC_VERTEX_BASE_URL"] = "http://127.0.0.1:4000/vertex/v1"
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.PASS
    assert result.message.startswith("skipped")


def test_skip_auth_without_a_gateway_warns(machine: Machine) -> None:
    machine.env["CLAUDE_CODE_SKIP_VERTEX_AUTH"] = "1"
    machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    result = machine.check(CHECK, options=OFFLINE)
    assert result.status is Status.WARN
    assert "ANTHROPIC_VERTEX_BASE_URL is not" in result.message


def test_not_run_for_other_providers(machine: Machine) -> None:
    del machine.env["CLAUDE_CODE_USE_VERTEX"]
    assert machine.check(CHECK, options=OFFLINE).status is Status.SKIP
