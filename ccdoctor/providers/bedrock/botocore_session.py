"""The one place that reaches into botocore's internals: a Session that reads a given
environment instead of os.environ.

botocore has no public way to hand a session another environment: the environment variable
chain, the configured-endpoint provider, the web-identity and process credential providers all
read os.environ directly. ccdoctor's checks run in threads, and the process environment is not
the configuration under diagnosis, so this Session overrides the methods that build those
pieces. They are private, which is why pyproject.toml pins botocore to the minor series the
tests ran on; a new series is adopted by running the suite on it and moving the pin.
botocore is imported only inside functions: a run on another route never pays for it.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from ccdoctor.host.commands import bounded_popen
from ccdoctor.net.bundle import ca_bundle
from ccdoctor.net.settings import NetworkSettings


@dataclass(frozen=True)
class SessionInputs:
    """What a botocore session is built from: region, environment, network settings, timeout and
    SSO/login caches."""

    region: str
    """The region the client calls; also the one the credential chain's STS calls use."""
    environ: Mapping[str, str]
    """The effective environment as botocore should see it."""
    network: NetworkSettings
    timeout: float
    sso_cache: str
    login_cache: str


def effective_session(inputs: SessionInputs) -> Any:
    return _session_class()(inputs)


def expiry_of(credentials: Any) -> datetime | None:
    """When refreshable credentials expire: a private attribute, but the only source."""
    expiry = getattr(credentials, "_expiry_time", None)
    return expiry if isinstance(expiry, datetime) else None


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
        def __init__(
            self, session: Any, environ: Mapping[str, str], timeout: float, **kwargs: Any
        ) -> None:
            super().__init__(session, **kwargs)
            self._environ = environ
            self._timeout = timeout

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
                popen=bounded_popen(self._timeout, dict(self._environ)),
            )

    class EffectiveSession(sessions.Session):  # type: ignore[misc]
        def __init__(self, inputs: SessionInputs) -> None:
            self.ccdoctor_inputs = inputs
            super().__init__()
            self._last_client_region_used = inputs.region

        def _register_config_store(self) -> None:
            factory = ConfigChainFactory(session=self, environ=self.ccdoctor_inputs.environ)

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
                    environ=self.ccdoctor_inputs.environ,
                ),
            )

        def _create_token_resolver(self) -> Any:
            # Bedrock API keys are added as a header by AwsLink; no other token applies here.
            return TokenProviderChain(providers=[])

        def _create_credential_resolver(self) -> Any:
            # botocore.credentials.create_credential_resolver, with the environment passed in.
            environ = self.ccdoctor_inputs.environ
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
                self.ccdoctor_inputs.timeout,
                cache=cache,
                region_name=self._last_client_region_used,
                sso_token_cache=JSONFileCache(self.ccdoctor_inputs.sso_cache),
                login_token_cache=JSONFileCache(self.ccdoctor_inputs.login_cache),
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
            setup = self.ccdoctor_inputs
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
    config_class: Any, setup: SessionInputs, proxies: dict[str, str], bundle: str
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
