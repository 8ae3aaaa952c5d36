"""botocore clients that talk to AWS the way the client does.

What "the way the client does" means here:
- the region is always passed explicitly (botocore ignores AWS_REGION, the client reads it first);
- with ANTHROPIC_BEDROCK_BASE_URL both the control-plane and the runtime client go to that URL;
  without it the runtime goes to bedrock-runtime.{region}.amazonaws.com, which the client builds
  itself (no AWS_ENDPOINT_URL_* applies to it);
- requests are unsigned under CLAUDE_CODE_SKIP_BEDROCK_AUTH, carry AWS_BEARER_TOKEN_BEDROCK as a
  bearer token when it is set, and are SigV4-signed otherwise;
- the proxy, the trusted roots (bundled + system + NODE_EXTRA_CA_CERTS) and the client
  certificate are the client's (ccdoctor.net.settings);
- one attempt per call (the client's own retries would only hide the first answer), and each call
  is abandoned after a wall-clock limit, since botocore's timeouts are per socket operation.

Everything botocore reads from the environment comes from the *effective* environment (settings
files included), never from os.environ: checks run in threads, and the process environment is
not the configuration under diagnosis. botocore is imported only inside functions.
"""

from __future__ import annotations

import enum
import functools
import importlib
import logging
import subprocess
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from ccdoctor.config.endpoints import Endpoint, inference_endpoint
from ccdoctor.net.bundle import ca_bundle
from ccdoctor.net.settings import NetworkSettings
from ccdoctor.providers.bedrock import wire as live
from ccdoctor.providers.bedrock.errors import Rule, classify

if TYPE_CHECKING:
    from ccdoctor.config.view import ResolvedConfig

T = TypeVar("T")


class AuthMode(enum.StrEnum):
    SIGV4 = "SigV4-signed"
    BEARER = "Bedrock API key"
    UNSIGNED = "unsigned (CLAUDE_CODE_SKIP_BEDROCK_AUTH)"


def auth_mode(config: ResolvedConfig) -> AuthMode:
    if config.truthy(live.SKIP_AUTH_VARIABLE):
        return AuthMode.UNSIGNED
    if config.get(live.BEARER_VARIABLE) is not None:
        return AuthMode.BEARER
    return AuthMode.SIGV4


def base_url(config: ResolvedConfig) -> str | None:
    """ANTHROPIC_BEDROCK_BASE_URL as the client joins paths onto it; None when unset or
    unusable (proxy.config says why)."""
    endpoint = _endpoint(config)
    return endpoint.url if endpoint is not None and endpoint.custom else None


def base_url_unusable(config: ResolvedConfig) -> bool:
    """Set, but not a URL the client can use: it stops at once, and a check calling AWS
    directly instead would prove something about a set-up nobody uses."""
    raw = config.get(live.BASE_URL_VARIABLE)
    return raw is not None and bool(raw.strip()) and _endpoint(config) is None


def _endpoint(config: ResolvedConfig) -> Endpoint | None:
    try:
        return inference_endpoint(config)
    except ValueError:  # urlsplit refuses some malformed URLs, e.g. an unclosed IPv6 bracket
        return None


@dataclass(frozen=True)
class AwsSetup:
    auth: AuthMode
    base_url: str | None
    region: str
    """The region the client calls; also the one the credential chain's STS calls use."""
    environ: Mapping[str, str]
    """The effective environment as botocore should see it."""
    bearer_token: str | None
    network: NetworkSettings
    timeout: float
    sso_cache: str
    login_cache: str


def aws_setup(
    config: ResolvedConfig, network: NetworkSettings, timeout: float, *, instance_role: bool
) -> AwsSetup:
    """`instance_role`: whether the credential chain may ask the EC2 instance metadata service.
    Only when the offline verdict says credentials come from there: elsewhere it would spend
    seconds waiting on a link-local address that does not answer."""
    environ = {name: value.text for name, value in config.env.items() if value.text is not None}
    files = config.aws_files
    environ["AWS_CONFIG_FILE"] = str(files.config_path)
    environ["AWS_SHARED_CREDENTIALS_FILE"] = str(files.credentials_path)
    if files.profile_from_env:
        # botocore tries AWS_DEFAULT_PROFILE before AWS_PROFILE; the client reads AWS_PROFILE.
        environ["AWS_DEFAULT_PROFILE"] = files.profile
    if not instance_role:
        environ["AWS_EC2_METADATA_DISABLED"] = "true"
    home = config.inputs.home
    login_cache = environ.get("AWS_LOGIN_CACHE_DIRECTORY") or str(home / ".aws" / "login" / "cache")
    return AwsSetup(
        auth=auth_mode(config),
        base_url=base_url(config),
        region=config.bedrock_region.value,
        environ=environ,
        bearer_token=(config.get(live.BEARER_VARIABLE) or "").strip() or None,
        network=network,
        timeout=timeout,
        sso_cache=str(home / ".aws" / "sso" / "cache"),
        login_cache=login_cache,
    )


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwsAnswer:
    data: Mapping[str, Any]
    headers: Mapping[str, str]
    """Lower-cased response headers."""
    url: str

    @property
    def date(self) -> datetime | None:
        return _http_date(self.headers.get("date"))


@dataclass(frozen=True)
class AwsError:
    code: str
    """The AWS error code, or the name of what botocore raised before an answer came."""
    message: str
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def rule(self) -> Rule:
        return classify(self.code, self.status, self.message)

    @property
    def date(self) -> datetime | None:
        return _http_date(self.headers.get("date"))

    def describe(self) -> str:
        status = f"HTTP {self.status} " if self.status else ""
        return f"{status}{self.code}: {self.message}".strip()


AwsResult = AwsAnswer | AwsError


def _http_date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    # A proxy that adds its own Date leaves two, joined by a comma: the first is the server's.
    first = raw.split(" GMT", 1)[0] + " GMT" if " GMT" in raw else raw
    try:
        parsed = parsedate_to_datetime(first)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else None


# --- the connection ------------------------------------------------------------------------------


class AwsLink:
    """One botocore session per run, shared by the checks' threads."""

    def __init__(self, setup: AwsSetup) -> None:
        self.setup = setup
        self._lock = threading.Lock()
        self._session: Any = None
        self._clients: dict[tuple[str, str], Any] = {}

    def session(self) -> Any:
        with self._lock:
            if self._session is None:
                self._session = _session_class()(self.setup)
            return self._session

    def client(self, service: str, region: str) -> Any:
        """A client for `service` in `region`; the Bedrock ones go to the base URL if set."""
        session = self.session()
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = session.create_client(
                    service,
                    region_name=region,
                    endpoint_url=self._endpoint_for(service, region),
                    config=self._auth_config(service),
                )
                token = self.setup.bearer_token
                if self.setup.auth is AuthMode.BEARER and token and _is_bedrock(service):
                    client.meta.events.register("before-send", functools.partial(_bearer, token))
                self._clients[key] = client
            return client

    def _endpoint_for(self, service: str, region: str) -> str | None:
        if not _is_bedrock(service):
            return None
        if self.setup.base_url is not None:
            return self.setup.base_url
        if service == live.RUNTIME_SERVICE:
            return "https://" + live.RUNTIME_HOST.format(region=region)
        return None

    def _auth_config(self, service: str) -> Any:
        from botocore import UNSIGNED
        from botocore.config import Config

        if not _is_bedrock(service):
            return None
        if self.setup.auth is AuthMode.SIGV4:
            # Said in code, so botocore's own bearer preference (read from os.environ) is off.
            return Config(signature_version="v4")
        # A Bedrock API key travels as a plain header (added before sending), as the client
        # sends it: botocore's bearer signer refuses http:// gateways the client happily uses.
        return Config(signature_version=UNSIGNED)

    def use_credentials(self, access_key: str, secret_key: str, token: str | None) -> None:
        """Sign with these instead of the chain's (what awsCredentialExport printed)."""
        self.session().set_credentials(access_key, secret_key, token)

    def credentials(self, timeout: float) -> CredentialsResult:
        """Force the chain to produce credentials, as the first signed request would: SSO and
        assumed roles resolve lazily, so `get_credentials()` alone says nothing."""

        def resolve() -> CredentialsResult:
            credentials = self.session().get_credentials()
            if credentials is None:
                return AwsError("NoCredentialsError", _NO_CREDENTIALS)
            frozen = credentials.get_frozen_credentials()
            expiry = getattr(credentials, "_expiry_time", None)  # private, but the only source
            return ResolvedCredentials(
                method=str(getattr(credentials, "method", "") or "unknown"),
                access_key=str(frozen.access_key),
                secret_key=str(frozen.secret_key),
                token=str(frozen.token) if frozen.token else None,
                expires_at=expiry if isinstance(expiry, datetime) else None,
            )

        return _bounded("credentials", resolve, timeout)

    def call(
        self,
        service: str,
        region: str,
        operation: str,
        timeout: float,
        params: Mapping[str, Any] | None = None,
        consume: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
    ) -> AwsResult:
        """One API call (`operation` is the botocore method name, e.g. `list_inference_profiles`).
        `consume` reads a streamed body inside the same time limit."""

        def work() -> AwsResult:
            client = self.client(service, region)
            response = getattr(client, operation)(**dict(params or {}))
            data = consume(response) if consume is not None else response
            meta = response.get("ResponseMetadata", {})
            return AwsAnswer(
                {k: v for k, v in data.items() if k != "ResponseMetadata"},
                {k.lower(): str(v) for k, v in meta.get("HTTPHeaders", {}).items()},
                str(client.meta.endpoint_url),
            )

        return _bounded(operation, work, timeout)


@dataclass(frozen=True)
class ResolvedCredentials:
    method: str
    access_key: str
    secret_key: str
    token: str | None
    expires_at: datetime | None


CredentialsResult = ResolvedCredentials | AwsError

_NO_CREDENTIALS = "Unable to locate credentials"


def _is_bedrock(service: str) -> bool:
    return service in (live.CONTROL_SERVICE, live.RUNTIME_SERVICE)


def _bearer(token: str, request: Any, **_: Any) -> None:
    request.headers["Authorization"] = f"Bearer {token}"


def _error_of(exc: Exception) -> AwsError:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        response: Mapping[str, Any] = exc.response
        error = response.get("Error", {})
        meta = response.get("ResponseMetadata", {})
        status = meta.get("HTTPStatusCode") or None
        code = str(error.get("Code") or status or "Unknown")
        return AwsError(
            code[:1].upper() + code[1:],  # event-stream exceptions arrive as throttlingException
            str(error.get("Message") or error.get("message") or ""),
            int(status) if status else None,
            {k.lower(): str(v) for k, v in meta.get("HTTPHeaders", {}).items()},
        )
    return AwsError(type(exc).__name__, str(exc))


def _bounded(name: str, work: Callable[[], T], timeout: float) -> T | AwsError:
    """`work()`, abandoned after `timeout` seconds of wall-clock time whatever the peer does;
    anything it raises (botocore's errors, a parameter it refuses) becomes an AwsError."""
    box: dict[str, T | AwsError] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except Exception as exc:
            box["result"] = _error_of(exc)

    worker = threading.Thread(target=run, name=f"ccdoctor-aws-{name}", daemon=True)
    worker.start()
    worker.join(timeout)
    if "result" not in box:
        return AwsError("Timeout", f"no complete answer within {timeout:.1f} s")
    return box["result"]


# --- the botocore session ------------------------------------------------------------------------


@functools.cache
def _session_class() -> type[Any]:
    """botocore.session.Session, reading the effective environment instead of os.environ and
    giving every client it creates (those the credential chain creates for SSO and STS too) the
    client's proxy, trust, time limits and no retries."""
    from botocore.config import Config
    from botocore.configprovider import (
        BOTOCORE_DEFAUT_SESSION_VARIABLES,
        DEFAULT_PROXIES_CONFIG_VARS,
        DEFAULT_S3_CONFIG_VARS,
        ConfigChainFactory,
        ConfiguredEndpointProvider,
        ConfigValueStore,
        SectionConfigProvider,
    )
    from botocore.tokens import TokenProviderChain
    from botocore.utils import InstanceMetadataFetcher, JSONFileCache

    # botocore logs failed refreshes with tracebacks; with no handler configured Python would
    # print them on stderr, in the middle of the report. The error itself is classified.
    logging.getLogger("botocore").addHandler(logging.NullHandler())
    # Untyped on purpose: what is overridden here are botocore internals its stubs do not cover.
    sessions: Any = importlib.import_module("botocore.session")
    chain: Any = importlib.import_module("botocore.credentials")

    class WebIdentityProvider(chain.AssumeRoleWithWebIdentityProvider):  # type: ignore[misc]
        environ: Mapping[str, str] = {}

        def _get_env_config(self, key: str) -> str | None:
            if self._disable_env_vars:
                return None
            name = self._CONFIG_TO_ENV_VAR.get(key)
            return self.environ.get(name) if name else None

    class ProfileProviders(chain.ProfileProviderBuilder):  # type: ignore[misc]
        def __init__(self, session: Any, environ: Mapping[str, str], **kwargs: Any) -> None:
            super().__init__(session, **kwargs)
            self._environ = environ

        def _create_web_identity_provider(self, profile_name: str, disable: bool) -> Any:
            provider = WebIdentityProvider(
                load_config=lambda: self._session.full_config,
                client_creator=chain._get_client_creator(self._session, self._region_name),
                cache=self._cache,
                profile_name=profile_name,
                disable_env_vars=disable,
            )
            provider.environ = self._environ
            return provider

        def _create_process_provider(self, profile_name: str) -> Any:
            return chain.ProcessProvider(
                profile_name=profile_name,
                load_config=lambda: self._session.full_config,
                popen=functools.partial(subprocess.Popen, env=dict(self._environ)),
            )

    class EffectiveSession(sessions.Session):  # type: ignore[misc]
        def __init__(self, setup: AwsSetup) -> None:
            self.ccdoctor_setup = setup
            super().__init__()
            self._last_client_region_used = setup.region

        def _register_config_store(self) -> None:
            factory = ConfigChainFactory(session=self, environ=self.ccdoctor_setup.environ)

            def chains(variables: Mapping[str, Any]) -> dict[str, Any]:
                return {
                    name: factory.create_config_chain(
                        instance_name=name,
                        env_var_names=spec[1],
                        config_property_names=spec[0],
                        default=spec[2],
                        conversion_func=spec[3],
                    )
                    for name, spec in variables.items()
                }

            mapping = chains(BOTOCORE_DEFAUT_SESSION_VARIABLES)
            mapping["s3"] = SectionConfigProvider("s3", self, chains(DEFAULT_S3_CONFIG_VARS))
            mapping["proxies_config"] = SectionConfigProvider(
                "proxies_config", self, chains(DEFAULT_PROXIES_CONFIG_VARS)
            )
            self._components.register_component("config_store", ConfigValueStore(mapping))

        def _add_configured_endpoint_provider(self, client_name: str, config_store: Any) -> None:
            config_store.set_config_provider(
                "endpoint_url",
                ConfiguredEndpointProvider(
                    full_config=self.full_config,
                    scoped_config=self.get_scoped_config(),
                    client_name=client_name,
                    environ=self.ccdoctor_setup.environ,
                ),
            )

        def _create_token_resolver(self) -> Any:
            # Bedrock API keys are added as a header by AwsLink; no other token applies here.
            return TokenProviderChain(providers=[])

        def _create_credential_resolver(self) -> Any:
            # botocore.credentials.create_credential_resolver, with the environment passed in.
            environ = self.ccdoctor_setup.environ
            profile = self.get_config_variable("profile") or "default"
            disable_env = self.instance_variables().get("profile") is not None
            cache: dict[str, Any] = {}
            env_provider = chain.EnvProvider(environ=environ)
            container = chain.ContainerProvider(environ=environ)
            instance = chain.InstanceMetadataProvider(
                iam_role_fetcher=InstanceMetadataFetcher(
                    timeout=self.get_config_variable("metadata_service_timeout"),
                    num_attempts=self.get_config_variable("metadata_service_num_attempts"),
                    user_agent=self.user_agent(),
                    env=environ,
                    config={
                        "ec2_metadata_service_endpoint": self.get_config_variable(
                            "ec2_metadata_service_endpoint"
                        ),
                        "ec2_metadata_service_endpoint_mode": chain.resolve_imds_endpoint_mode(
                            self
                        ),
                        "ec2_metadata_v1_disabled": self.get_config_variable(
                            "ec2_metadata_v1_disabled"
                        ),
                    },
                )
            )
            builder = ProfileProviders(
                self,
                environ,
                cache=cache,
                region_name=self._last_client_region_used,
                sso_token_cache=JSONFileCache(self.ccdoctor_setup.sso_cache),
                login_token_cache=JSONFileCache(self.ccdoctor_setup.login_cache),
            )
            assume_role = chain.AssumeRoleProvider(
                load_config=lambda: self.full_config,
                client_creator=chain._get_client_creator(self, self._last_client_region_used),
                cache=cache,
                profile_name=profile,
                credential_sourcer=chain.CanonicalNameCredentialSourcer(
                    [env_provider, container, instance]
                ),
                profile_provider_builder=builder,
            )
            providers = [
                *([] if disable_env else [env_provider]),
                assume_role,
                *builder.providers(profile_name=profile, disable_env_vars=disable_env),
                chain.OriginalEC2Provider(environ=environ),
                chain.BotoProvider(environ=environ),
                container,
                instance,
            ]
            return chain.CredentialResolver(providers=providers)

        def create_client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
            setup = self.ccdoctor_setup
            bundle = ca_bundle(setup.network.extra_ca_file)
            kwargs["verify"] = bundle.path if setup.network.verify else False
            if not setup.network.verify:
                _quiet_insecure_warnings()
            given = kwargs.get("config")
            endpoint = kwargs.get("endpoint_url")

            def build(proxies: dict[str, str]) -> Any:
                config = _transport_config(Config, setup, proxies, bundle.path)
                kwargs["config"] = config.merge(given) if given is not None else config
                return super(EffectiveSession, self).create_client(service_name, *args, **kwargs)

            guess = _proxies_for(setup.network, endpoint) if endpoint else {}
            client = build(guess)
            # Without an explicit URL the endpoint is known only once the client exists.
            actual = _proxies_for(setup.network, str(client.meta.endpoint_url))
            return client if actual == guess else build(actual)

    return EffectiveSession


def _quiet_insecure_warnings() -> None:
    """NODE_TLS_REJECT_UNAUTHORIZED=0 turned verification off on purpose (checks elsewhere
    say so); urllib3 would print a warning per request in the middle of the report."""
    import urllib3

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def _transport_config(
    config_class: Any, setup: AwsSetup, proxies: dict[str, str], bundle: str
) -> Any:
    network = setup.network
    client_cert: Any = None
    if network.client_cert:
        client_cert = (
            (network.client_cert, network.client_key) if network.client_key else network.client_cert
        )
    return config_class(
        connect_timeout=setup.timeout,
        read_timeout=setup.timeout,
        retries={"total_max_attempts": 1, "mode": "standard"},
        # An empty dict, not None: None would make botocore read proxies from os.environ.
        proxies=proxies,
        proxies_config={"proxy_ca_bundle": bundle} if proxies else None,
        client_cert=client_cert,
        user_agent_extra="ccdoctor",
    )


def _proxies_for(network: NetworkSettings, url: str) -> dict[str, str]:
    parts = urlsplit(url)
    scheme = parts.scheme or "https"
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        return {}
    choice = network.proxy_for(scheme, parts.hostname or "", port)
    return {scheme: choice.url} if choice is not None else {}
