"""Whether the proxy variables, NO_PROXY, extra CA bundles and mTLS files are usable
by the client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccdoctor.config.removal import export_in_shell, removal_fix
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core import repairs
from ccdoctor.core.results import Fix, Problem, Status
from ccdoctor.diagnose.base_urls import endpoints_in_use
from ccdoctor.knowledge import network
from ccdoctor.knowledge.network import UrlFault, UrlProblem, UrlReading
from ccdoctor.net.settings import no_proxy_match, proxy_variable

if TYPE_CHECKING:
    from cryptography import x509


@dataclass(frozen=True)
class ProxyChoice:
    """The proxy variable the client uses, its raw value, and the set ones it beats."""

    variable: str
    raw: str
    shadowed: tuple[str, ...]
    """Other proxy variables that are set but lose to `variable`."""


@dataclass(frozen=True)
class CertificateSummary:
    """One certificate read from a certificate file: subject, issuer, validity dates and whether it
    is a CA."""

    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    is_ca: bool

    def valid_at(self, now: dt.datetime) -> bool:
        return self.not_before <= now <= self.not_after

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "not_after": self.not_after.isoformat(),
            "is_ca": self.is_ca,
        }


@dataclass(frozen=True)
class PemReport:
    """What a certificate or key file holds, and what is wrong with it."""

    problems: tuple[Problem, ...] = ()
    certificates: tuple[CertificateSummary, ...] = ()
    notes: tuple[str, ...] = ()


def proxy_in_use(config: ResolvedConfig) -> ProxyChoice | None:
    chosen = proxy_variable(config.get, config.facts.proxy_variables)
    return None if chosen is None else ProxyChoice(chosen.variable, chosen.text, chosen.shadowed)


def judge_proxy(variable: str, raw: str) -> tuple[UrlReading | None, list[Problem]]:
    parsed = network.read_url(raw)
    if isinstance(parsed, UrlProblem):
        if parsed.fault is UrlFault.NO_SCHEME:
            suggestion: str | None = "http://" + parsed.display
        elif parsed.fault is UrlFault.QUOTED:
            suggestion = network.unquoted(parsed.display)
        else:
            suggestion = None
        return None, [
            Problem(
                Status.FAIL,
                f"{variable}={parsed.display!r} {parsed.fault.value}: Claude Code refuses to "
                "launch and names this variable",
                Fix(
                    "Write the proxy as a full URL, e.g. http://proxy.example.com:3128.",
                    (f"export {variable}='{suggestion}'",) if suggestion else (),
                ),
            )
        ]
    if parsed.scheme.startswith(network.UNSUPPORTED_PROXY_SCHEME_PREFIX):
        return None, [
            Problem(
                Status.FAIL,
                f"{variable}={parsed.display} is a SOCKS proxy; Claude Code supports only "
                "HTTP(S) proxies",
                Fix(
                    "Use the HTTP (CONNECT) port of your proxy, or run a local HTTP-to-SOCKS "
                    "bridge and point the variable at it.",
                    (f"export {variable}='http://{parsed.host}:3128'",),
                ),
            )
        ]
    if parsed.scheme not in network.PROXY_SCHEMES:
        return None, [
            Problem(
                Status.FAIL,
                f"{variable}={parsed.display} uses the scheme {parsed.scheme}://; a proxy must "
                "be http:// or https://",
                Fix(
                    "Write the proxy as http://host:port.",
                    (f"export {variable}='http://{parsed.host}:{parsed.port or 3128}'",),
                ),
            )
        ]
    return parsed, []


def judge_no_proxy(variable: str, entries: Sequence[str]) -> list[Problem]:
    urls = [e for e in entries if network.no_proxy_entry_is_url(e)]
    if not urls:
        return []
    hosts = [_host_of(e) for e in urls]
    kept = [e for e in entries if e not in urls]
    return [
        Problem(
            Status.WARN,
            f"{variable} entries {', '.join(repr(e) for e in urls)} are URLs; entries are host "
            "names or domains, so these never match",
            Fix(
                f"Write host names only, e.g. {', '.join(hosts)}.",
                (f"export {variable}='{','.join([*kept, *hosts])}'",),
            ),
        )
    ]


def inspect_ca_bundle(
    config: ResolvedConfig, variable: str, path: Path, now: dt.datetime
) -> PemReport:
    """A file of trusted certificates: it must exist, be PEM, and hold valid CA certificates."""
    data = _read(variable, path)
    if isinstance(data, Problem):
        return PemReport((skipped_by_client(variable, data, _unusable_fix(config, variable)),))
    blocks = network.PEM_CERTIFICATE.findall(data)
    if not blocks:
        return PemReport(
            (skipped_by_client(variable, _not_pem(variable, path, data, "certificate")),)
        )
    from cryptography import x509

    summaries: list[CertificateSummary] = []
    problems: list[Problem] = []
    for index, block in enumerate(blocks, start=1):
        try:
            summaries.append(_describe(x509.load_pem_x509_certificate(block)))
        except ValueError as exc:
            problems.append(
                Problem(
                    Status.FAIL,
                    f"{variable}: certificate {index} of {len(blocks)} in {path} cannot be "
                    f"parsed ({exc})",
                    Fix(f"Re-export the certificate into {path} as PEM."),
                )
            )
    problems.extend(_validity_problems(variable, path, summaries, now))
    problems.extend(_leaf_problems(variable, path, summaries))
    return PemReport(tuple(problems), tuple(summaries))


def inspect_client_identity(
    cert_path: Path | None, key_path: Path | None, passphrase: str | None, now: dt.datetime
) -> PemReport:
    """The mTLS certificate and key: readable, unexpired, decryptable, and a pair."""
    cert_var, key_var = network.CLIENT_CERT_VARIABLE, network.CLIENT_KEY_VARIABLE
    if (cert_path is None) != (key_path is None):
        have, missing = (cert_var, key_var) if key_path is None else (key_var, cert_var)
        return PemReport(
            (
                Problem(
                    Status.WARN,
                    f"{have} is set without {missing}: mTLS needs both, so no client "
                    "certificate is presented",
                    Fix(f"Set {missing} to the matching file, or unset {have}."),
                ),
            )
        )
    if cert_path is None or key_path is None:
        return PemReport()
    cert_data = _read(cert_var, cert_path)
    key_data = _read(key_var, key_path)
    problems = [p for p in (cert_data, key_data) if isinstance(p, Problem)]
    if isinstance(cert_data, Problem) or isinstance(key_data, Problem):
        return PemReport(tuple(problems))
    cert_blocks = network.PEM_CERTIFICATE.findall(cert_data)
    key_match = network.PEM_PRIVATE_KEY.search(key_data)
    if not cert_blocks:
        problems.append(_not_pem(cert_var, cert_path, cert_data, "certificate"))
    if key_match is None:
        problems.append(_not_pem(key_var, key_path, key_data, "private key"))
    if problems or key_match is None:
        return PemReport(tuple(problems))
    encrypted = b"ENCRYPTED" in key_match.group(0)
    if encrypted and not passphrase:
        return PemReport((_passphrase_missing(key_path),))
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        certificate = x509.load_pem_x509_certificate(cert_blocks[0])
    except ValueError as exc:
        return PemReport(
            (
                Problem(
                    Status.FAIL,
                    f"{cert_var}: {cert_path} holds a certificate that cannot be parsed ({exc})",
                    Fix(f"Re-export the client certificate into {cert_path} as PEM."),
                ),
            )
        )
    summary = _describe(certificate)
    problems.extend(_validity_problems(cert_var, cert_path, [summary], now))
    password = passphrase.encode("utf-8") if passphrase and encrypted else None
    notes: list[str] = []
    if passphrase and not encrypted:
        notes.append(
            f"{network.CLIENT_KEY_PASSPHRASE_VARIABLE} is set but the key is not encrypted"
        )
    try:
        key = serialization.load_pem_private_key(key_match.group(0), password=password)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        problems.append(_key_unreadable(key_path, encrypted, exc))
        return PemReport(tuple(problems), (summary,), tuple(notes))
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, spki) != certificate.public_key().public_bytes(der, spki):
        problems.append(
            Problem(
                Status.FAIL,
                f"{key_var} ({key_path}) is not the private key of the certificate in "
                f"{cert_var} ({cert_path}): the TLS handshake will fail",
                Fix(
                    "Point both variables at files from the same issuance; compare them with "
                    "the commands below (the outputs must be equal).",
                    (
                        f"openssl x509 -noout -pubkey -in {cert_path} | openssl sha256",
                        f"openssl pkey -pubout -in {key_path} | openssl sha256",
                    ),
                ),
            )
        )
    return PemReport(tuple(problems), (summary,), tuple(notes))


def _describe(certificate: x509.Certificate) -> CertificateSummary:
    from cryptography import x509

    subject = certificate.subject.rfc4514_string()
    issuer = certificate.issuer.rfc4514_string()
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        is_ca = constraints.value.ca
    except x509.ExtensionNotFound:
        is_ca = subject == issuer  # old v1 roots carry no extensions; self-signed means a root
    except ValueError:
        is_ca = False
    return CertificateSummary(
        subject=subject or "(empty subject)",
        issuer=issuer or "(empty issuer)",
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        is_ca=is_ca,
    )


def _validity_problems(
    variable: str, path: Path, summaries: list[CertificateSummary], now: dt.datetime
) -> list[Problem]:
    invalid = [s for s in summaries if not s.valid_at(now)]
    # Stale roots in a large bundle do no harm (system bundles carry a few); a file whose every
    # certificate is out of date (usually the single corporate CA) breaks every handshake.
    if not invalid or len(invalid) < len(summaries):
        return []
    status = Status.FAIL
    shown = "; ".join(f"{s.subject} ({_validity(s, now)})" for s in invalid[:3])
    more = f" and {len(invalid) - 3} more" if len(invalid) > 3 else ""
    return [
        Problem(
            status,
            f"{variable}: {len(invalid)} of {len(summaries)} certificate(s) in {path} are not "
            f"valid now: {shown}{more}",
            Fix(
                f"Replace {path} with a current certificate from whoever issued it "
                "(for a corporate proxy CA: your IT department).",
                (f"openssl x509 -noout -subject -enddate -in {path}",),
            ),
        )
    ]


def _validity(summary: CertificateSummary, now: dt.datetime) -> str:
    if now < summary.not_before:
        return f"not valid before {summary.not_before:%Y-%m-%d}"
    return f"expired {summary.not_after:%Y-%m-%d}"


def _leaf_problems(variable: str, path: Path, summaries: list[CertificateSummary]) -> list[Problem]:
    leaves = [s for s in summaries if not s.is_ca]
    if not leaves:
        return []
    return [
        Problem(
            Status.WARN,
            f"{variable}: {path} holds {len(leaves)} certificate(s) that are not CAs, e.g. "
            f"{leaves[0].subject}: a server's own certificate cannot vouch for others",
            Fix(
                f"Put the root (or intermediate) CA that issued the proxy's certificates in "
                f"{path}; export it from the browser's certificate viewer or ask IT for it.",
            ),
        )
    ]


def _read(variable: str, path: Path) -> bytes | Problem:
    try:
        if not path.exists():
            return _file_problem(variable, path, "does not exist")
        if path.is_dir():
            return _file_problem(variable, path, "is a directory, not a file")
        if path.stat().st_size > network.MAX_PEM_BYTES:
            return _file_problem(variable, path, "is too large to be a certificate or key file")
        return path.read_bytes()
    except OSError as exc:
        return _file_problem(variable, path, f"cannot be read ({exc.strerror or exc})")


def _file_problem(variable: str, path: Path, what: str) -> Problem:
    return Problem(
        Status.FAIL,
        f"{variable}={path} {what}",
        Fix(
            f"Point {variable} at an existing, readable PEM file.", (repairs.show_file(str(path)),)
        ),
    )


def skipped_by_client(variable: str, problem: Problem, fix: Fix | None = None) -> Problem:
    """A file the client cannot load (missing, unreadable, not PEM, a literal ~) and only skips
    with a warning is a warning: the client goes on with its built-in CAs, and the checks on
    the network say whether that matters here (a TLS-inspecting proxy's CA missing fails them)."""
    if variable not in network.SKIPPED_WHEN_UNLOADABLE or problem.status is not Status.FAIL:
        return problem
    return Problem(
        Status.WARN,
        f"{problem.message}; Claude Code skips it with a warning and trusts only its built-in CAs",
        fix or problem.fix,
        problem.explains,
    )


def _unusable_fix(config: ResolvedConfig, variable: str) -> Fix:
    return removal_fix(
        config,
        f"Unset {variable} if no corporate CA is needed, or point it at the PEM file of the CA "
        "that really exists on this machine (the one a TLS-inspecting proxy signs with).",
        variable,
        after=export_in_shell(config, variable, "/path/to/corporate-root-ca.pem"),
    )


def _not_pem(variable: str, path: Path, data: bytes, kind: str) -> Problem:
    if b"-----BEGIN" in data:
        what = f"holds PEM blocks but no {kind}"
        fix = Fix(f"Point {variable} at the file that holds the {kind}.")
    else:
        what = f"is not PEM (binary DER?); the client reads only PEM {kind}s"
        command = (
            f"openssl x509 -inform der -in {path} -out {path}.pem"
            if kind == "certificate"
            else f"openssl pkey -inform der -in {path} -out {path}.pem"
        )
        fix = Fix(f"Convert it to PEM and point {variable} at the result.", (command,))
    return Problem(Status.FAIL, f"{variable}: {path} {what}", fix)


def _passphrase_missing(key_path: Path) -> Problem:
    variable = network.CLIENT_KEY_PASSPHRASE_VARIABLE
    return Problem(
        Status.FAIL,
        f"{network.CLIENT_KEY_VARIABLE} ({key_path}) is encrypted but {variable} is not set: "
        "the key cannot be used",
        Fix(f"Set {variable} to the key's passphrase (keep it out of committed settings files)."),
    )


def _key_unreadable(key_path: Path, encrypted: bool, exc: Exception) -> Problem:
    variable = network.CLIENT_KEY_PASSPHRASE_VARIABLE
    if encrypted:
        return Problem(
            Status.FAIL,
            f"{network.CLIENT_KEY_VARIABLE} ({key_path}) cannot be decrypted with {variable}: "
            "wrong passphrase",
            Fix(
                f"Set {variable} to the passphrase the key was encrypted with; test it with "
                "the command below.",
                (f"openssl pkey -in {key_path} -noout",),
            ),
        )
    return Problem(
        Status.FAIL,
        f"{network.CLIENT_KEY_VARIABLE} ({key_path}) cannot be loaded: {type(exc).__name__}",
        Fix("Re-export the private key as PEM (PKCS#8).", (f"openssl pkey -in {key_path} -noout",)),
    )


def verification_off(config: ResolvedConfig) -> Problem:
    variable = network.TLS_REJECT_VARIABLE
    return Problem(
        Status.WARN,
        f"{variable}=0 ({source_of(config, variable)}) turns TLS certificate verification off: "
        "anyone on the path can read and alter traffic, credentials included",
        removal_fix(
            config,
            f"Unset {variable}. If a corporate proxy inspects TLS, trust its CA instead with "
            "NODE_EXTRA_CA_CERTS.",
            variable,
            after=("export NODE_EXTRA_CA_CERTS=/path/to/corporate-root-ca.pem",),
        ),
    )


def file_path(config: ResolvedConfig, variable: str, raw: str) -> Path | Problem:
    text = raw.strip()
    if text.startswith("~"):
        # Node reads the variable verbatim; only a shell expands ~, and not inside quotes or a
        # settings file.
        expanded = config.inputs.home / text[1:].lstrip("/")
        return Problem(
            Status.FAIL,
            f"{variable}={text} starts with ~, which the client does not expand",
            Fix(
                "Write the full path.",
                (f"export {variable}={expanded}",),
                f'{{"env": {{"{variable}": "{expanded}"}}}}',
            ),
        )
    path = Path(text)
    return path if path.is_absolute() else config.inputs.project_dir / path


def optional_file(config: ResolvedConfig, variable: str) -> Path | Problem | None:
    raw = config.get(variable)
    return None if raw is None else file_path(config, variable, raw)


def _host_of(entry: str) -> str:
    reading = network.read_url(entry)
    return reading.host if isinstance(reading, UrlReading) else entry


def bypassed_hosts(config: ResolvedConfig, entries: Sequence[str]) -> dict[str, Any]:
    result: dict[str, Any] = {"bypassed": {}, "proxied": []}
    for endpoint in endpoints_in_use(config):
        entry = no_proxy_match(entries, endpoint.host, endpoint.port)
        if entry is None:
            result["proxied"].append(endpoint.host)
        else:
            result["bypassed"][endpoint.host] = entry
    return result


def bypass_summary(variable: str, bypassed: dict[str, Any]) -> list[str]:
    hosts: dict[str, str] = bypassed["bypassed"]
    if not hosts:
        return []
    if set(hosts.values()) == {"*"}:
        return [f"{variable}=* : no request uses the proxy"]
    return [
        f"{host} bypasses the proxy ({variable} entry {entry!r})" for host, entry in hosts.items()
    ]


def report_details(path: Path, report: PemReport) -> dict[str, Any]:
    return {
        "path": str(path),
        "certificates": [c.as_dict() for c in report.certificates[:5]],
        "certificate_count": len(report.certificates),
        "notes": list(report.notes),
    }


def bundle_summary(report: PemReport) -> str:
    if not report.certificates:
        return ", ".join(report.notes)
    first = report.certificates[0]
    if len(report.certificates) == 1:
        return f"{first.subject}, expires {first.not_after:%Y-%m-%d}"
    return f"{len(report.certificates)} certificates"


def identity_summary(report: PemReport) -> str:
    if not report.certificates:
        return ", ".join(report.notes)
    first = report.certificates[0]
    return f"{first.subject}, issued by {first.issuer}, expires {first.not_after:%Y-%m-%d}"


def source_of(config: ResolvedConfig, variable: str) -> str:
    value = config.env.get(variable)
    return value.origin.describe() if value is not None else "unset"
