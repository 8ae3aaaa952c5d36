"""credentials.gcp and models.vertex against a fake Google on loopback: google-auth refreshes a
service-account key made in the test (and user credentials) at the fake's token endpoint, and the
client's count-tokens and streamRawPredict go to the fake's Vertex AI. Each failure is set up for
real, yields exactly one failing check naming its cause, and its fix, applied, turns the run
green (the "Done when" of the Vertex issue)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from ccdoctor.core.results import Status
from ccdoctor.knowledge import credentials as known
from tests.integration.conftest_vertex import GATEWAY_PREFIX, SERVICE_ACCOUNT
from tests.integration.verdicts import (
    TIMEOUT,
    Verdict,
    apply_exports,
    failing,
    run_everything,
)
from tests.machine import Machine, machine_file
from tests.peers.blackhole import SilentListener
from tests.peers.fake_vertex import (
    PROJECT,
    PROJECT_NUMBER,
    FakeVertex,
    Project,
    ServiceAccountKey,
)
from tests.peers.forward_proxy import ForwardProxy, ProxyAccess
from tests.peers.ports import wait_until
from tests.peers.tls_servers import TLSLab

MAIN = "claude-sonnet-4-5@20250929"
"""The client's default Vertex model (2.1.197), main and small/fast alike."""
SMALL = "claude-haiku-4-5@20251001"
MAIN_REGION_VARIABLE = "VERTEX_REGION_CLAUDE_4_5_SONNET"
OTHER_PROJECT = "shared-quota-project"
STREAM = ":streamRawPredict"
COUNT = "count-tokens:rawPredict"


def report_text(result: Verdict) -> str:
    return json.dumps(
        [
            {"message": r.message, "fix": r.fix and vars(r.fix), "details": r.details}
            for r in result.results.values()
        ],
        default=str,
    )


def user_file(machine: Machine, fake: FakeVertex, **changes: Any) -> Path:
    """Workforce-identity user credentials: a refresh-token file whose token_url google-auth
    honours (authorized_user files always go to Google's own endpoint)."""
    refresh_token = "1//0g" + secrets.token_urlsafe(40)
    fake.add_user(refresh_token, "dev@example.com")
    text = machine_file(
        "workforce_user",
        "keys/user.json",
        client_secret="ccdoctor-test-secret-" + secrets.token_hex(8),
        refresh_token=refresh_token,
        token_url=fake.token_url,
        token_info_url=fake.url + "/introspect",
        project=PROJECT,
    )
    return machine.write(machine.root / "keys" / "user.json", {**json.loads(text), **changes})


# --- the healthy path ---------------------------------------------------------------------------


def test_service_account_through_the_fake_is_green_and_sends_what_the_client_sends(
    vertex_machine: Machine, fake_vertex: FakeVertex, service_account_key: ServiceAccountKey
) -> None:
    result = run_everything(vertex_machine)

    result.assert_green()
    credentials = result["credentials.gcp"]
    assert credentials.status is Status.PASS
    assert f"Google minted a token for {SERVICE_ACCOUNT}" in credentials.message
    assert credentials.details["refresh"]["principal"] == SERVICE_ACCOUNT
    assert result["models.vertex"].status is Status.PASS
    assert "answered the client's streamRawPredict" in result["models.vertex"].message
    token_request = fake_vertex.requests_to("/token")[0]
    assert token_request.body["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    count, stream = fake_vertex.requests_to(COUNT)[0], fake_vertex.requests_to(STREAM)[0]
    assert count.body["model"] == MAIN
    assert stream.route == (
        f"/v1/projects/{PROJECT}/locations/us-east5/publishers/anthropic/models/{MAIN}{STREAM}"
    )
    assert stream.body["anthropic_version"] == "vertex-2023-10-16"
    assert stream.body["max_tokens"] == 1 and "model" not in stream.body
    token = stream.header("authorization").removeprefix("Bearer ")
    assert fake_vertex.issued(token) == SERVICE_ACCOUNT
    text = report_text(result)
    assert token not in text
    assert service_account_key.private_pem.splitlines()[3] not in text


def test_no_invoke_keeps_to_free_calls_and_says_what_stayed_unproven(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    result = run_everything(vertex_machine, no_invoke=True)

    result.assert_green()
    models = result["models.vertex"]
    assert "answered a free token count" in models.message
    assert "unproven: the main model's prediction quota and streaming" in models.message
    assert fake_vertex.requests_to(STREAM) == []


def test_an_unserved_small_model_is_only_a_warning(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    vertex_machine.env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = SMALL
    fake_vertex.configure(served={"us-east5": frozenset({MAIN})})

    result = run_everything(vertex_machine)

    result.assert_green()
    models = result["models.vertex"]
    assert models.status is Status.WARN
    assert models.message.startswith(f"small/fast model {SMALL} in us-east5: {SMALL} is not served")


def test_metadata_server_credentials_and_project(
    machine: Machine, fake_vertex: FakeVertex, off_google_cloud: None
) -> None:
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "GCE_METADATA_HOST": fake_vertex.metadata_host,
            "ANTHROPIC_VERTEX_BASE_URL": fake_vertex.base_url,
        }
    )

    result = run_everything(machine)

    result.assert_green()
    credentials = result["credentials.gcp"]
    assert f"project {PROJECT} from the metadata server" in credentials.message
    assert "Google minted a token for vm-runner@" in credentials.message
    assert fake_vertex.requests_to(STREAM)[0].route.startswith(f"/v1/projects/{PROJECT}/")


def test_workload_identity_file_is_exchanged_at_its_token_url_without_a_project_lookup(
    machine: Machine, fake_vertex: FakeVertex, off_google_cloud: None
) -> None:
    """2.1.337 works with this file on loopback alone (tests/facts/leftovers.md); google-auth
    loaded with scopes would first ask cloudresourcemanager.googleapis.com for the project."""
    subject = machine.write(machine.root / "subject-token", "subject-" + secrets.token_hex(8))
    fake_vertex.add_subject_token(subject.read_text(), "principal://ci-runner")
    wif = {
        "type": "external_account",
        "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/ci/"
        "providers/gh",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": fake_vertex.token_url,
        "credential_source": {"file": str(subject)},
    }
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "GOOGLE_APPLICATION_CREDENTIALS": str(machine.write(machine.root / "wif.json", wif)),
            "ANTHROPIC_VERTEX_PROJECT_ID": PROJECT,
            "CLOUD_ML_REGION": "us-east5",
            "ANTHROPIC_VERTEX_BASE_URL": fake_vertex.base_url,
        }
    )

    result = run_everything(machine)

    assert result["credentials.gcp"].status is Status.PASS, result.summary()
    assert fake_vertex.requests_to("/token")
    assert fake_vertex.requests_to(STREAM)


def test_gateway_with_skip_auth_gets_the_clients_path_and_no_authorization(
    machine: Machine, vertex_gateway: FakeVertex, off_google_cloud: None
) -> None:
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1",
            "ANTHROPIC_VERTEX_BASE_URL": vertex_gateway.base_url,
            "ANTHROPIC_VERTEX_PROJECT_ID": "p",
        }
    )
    vertex_gateway.configure(projects={"p": Project("42")})

    result = run_everything(machine)

    result.assert_green()
    assert result["credentials.gcp"].message.startswith("skipped")
    (stream,) = vertex_gateway.requests_to(STREAM)
    assert stream.route == (
        f"/{GATEWAY_PREFIX}/v1/projects/p/locations/us-east5/publishers/anthropic/models/"
        "claude-sonnet-4-5@20250929:streamRawPredict"
    )
    assert all(r.header("authorization") is None for r in vertex_gateway.requests)
    assert vertex_gateway.requests_to("/token") == []
    assert result["models.vertex"].details["authorization_sent"] is False


# --- credentials: each refusal, and its fix ------------------------------------------------------


def test_deleted_key_fails_credentials_and_a_new_key_is_green(
    vertex_machine: Machine, fake_vertex: FakeVertex, service_account_key: ServiceAccountKey
) -> None:
    fake_vertex.delete_key(service_account_key)

    failure = failing(vertex_machine, "credentials.gcp").only_failure()

    assert 'Google said "invalid_grant: Invalid JWT Signature."' in failure.message
    assert "deleted or disabled" in failure.message
    assert failure.fix is not None
    assert failure.fix.commands[0] == (
        f"gcloud iam service-accounts keys create key.json --iam-account={SERVICE_ACCOUNT}"
    )
    new_key = ServiceAccountKey.generate(SERVICE_ACCOUNT)
    fake_vertex.add_service_account(new_key)
    path = Path(vertex_machine.env["GOOGLE_APPLICATION_CREDENTIALS"])
    vertex_machine.write(path, new_key.file_content(fake_vertex.token_url))
    run_everything(vertex_machine).assert_green()


def test_a_clock_two_hours_behind_is_named_and_syncing_it_is_green(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    fake_vertex.configure(clock_offset=7200.0)

    failure = failing(vertex_machine, "credentials.gcp").only_failure()

    assert "this machine's clock is off" in failure.message
    assert "Token must be a short-lived token" in failure.message
    assert "clock is 120 min behind the token endpoint's" in failure.message
    assert failure.fix is not None and "date -u" in failure.fix.commands
    fake_vertex.configure(clock_offset=0.0)
    run_everything(vertex_machine).assert_green()


def test_unreachable_token_endpoint_names_the_port(
    vertex_machine: Machine,
    fake_vertex: FakeVertex,
    service_account_key: ServiceAccountKey,
    dead_port: int,
) -> None:
    path = Path(vertex_machine.env["GOOGLE_APPLICATION_CREDENTIALS"])
    vertex_machine.write(
        path, service_account_key.file_content(f"http://127.0.0.1:{dead_port}/token")
    )

    failure = failing(vertex_machine, "credentials.gcp").only_failure()

    assert failure.message.endswith(
        "the connection to the token endpoint 127.0.0.1 failed — connection to "
        f"127.0.0.1:{dead_port} refused: nothing listens there"
    )
    assert failure.fix is not None and f"token_uri in {path}" in failure.fix.text
    vertex_machine.write(path, service_account_key.file_content(fake_vertex.token_url))
    run_everything(vertex_machine).assert_green()


def test_revoked_user_refresh_token_fails_and_logging_in_again_is_green(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    path = user_file(vertex_machine, fake_vertex, refresh_token="1//revoked")
    vertex_machine.env["GOOGLE_APPLICATION_CREDENTIALS"] = str(path)

    failure = failing(vertex_machine, "credentials.gcp").only_failure()

    assert "has expired or was revoked" in failure.message
    assert "Token has been expired or revoked." in failure.message
    assert failure.fix is not None
    assert failure.fix.commands == (
        "gcloud auth application-default login --login-config=LOGIN_CONFIG_FILE",
    )
    user_file(vertex_machine, fake_vertex)
    run_everything(vertex_machine).assert_green()


def test_authorized_user_needing_reauth_fails_with_the_login_command(
    vertex_machine: Machine, fake_vertex: FakeVertex, monkeypatch: pytest.MonkeyPatch
) -> None:
    import google.auth

    # An authorized_user file always refreshes at oauth2.googleapis.com: google-auth ignores its
    # token_uri. `with_token_uri` sends this one to the fake instead.
    load = google.auth.load_credentials_from_file

    def load_towards_the_fake(*args: Any, **kwargs: Any) -> Any:
        credentials, project = load(*args, **kwargs)
        return credentials.with_token_uri(fake_vertex.token_url), project

    monkeypatch.setattr(google.auth, "load_credentials_from_file", load_towards_the_fake)
    refresh_token = "1//0g" + secrets.token_urlsafe(40)
    fake_vertex.add_user(refresh_token, "dev@example.com")
    [adc] = vertex_machine.install(
        "gcloud_user",
        client_secret="d-FL95Q" + secrets.token_urlsafe(12),
        refresh_token=refresh_token,
        project=PROJECT,
    )
    del vertex_machine.env["GOOGLE_APPLICATION_CREDENTIALS"]
    fake_vertex.configure(token_error="invalid_rapt")

    failure = failing(vertex_machine, "credentials.gcp").only_failure()

    assert failure.message.startswith(
        f"no token from {adc}: the login behind {adc} must be renewed"
    )
    assert "Reauthentication is needed" in failure.message
    assert failure.fix is not None
    assert failure.fix.commands == ("gcloud auth application-default login",)
    fake_vertex.configure(token_error=None)
    result = run_everything(vertex_machine)
    result.assert_green()
    assert fake_vertex.requests_to("/token")[-1].body["grant_type"] == "refresh_token"


def test_missing_project_fails_first_and_naming_it_is_green(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    path = user_file(vertex_machine, fake_vertex)
    vertex_machine.env["GOOGLE_APPLICATION_CREDENTIALS"] = str(path)
    del vertex_machine.env["ANTHROPIC_VERTEX_PROJECT_ID"]

    result = failing(vertex_machine, "credentials.gcp")

    failure = result.only_failure()
    assert known.GCP_NO_PROJECT in failure.message
    assert result["models.vertex"].status is Status.SKIP
    assert fake_vertex.requests == []
    assert apply_exports(vertex_machine, failure.fix) == {
        "ANTHROPIC_VERTEX_PROJECT_ID": "your-project-id"
    }
    vertex_machine.env["ANTHROPIC_VERTEX_PROJECT_ID"] = PROJECT
    run_everything(vertex_machine).assert_green()


def test_quota_project_without_the_api_warns_then_vertex_names_it(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    fake_vertex.configure(
        projects={
            PROJECT: Project(PROJECT_NUMBER),
            OTHER_PROJECT: Project("555", api_enabled=False),
        }
    )
    path = user_file(vertex_machine, fake_vertex, quota_project_id=OTHER_PROJECT)
    vertex_machine.env["GOOGLE_APPLICATION_CREDENTIALS"] = str(path)

    result = failing(vertex_machine, "models.vertex")

    credentials = result["credentials.gcp"]
    assert credentials.status is Status.WARN
    assert f"billed to quota project {OTHER_PROJECT}" in credentials.message
    failure = result.only_failure()
    assert "the Vertex AI API is not enabled in project 555" in failure.message
    assert failure.fix is not None
    assert f"gcloud auth application-default set-quota-project {PROJECT}" in failure.fix.commands
    assert fake_vertex.requests_to(COUNT)[0].header("x-goog-user-project") == OTHER_PROJECT
    user_file(vertex_machine, fake_vertex, quota_project_id=PROJECT)
    run_everything(vertex_machine).assert_green()


# --- Vertex AI: each refusal, and its fix --------------------------------------------------------


def token_counts(fake: FakeVertex) -> list[tuple[str, str]]:
    """(model, location) of each free token count the fake answered, in order."""
    return [
        (r.body["model"], r.route.split("/locations/")[1].split("/")[0])
        for r in fake.requests_to(COUNT)
    ]


def test_model_not_in_the_region_fails_the_region_and_names_the_variable_to_set(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    fake_vertex.configure(served={"global": frozenset({MAIN}), "us": frozenset({MAIN})})

    result = failing(vertex_machine, "region.vertex")

    failure = result.only_failure()
    assert failure.message.startswith(
        f"main model {MAIN} is not served in us-east5 (CLOUD_ML_REGION); it is served in "
        "global, us (free token counts; Vertex AI answered HTTP 404 NOT_FOUND in us-east5)"
    )
    assert failure.details["live"][f"{MAIN} in us-east5"]["served_in"] == ["global", "us"]
    assert result["models.vertex"].message == "needs region.vertex (fail)"
    assert token_counts(fake_vertex) == [
        (MAIN, "us-east5"),
        (MAIN, "global"),
        (MAIN, "us"),
        (MAIN, "eu"),
    ]
    assert apply_exports(vertex_machine, failure.fix) == {MAIN_REGION_VARIABLE: "global"}
    run_everything(vertex_machine).assert_green()
    assert fake_vertex.requests_to(STREAM)[-1].route.startswith(
        f"/v1/projects/{PROJECT}/locations/global/"
    )


def test_a_small_model_served_only_elsewhere_is_a_region_warning(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    vertex_machine.env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = SMALL
    fake_vertex.configure(
        served={"us-east5": frozenset({MAIN}), "global": frozenset({MAIN, SMALL})}
    )

    result = run_everything(vertex_machine)

    result.assert_green()
    region = result["region.vertex"]
    assert region.status is Status.WARN
    assert region.message.startswith(
        f"small/fast model {SMALL} is not served in us-east5 (CLOUD_ML_REGION); it is served "
        "in global"
    )
    assert region.fix is not None
    assert region.fix.commands == ("export VERTEX_REGION_CLAUDE_HAIKU_4_5=global",)
    assert result["models.vertex"].status is Status.WARN  # the same refusal, from its side
    assert sorted(token_counts(fake_vertex)) == sorted(set(token_counts(fake_vertex)))


def test_a_model_without_its_own_variable_is_moved_with_cloud_ml_region(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    legacy = "claude-3-haiku@20240307"
    vertex_machine.env["ANTHROPIC_MODEL"] = legacy
    vertex_machine.env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = legacy
    fake_vertex.configure(served={"eu": frozenset({legacy})})

    failure = failing(vertex_machine, "region.vertex").only_failure()

    assert "it is served in eu" in failure.message
    assert failure.fix is not None
    assert "this one has no variable of its own" in failure.fix.text
    assert apply_exports(vertex_machine, failure.fix) == {"CLOUD_ML_REGION": "eu"}
    run_everything(vertex_machine).assert_green()


def test_a_location_vertex_serves_the_model_in_needs_no_offline_warning(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    vertex_machine.env["CLOUD_ML_REGION"] = "southamerica-east1"
    assert run_everything(vertex_machine, offline=True)["region.vertex"].status is Status.WARN
    assert fake_vertex.requests == []  # --offline asks nothing

    result = run_everything(vertex_machine)

    result.assert_green()
    region = result["region.vertex"]
    assert region.status is Status.PASS
    assert f"a free token count answered for {MAIN} in southamerica-east1" in region.message


def test_model_served_nowhere_points_at_model_garden(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    fake_vertex.configure(served={"us-east5": frozenset({SMALL})})

    result = failing(vertex_machine, "models.vertex")

    assert result["region.vertex"].status is Status.PASS  # no location to move it to
    failure = result.only_failure()
    assert failure.fix is not None
    assert "No location tried (us-east5, global, us, eu) serves" in failure.fix.text
    assert "model-garden/claude-sonnet-4-5?project=claude-vertex-prod" in failure.fix.text
    assert len(token_counts(fake_vertex)) == 4  # asked by region.vertex, reused by models.vertex
    fake_vertex.configure(served=None)
    run_everything(vertex_machine).assert_green()


def test_model_garden_terms_not_accepted(vertex_machine: Machine, fake_vertex: FakeVertex) -> None:
    fake_vertex.configure(enabled={PROJECT: frozenset({SMALL})})

    failure = failing(vertex_machine, "models.vertex").only_failure()

    assert "it is not enabled in Model Garden" in failure.message
    assert "HTTP 400 FAILED_PRECONDITION" in failure.message
    assert failure.fix is not None and "accept the terms" in failure.fix.text
    fake_vertex.configure(enabled={PROJECT: frozenset({SMALL, MAIN})})
    run_everything(vertex_machine).assert_green()


def test_api_disabled_is_found_by_the_free_call_alone(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    fake_vertex.configure(projects={PROJECT: Project(PROJECT_NUMBER, api_enabled=False)})

    failure = failing(vertex_machine, "models.vertex").only_failure()

    assert f"the Vertex AI API is not enabled in project {PROJECT_NUMBER}" in failure.message
    assert "SERVICE_DISABLED" in failure.details["models"][0]["error"]["says"] or (
        "has not been used in project" in failure.message
    )
    assert failure.fix is not None
    assert failure.fix.commands == (
        f"gcloud services enable aiplatform.googleapis.com --project {PROJECT}",
    )
    # The free call settled it: the streamed call, sent beside it, is not what is reported.
    assert "stream" not in failure.details["models"][0]
    fake_vertex.configure(projects={PROJECT: Project(PROJECT_NUMBER)})
    run_everything(vertex_machine).assert_green()


def test_missing_role_names_the_member_and_the_role(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    fake_vertex.configure(denied=frozenset({SERVICE_ACCOUNT}))

    failure = failing(vertex_machine, "models.vertex").only_failure()

    assert f"serviceAccount:{SERVICE_ACCOUNT} lacks aiplatform.endpoints.predict" in failure.message
    assert failure.fix is not None
    assert failure.fix.commands == (
        f"gcloud projects add-iam-policy-binding {PROJECT} "
        f"--member=serviceAccount:{SERVICE_ACCOUNT} --role=roles/aiplatform.user",
    )
    fake_vertex.configure(denied=frozenset())
    run_everything(vertex_machine).assert_green()


def test_exhausted_prediction_quota_is_seen_only_by_the_real_call(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    fake_vertex.configure(quota_exhausted=frozenset({(PROJECT, "us-east5", MAIN)}))
    # token counting has its own quota
    run_everything(vertex_machine, no_invoke=True).assert_green()

    failure = failing(vertex_machine, "models.vertex").only_failure()

    assert (
        "the quota aiplatform.googleapis.com/online_prediction_requests_per_base_model for "
        "anthropic-claude-sonnet-4-5 in us-east5 is exhausted"
    ) in failure.message
    assert "HTTP 429 RESOURCE_EXHAUSTED" in failure.message
    assert apply_exports(vertex_machine, failure.fix) == {MAIN_REGION_VARIABLE: "global"}
    run_everything(vertex_machine).assert_green()


def test_errors_wrapped_in_a_list_are_read_alike(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    fake_vertex.configure(
        wrap_errors=True, quota_exhausted=frozenset({(PROJECT, "us-east5", MAIN)})
    )

    failure = failing(vertex_machine, "models.vertex").only_failure()

    assert "online_prediction_requests_per_base_model" in failure.message


def test_a_project_id_that_does_not_exist_blames_the_variable_that_set_it(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    vertex_machine.env["GOOGLE_CLOUD_PROJECT"] = "Claude Vertex Prod"

    result = failing(vertex_machine, "models.vertex")

    assert result["credentials.gcp"].status is Status.WARN  # two projects disagree
    failure = result.only_failure()
    assert "project Claude Vertex Prod does not exist" in failure.message
    assert failure.fix is not None
    assert "unset GOOGLE_CLOUD_PROJECT" in failure.fix.commands
    del vertex_machine.env["GOOGLE_CLOUD_PROJECT"]
    run_everything(vertex_machine).assert_green()


def test_a_project_id_a_settings_file_sets_is_removed_from_that_file(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    """The same wrong project from a settings file's env block: `unset` cannot reach it, so the
    fix names the file, and deleting the key there makes the run green."""
    settings = vertex_machine.user_settings({"env": {"GOOGLE_CLOUD_PROJECT": "Claude Vertex Prod"}})

    failure = failing(vertex_machine, "models.vertex").only_failure()

    assert "project Claude Vertex Prod does not exist" in failure.message
    assert failure.fix is not None
    assert not [c for c in failure.fix.commands if c.startswith("unset ")], failure.fix.commands
    assert f"Delete GOOGLE_CLOUD_PROJECT from the env block of {settings}." in failure.fix.text
    vertex_machine.user_settings({"env": {}})
    run_everything(vertex_machine).assert_green()


def test_billing_off(vertex_machine: Machine, fake_vertex: FakeVertex) -> None:
    fake_vertex.configure(projects={PROJECT: Project(PROJECT_NUMBER, billing=False)})

    failure = failing(vertex_machine, "models.vertex").only_failure()

    assert "has no active billing account" in failure.message
    assert failure.fix is not None
    assert failure.fix.commands == (
        f"gcloud billing projects link {PROJECT} --billing-account=BILLING_ACCOUNT_ID",
    )
    fake_vertex.configure(projects={PROJECT: Project(PROJECT_NUMBER)})
    run_everything(vertex_machine).assert_green()


def test_data_sharing_off(vertex_machine: Machine, fake_vertex: FakeVertex) -> None:
    fake_vertex.configure(data_sharing_off=frozenset({MAIN}))

    failure = failing(vertex_machine, "models.vertex").only_failure()

    assert "needs data sharing enabled for the publisher anthropic" in failure.message
    fake_vertex.configure(data_sharing_off=frozenset())
    run_everything(vertex_machine).assert_green()


def test_no_capacity_is_a_warning_not_a_failure(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    fake_vertex.configure(capacity_exhausted=True)

    result = run_everything(vertex_machine)

    result.assert_green()
    assert result["models.vertex"].status is Status.WARN
    assert "has no capacity" in result["models.vertex"].message


def test_gateway_that_wants_credentials_under_skip_auth(
    machine: Machine, fake_vertex: FakeVertex, off_google_cloud: None
) -> None:
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1",
            "ANTHROPIC_VERTEX_BASE_URL": fake_vertex.base_url,
            "ANTHROPIC_VERTEX_PROJECT_ID": PROJECT,
        }
    )

    failure = failing(machine, "models.vertex").only_failure()

    assert "HTTP 401 UNAUTHENTICATED" in failure.message
    assert failure.fix is not None
    assert "under CLAUDE_CODE_SKIP_VERTEX_AUTH Claude Code sends none" in failure.fix.text
    fake_vertex.configure(require_auth=False)
    run_everything(machine).assert_green()


def test_gateway_without_the_vertex_route(
    machine: Machine, vertex_gateway: FakeVertex, off_google_cloud: None
) -> None:
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1",
            "ANTHROPIC_VERTEX_BASE_URL": vertex_gateway.url + "/v1",
            "ANTHROPIC_VERTEX_PROJECT_ID": PROJECT,
        }
    )

    failure = failing(machine, "models.vertex").only_failure()

    assert "(a 404 without Google's error)" in failure.message
    assert failure.fix is not None and "vertex_ai/v1" in failure.fix.text
    machine.env["ANTHROPIC_VERTEX_BASE_URL"] = vertex_gateway.base_url
    run_everything(machine).assert_green()


def test_gateway_without_token_counting_is_proven_by_the_real_call(
    machine: Machine, vertex_gateway: FakeVertex, off_google_cloud: None
) -> None:
    machine.env.update(
        {
            "CLAUDE_CODE_USE_VERTEX": "1",
            "CLAUDE_CODE_SKIP_VERTEX_AUTH": "1",
            "ANTHROPIC_VERTEX_BASE_URL": vertex_gateway.base_url,
            "ANTHROPIC_VERTEX_PROJECT_ID": PROJECT,
            "ANTHROPIC_DEFAULT_HAIKU_MODEL": SMALL,
        }
    )
    vertex_gateway.configure(count_tokens=False)

    result = run_everything(machine)

    result.assert_green()
    region = result["region.vertex"]
    assert region.status is Status.PASS  # a bare 404 cannot tell a wrong location
    assert region.details["live"][f"{SMALL} in us-east5"].startswith("undecided: HTTP 404")
    models = result["models.vertex"]
    assert models.status is Status.PASS
    assert f"unproven: the small/fast model {SMALL}" in models.message
    free_only = run_everything(machine, no_invoke=True)
    free_only.assert_green()
    assert "run without --no-invoke to prove it" in free_only["models.vertex"].message


def test_a_silent_token_endpoint_is_cut_off_in_time(
    vertex_machine: Machine, service_account_key: ServiceAccountKey, silent_listener: SilentListener
) -> None:
    path = Path(vertex_machine.env["GOOGLE_APPLICATION_CREDENTIALS"])
    vertex_machine.write(path, service_account_key.file_content(silent_listener.url + "/token"))

    result = run_everything(vertex_machine)

    failure = result.only_failure()
    assert failure.id == "credentials.gcp"
    assert "accepted the connection but sent no complete answer in time" in failure.message
    assert result.seconds < TIMEOUT + 1, result.summary()


def through_proxy(machine: Machine, key: ServiceAccountKey, fake: FakeVertex, proxy: str) -> None:
    """The token endpoint behind the proxy, Vertex itself direct (NO_PROXY), so that only the
    token refresh depends on the proxy."""
    path = Path(machine.env["GOOGLE_APPLICATION_CREDENTIALS"])
    machine.write(path, key.file_content(fake.token_url.replace("127.0.0.1", "localhost")))
    machine.env.update({"HTTP_PROXY": proxy, "NO_PROXY": "127.0.0.1"})


def test_the_token_refresh_goes_through_the_clients_proxy(
    vertex_machine: Machine,
    fake_vertex: FakeVertex,
    service_account_key: ServiceAccountKey,
    forward_proxy: ForwardProxy,
) -> None:
    through_proxy(vertex_machine, service_account_key, fake_vertex, forward_proxy.url)
    mark = forward_proxy.log_mark()

    run_everything(vertex_machine).assert_green()

    target = f"localhost:{fake_vertex.port}/token"
    assert wait_until(
        lambda: ProxyAccess("POST", target) in forward_proxy.accesses(mark), timeout=5.0
    ), forward_proxy.accesses(mark)


def test_a_proxy_wanting_credentials_for_the_token_refresh_is_named(
    vertex_machine: Machine,
    fake_vertex: FakeVertex,
    service_account_key: ServiceAccountKey,
    auth_forward_proxy: ForwardProxy,
) -> None:
    through_proxy(vertex_machine, service_account_key, fake_vertex, auth_forward_proxy.url)

    failure = failing(vertex_machine, "credentials.gcp").only_failure()

    assert failure.message.endswith(
        f"the proxy {auth_forward_proxy.url} wants credentials (407 Proxy Authentication Required)"
    )
    assert failure.fix is not None and "HTTP_PROXY" in failure.fix.text
    vertex_machine.env["HTTP_PROXY"] = auth_forward_proxy.url_with_credentials
    run_everything(vertex_machine).assert_green()


def test_the_token_refresh_trusts_node_extra_ca_certs(
    vertex_machine: Machine,
    service_account_key: ServiceAccountKey,
    tls_lab: TLSLab,
    off_google_cloud: None,
) -> None:
    with (
        FakeVertex(ssl_context=tls_lab.server_context("valid")) as token_endpoint,
        FakeVertex(authority=token_endpoint) as vertex_api,
    ):
        token_endpoint.add_service_account(service_account_key)
        path = Path(vertex_machine.env["GOOGLE_APPLICATION_CREDENTIALS"])
        vertex_machine.write(
            path,
            service_account_key.file_content(f"https://localhost:{token_endpoint.port}/token"),
        )
        vertex_machine.env["ANTHROPIC_VERTEX_BASE_URL"] = vertex_api.base_url

        failure = failing(vertex_machine, "credentials.gcp").only_failure()

        assert "is not trusted" in failure.message
        assert failure.fix is not None
        assert "export NODE_EXTRA_CA_CERTS=/path/to/company-ca.pem" in failure.fix.commands
        vertex_machine.env["NODE_EXTRA_CA_CERTS"] = str(tls_lab.ca_pem)
        run_everything(vertex_machine).assert_green()
        assert vertex_api.requests_to(STREAM)


# --- the model-access fallback (2.1.332) ---------------------------------------------------------


def _streamed_models(fake: FakeVertex) -> list[str]:
    return [r.route.rsplit("/", 1)[1].removesuffix(STREAM) for r in fake.requests_to(STREAM)]


def test_an_unserved_default_that_the_fallback_rescues_warns_and_names_where_sessions_land(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    vertex_machine.claude_version = "2.1.332"
    fake_vertex.configure(served={"us-east5": frozenset({"claude-opus-5", "claude-sonnet-5-5"})})

    result = run_everything(vertex_machine)

    result.assert_green()
    models = result["models.vertex"]
    assert models.status is Status.WARN
    assert "main model claude-opus-5-5 in us-east5" in models.message
    assert "Claude Code 2.1.332 falls back to claude-opus-5, which answers" in models.message
    assert _streamed_models(fake_vertex) == ["claude-opus-5-5", "claude-opus-5"]
    assert apply_exports(vertex_machine, models.fix) == {"ANTHROPIC_MODEL": "claude-opus-5"}
    assert run_everything(vertex_machine)["models.vertex"].status is Status.PASS


def test_a_pinned_unserved_model_is_asked_alone_and_fails(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    vertex_machine.claude_version = "2.1.332"
    vertex_machine.env["ANTHROPIC_MODEL"] = "claude-opus-5-5"
    fake_vertex.configure(served={"us-east5": frozenset({"claude-opus-5", "claude-sonnet-5-5"})})

    failure = failing(vertex_machine, "models.vertex").only_failure()

    assert "falls back" not in failure.message
    assert not [r for r in fake_vertex.requests if "claude-opus-5/" in r.route + "/"]


def test_an_unserved_subagent_model_warns_from_the_free_count_only(
    vertex_machine: Machine, fake_vertex: FakeVertex
) -> None:
    vertex_machine.env["CLAUDE_CODE_SUBAGENT_MODEL"] = SMALL
    fake_vertex.configure(served={"us-east5": frozenset({MAIN})})

    result = run_everything(vertex_machine)

    result.assert_green()
    models = result["models.vertex"]
    assert models.status is Status.WARN
    assert models.message.startswith(
        f"subagent model (CLAUDE_CODE_SUBAGENT_MODEL) {SMALL} in us-east5: {SMALL} is not served"
    )
    assert models.message.endswith("will fail mid-session")
    assert models.fix is not None
    assert models.fix.text.endswith("Or remove CLAUDE_CODE_SUBAGENT_MODEL.")
    assert models.fix.commands[-1] == "unset CLAUDE_CODE_SUBAGENT_MODEL"  # the shell exports it
    # Vertex counts tokens at models/count-tokens with the model in the body; no prediction
    # names the subagent model.
    counted = [
        r for r in fake_vertex.requests if isinstance(r.body, dict) and r.body.get("model") == SMALL
    ]
    assert counted and all("/models/count-tokens:" in r.route for r in counted)
    assert not [r for r in fake_vertex.requests if SMALL.split("@")[0] in r.route]
