"""Where tokens come from: Microsoft Entra ID (msal), a Google service account (google-auth) or
any OAuth2 token endpoint. Each builder reads the secret (environment variable or file) once and
returns a `TokenProvider`; the identity provider is contacted only when a token is needed.

Library logging stays at WARNING: msal and urllib3 log request details at INFO/DEBUG, and a
daemon run with -v must never show a secret or a token.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from automation.auth.explain import token_refusal, token_unreachable
from automation.auth.tokens import Token, TokenProvider, TokenRefused, TokenUnavailable
from automation.config import OAuth2Settings
from automation.errors import ConfigError

for _noisy in ("msal", "urllib3", "google.auth", "google.oauth2"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

MICROSOFT_HOST = "https://login.microsoftonline.com"
_TIMEOUT = 30.0


def provider_for(settings: OAuth2Settings, where: str, username: str, base: Path) -> TokenProvider:
    """The token provider for one [mailbox.oauth2] or [sending.oauth2] section; `where` names the
    section in messages, `base` is the config's directory for relative paths."""
    session = _Session(_path(settings.ca_file, base) if settings.ca_file else None)
    if settings.provider == "microsoft":
        return _microsoft(settings, where, base, session)
    if settings.provider == "google":
        return _google(settings, where, username, base, session)
    return _generic(settings, where, base, session)


class _Session(requests.Session):
    """A requests session whose `verify` (a private CA for the token endpoint) is not overridden
    by REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, while proxies from the environment still apply."""

    def __init__(self, ca_file: Path | None) -> None:
        super().__init__()
        self.ca_file = ca_file
        if ca_file is not None:
            self.verify = str(ca_file)

    def merge_environment_settings(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        merged: dict[str, Any] = super().merge_environment_settings(*args, **kwargs)
        if self.ca_file is not None:
            merged["verify"] = str(self.ca_file)
        return merged


# ---- Microsoft 365 ---------------------------------------------------------------------------------


def _microsoft(o: OAuth2Settings, where: str, base: Path, session: requests.Session) -> TokenProvider:
    import msal

    credential: Any
    if o.certificate_file:
        credential = _certificate(o, where, base)
    else:
        credential = _secret(o.client_secret_env, o.client_secret_file, f"{where} client_secret", base)
    host = o.authority_host.rstrip("/")
    authority = f"{host}/{o.tenant}"
    scope = o.scope or "https://outlook.office365.com/.default"
    app: list[Any] = []  # made at the first token: msal fetches the tenant's metadata when made

    def fetch() -> Token:
        try:
            if not app:
                app.append(
                    msal.ConfidentialClientApplication(
                        o.client_id,
                        client_credential=credential,
                        authority=authority,
                        # Instance discovery asks login.microsoftonline.com about the host;
                        # only needed (and possible) for Microsoft's own hosts.
                        instance_discovery=host == MICROSOFT_HOST,
                        http_client=session,
                        token_cache=msal.TokenCache(),
                    )
                )
        except requests.RequestException as exc:
            raise TokenUnavailable(token_unreachable(where, host, type(exc).__name__)) from None
        except ValueError as exc:
            # Raised while reading the tenant's metadata: an unknown tenant answers 400 there.
            raise TokenRefused(
                f"{where}: Microsoft does not know the tenant {o.tenant!r} ({_first(exc)}); fix: set"
                f" {where} tenant to the Directory (tenant) ID or the organisation's primary domain"
            ) from None
        client = app[0]
        # Our cache decides when to renew; msal's own copy would hand the refused or almost
        # expired token back, so a renewal here is always a real one.
        cache = client.token_cache
        for entry in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
            cache.remove_at(entry)
        try:
            result = client.acquire_token_for_client(scopes=[scope])
        except requests.RequestException as exc:
            raise TokenUnavailable(token_unreachable(where, host, type(exc).__name__)) from None
        except (ValueError, TypeError) as exc:  # a key msal cannot sign with (wrong passphrase...)
            raise TokenRefused(
                f"{where} certificate_file: cannot sign with this key ({type(exc).__name__});"
                " fix: check the file and certificate_password_env"
            ) from None
        if "access_token" in result:
            return Token(str(result["access_token"]), float(result.get("expires_in") or 0))
        raise TokenRefused(
            token_refusal(
                "microsoft",
                where,
                str(result.get("error", "")),
                str(result.get("error_description", "")),
                secret=_kept_in(o.client_secret_env, o.client_secret_file),
            )
        )

    return TokenProvider("microsoft", fetch)


def _certificate(o: OAuth2Settings, where: str, base: Path) -> dict[str, Any]:
    """A certificate credential: a PEM with the private key and the certificate (msal computes
    the SHA-256 thumbprint Entra ID shows), or a PKCS#12 file."""
    assert o.certificate_file is not None
    path = _path(o.certificate_file, base)
    password = (
        _secret(o.certificate_password_env, None, f"{where} certificate_password", base)
        if o.certificate_password_env
        else None
    )
    if path.suffix.lower() in (".pfx", ".p12"):
        if not path.is_file():
            raise ConfigError([f"{where} certificate_file: {path} not found; fix: point it at the .pfx file"])
        return {"private_key_pfx_path": str(path), **({"passphrase": password} if password else {})}
    text = _read(path, f"{where} certificate_file")
    if "PRIVATE KEY-----" not in text or "BEGIN CERTIFICATE-----" not in text:
        raise ConfigError(
            [
                f"{where} certificate_file: {path} must hold both the private key and the certificate"
                " (PEM); fix: cat key.pem cert.pem > that file (readable only by the service user)"
            ]
        )
    start = text.index("-----BEGIN CERTIFICATE-----")
    end = text.index("-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----")
    credential: dict[str, Any] = {"private_key": text, "public_certificate": text[start:end]}
    if password:
        credential["passphrase"] = password
    return credential


# ---- Google Workspace ------------------------------------------------------------------------------


def _google(
    o: OAuth2Settings, where: str, username: str, base: Path, session: requests.Session
) -> TokenProvider:
    from google.auth import exceptions
    from google.auth.transport.requests import Request
    from google.oauth2 import service_account

    assert o.key_file is not None
    path = _path(o.key_file, base)
    try:
        info = json.loads(_read(path, f"{where} key_file"))
        credentials = service_account.Credentials.from_service_account_info(
            info, scopes=[o.scope or "https://mail.google.com/"], subject=o.subject or username
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            [
                f"{where} key_file: {path} is not a service account key ({type(exc).__name__}:"
                f" {_first(exc)}); fix: download a JSON key of the service account (IAM > Service"
                " accounts > Keys)"
            ]
        ) from None
    request = Request(session=session)
    token_uri = str(info.get("token_uri", "https://oauth2.googleapis.com/token"))

    def fetch() -> Token:
        try:
            credentials.refresh(request)
        except exceptions.RefreshError as exc:
            data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
            error = str(data.get("error", "")) or _first(exc)
            raise TokenRefused(
                token_refusal("google", where, error, str(data.get("error_description", "")))
            ) from None
        except exceptions.TransportError as exc:
            raise TokenUnavailable(token_unreachable(where, token_uri, _first(exc))) from None
        expiry = credentials.expiry  # naive UTC
        lifetime = (expiry.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() if expiry else 0.0
        return Token(str(credentials.token), lifetime)

    return TokenProvider("google", fetch)


# ---- any OAuth2 token endpoint ---------------------------------------------------------------------


def _generic(o: OAuth2Settings, where: str, base: Path, session: requests.Session) -> TokenProvider:
    """Client credentials, or a refresh token (RFC 6749 4.4 / 6): no library covers an arbitrary
    endpoint better than this one request. A rotated refresh token is kept in memory."""
    secret = (
        _secret(o.client_secret_env, o.client_secret_file, f"{where} client_secret", base)
        if o.client_secret_env or o.client_secret_file
        else ""
    )
    refresh = (
        _secret(o.refresh_token_env, o.refresh_token_file, f"{where} refresh_token", base)
        if o.refresh_token_env or o.refresh_token_file
        else ""
    )
    state = {"refresh_token": refresh}

    def fetch() -> Token:
        form = (
            {"grant_type": "refresh_token", "refresh_token": state["refresh_token"]}
            if refresh
            else {"grant_type": "client_credentials"}
        )
        if o.scope:
            form["scope"] = o.scope
        auth = None
        if o.client_auth == "basic" and secret:
            auth = (o.client_id, secret)
        else:
            form["client_id"] = o.client_id
            if secret:
                form["client_secret"] = secret
        try:
            response = session.post(
                o.token_url, data=form, auth=auth, timeout=_TIMEOUT, headers={"Accept": "application/json"}
            )
            body = response.json()
        except requests.RequestException as exc:
            raise TokenUnavailable(token_unreachable(where, o.token_url, type(exc).__name__)) from None
        except ValueError:
            raise TokenUnavailable(
                token_unreachable(where, o.token_url, f"HTTP {response.status_code}, not JSON")
            ) from None
        if not isinstance(body, dict):
            body = {}
        if response.status_code == 200 and body.get("access_token"):
            if body.get("refresh_token"):
                state["refresh_token"] = str(body["refresh_token"])
            return Token(str(body["access_token"]), float(body.get("expires_in") or 0))
        if response.status_code >= 500:
            raise TokenUnavailable(token_unreachable(where, o.token_url, f"HTTP {response.status_code}"))
        raise TokenRefused(
            token_refusal(
                "generic",
                where,
                str(body.get("error", "")),
                str(body.get("error_description", "")),
                response.status_code,
                secret=_kept_in(o.client_secret_env, o.client_secret_file),
            )
        )

    return TokenProvider("generic", fetch)


# ---- secrets ----------------------------------------------------------------------------------------


def _secret(env: str | None, file: Path | None, label: str, base: Path) -> str:
    """A secret from its environment variable or file; the value itself never enters a message."""
    if env:
        value = os.environ.get(env)
        if not value:
            raise ConfigError(
                [f"{label}_env: environment variable {env} is not set; fix: export it (or use {label}_file)"]
            )
        return value
    if file:
        return _read(_path(file, base), f"{label}_file").strip()
    raise ConfigError([f"{label}_env: required; fix: name the environment variable holding it"])


def _kept_in(env: str | None, file: Path | None) -> str:
    """Where a secret is kept, for a fix: the variable's or file's name, never the value."""
    if env:
        return f"the environment variable {env}"
    return f"the file {file}" if file else ""


def _read(path: Path, label: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            [
                f"{label}: cannot read {path} ({exc.strerror}); fix: create it, readable only by"
                " the service user"
            ]
        ) from None
    except UnicodeDecodeError:
        problem = f"{label}: {path} is not a text (PEM/JSON) file; fix: point it at the right file"
        raise ConfigError([problem]) from None


def _path(path: Path, base: Path) -> Path:
    return path if path.is_absolute() else base / path


def _first(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    return " ".join(text.split())[:200]
