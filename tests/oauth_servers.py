"""OAuth2 in tests: a Dovecot that validates bearer tokens itself, an SMTP server that does the
same, and the only stand-in allowed, an identity provider's token endpoint (issue 13).

- `TokenAuthority`: the signing key of the stand-in identity provider. Dovecot's oauth2 passdb
  (local JWT validation: signature, exp/nbf/iat, iss, aud, the `email` claim against the login
  name) and the SMTP server check tokens against its public key, so a wrong, expired, badly signed
  or other mailbox's token is refused by the server, not by the test.
- `OAuthDovecot`: tests/servers.py's Dovecot plus the oauth2 passdb (XOAUTH2, OAUTHBEARER); each
  mailbox keeps a PLAIN password too, for the test's own look at the mailbox.
- `IdentityProvider`: an HTTPS token endpoint (own CA) speaking what msal (Entra ID: tenant
  metadata + client credentials), google-auth (service account JWT bearer grant) and a generic
  client (client credentials / refresh token) send, and answering errors as those services do.
- `OAuthSmtpSink`: the aiosmtpd sink of tests/servers.py with AUTH XOAUTH2 / OAUTHBEARER required.

Nothing here imports pytest (usable from scripts too).
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import secrets
import shutil
import ssl
import tempfile
import threading
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from servers import LOOPBACK, DovecotServer, SmtpSink, _PortZeroController, _SinkHandler

ISSUER = "https://issuer.test.invalid/"
AUDIENCE = "https://outlook.office365.com"  # what Exchange-bound tokens carry; Dovecot's client_id
GOOGLE_AUDIENCE = "https://oauth2.googleapis.com/token"  # google-auth's assertion aud, always
_SHM = Path("/dev/shm")


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


# ---- the identity provider's signing key ---------------------------------------------------------


class TokenAuthority:
    """Signs access tokens (RS256, kid) as the identity provider; the servers trust its public key."""

    def __init__(self) -> None:
        self.kid = "test-key-1"
        self.key = _private_key()
        self.rogue = _private_key()  # same kid, a key no server trusts

    def mint(self, email: str, lifetime: float, *, rogue: bool = False) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "sub-" + email,
            "email": email,
            "iat": now,
            "nbf": now,
            "exp": now + max(1, round(lifetime)),
        }
        key = self.rogue if rogue else self.key
        return jwt.encode(claims, _pem(key), algorithm="RS256", headers={"kid": self.kid})

    def validate(self, token: str, user: str) -> str:
        """ "" when the token is good for `user`, else why not (as the SMTP server logs it)."""
        try:
            claims = jwt.decode(
                token,
                _public_pem(self.key),
                algorithms=["RS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            return f"{type(exc).__name__}: {exc}"
        if str(claims.get("email", "")).lower() != user.lower():
            return f"token is for {claims.get('email')!r}, not {user!r}"
        return ""

    def install(self, keys: Path) -> None:
        """Where Dovecot's key dict looks: keys/<azp or default>/<ALG>/<kid>."""
        directory = keys / "default" / "RS256"
        directory.mkdir(parents=True, exist_ok=True)
        for path in (keys, keys / "default", directory):
            path.chmod(0o755)
        target = directory / self.kid
        target.write_bytes(_public_pem(self.key))
        target.chmod(0o644)


# ---- Dovecot validating the tokens itself -----------------------------------------------------------


class OAuthDovecot(DovecotServer):
    """DovecotServer with an oauth2 passdb (introspection_mode = local) in front of the passwords."""

    authority: TokenAuthority

    @classmethod
    def start_with(cls, authority: TokenAuthority) -> OAuthDovecot:
        bound = type("BoundOAuthDovecot", (cls,), {"authority": authority})
        server = bound.start()
        assert isinstance(server, OAuthDovecot)
        return server

    def _prepare(self) -> None:
        super()._prepare()
        self.authority.install(self.root / "keys")
        conf = self.root / "etc" / "dovecot-oauth2.conf.ext"
        conf.write_text(
            "introspection_mode = local\n"
            f"local_validation_key_dict = fs:posix:prefix={self.root}/keys/\n"
            "username_attribute = email\n"
            f"issuers = {ISSUER}\n"
            f"client_id = {AUDIENCE}\n"
        )
        conf.chmod(0o644)

    def _config(self) -> str:
        text = super()._config()
        text = text.replace(
            "auth_mechanisms = plain login\n",
            "auth_mechanisms = plain login xoauth2 oauthbearer\n"
            "# logs why a token was refused (oauth2 failed: Local validation failed: ...)\n"
            "auth_verbose = yes\n"
            "login_log_format_elements = user=<%u> method=%m rip=%r lip=%l mpid=%e %c\n",
            1,
        )
        oauth_passdb = (
            "passdb {\n"
            "  driver = oauth2\n"
            "  mechanisms = xoauth2 oauthbearer\n"
            f"  args = {self.root}/etc/dovecot-oauth2.conf.ext\n"
            "}\n"
            "passdb {\n"
            "  driver = passwd-file\n"
            "  mechanisms = plain login\n"
        )
        assert "passdb {\n  driver = passwd-file\n" in text
        return text.replace("passdb {\n  driver = passwd-file\n", oauth_passdb, 1)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def token_logins(self, user: str) -> list[str]:
        """The SASL mechanisms of the successful logins of `user`, in order."""
        found: list[str] = []
        for line in self.log_text().splitlines():
            if "imap-login: Info: Login: user=<" + user + ">" in line and "method=" in line:
                found.append(line.split("method=", 1)[1].split()[0].rstrip(","))
        return found


# ---- the stand-in identity provider ------------------------------------------------------------------


@dataclass
class Client:
    """An app registration: its secret or certificate and the mailbox it was given
    (Add-MailboxPermission)."""

    secret: str
    mailbox: str
    secret_expired: bool = False
    certificates: dict[str, bytes] = field(default_factory=dict)  # SHA-256 thumbprint -> public key


@dataclass
class ServiceAccount:
    public_pem: bytes
    delegated: bool = True  # domain-wide delegation for https://mail.google.com/


@dataclass
class Issued:
    path: str
    grant: str
    mailbox: str
    lifetime: float


@dataclass
class _State:
    lifetime: float = 3600.0
    tenants: set[str] = field(default_factory=set)
    clients: dict[str, Client] = field(default_factory=dict)
    accounts: dict[str, ServiceAccount] = field(default_factory=dict)
    refresh_tokens: dict[str, Client] = field(default_factory=dict)
    refusal: tuple[int, dict[str, str]] | None = None
    rogue_next: int = 0  # the next N tokens are signed with a key no server trusts
    clock_offset: float = 0.0  # the provider's clock minus ours: a machine whose clock is off
    issued: list[Issued] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)  # every request body, for leak checks


class IdentityProvider:
    """An HTTPS token endpoint on localhost with its own CA (`ca_file`)."""

    def __init__(self, authority: TokenAuthority) -> None:
        self.authority = authority
        self.state = _State()
        self.lock = threading.Lock()
        self.directory = Path(tempfile.mkdtemp(prefix="idp", dir=_SHM if _SHM.is_dir() else None))
        self.ca_file, cert, key = _certificates(self.directory)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.port = 0
        self._listen()
        self.base = f"https://localhost:{self.port}"

    def _listen(self) -> None:
        self.server = ThreadingHTTPServer((LOOPBACK, self.port), _handler_for(self))
        self.server.daemon_threads = True
        self.server.socket = self.context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.up = True

    def go_down(self) -> None:
        """Unreachable: the port refuses connections (the endpoint's host is down) until
        `come_back()`; the keys, clients and issued tokens stay."""
        if self.up:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=10)
            self.up = False

    def come_back(self) -> None:
        """Listening again on the same port, with the same certificate."""
        if not self.up:
            self._listen()

    def stop(self) -> None:
        self.go_down()
        shutil.rmtree(self.directory, ignore_errors=True)

    # ---- what the tests set up ----

    def register(self, client_id: str, mailbox: str, tenant: str = "") -> str:
        """An app (in `tenant`) allowed on `mailbox`; returns its client secret."""
        secret = "s3cr3t-" + secrets.token_hex(12)
        with self.lock:
            if tenant:
                self.state.tenants.add(tenant)
            self.state.clients[client_id] = Client(secret, mailbox)
        return secret

    def register_certificate(self, client_id: str, mailbox: str, tenant: str) -> str:
        """An app whose credential is a certificate (uploaded to the app registration); returns
        the PEM with its private key and the certificate, as the daemon's certificate_file."""
        self.register(client_id, mailbox, tenant)
        key = _private_key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, client_id)])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .sign(key, hashes.SHA256())
        )
        thumbprint = base64.urlsafe_b64encode(cert.fingerprint(hashes.SHA256())).decode()  # x5t#S256
        with self.lock:
            self.state.clients[client_id].certificates[thumbprint] = _public_pem(key)
        return _pem(key).decode() + cert.public_bytes(serialization.Encoding.PEM).decode()

    def service_account(self, email: str, token_uri: str, *, delegated: bool = True) -> dict[str, str]:
        """A Google service account; returns its JSON key (as downloaded from the console)."""
        key = _private_key()
        with self.lock:
            self.state.accounts[email] = ServiceAccount(_public_pem(key), delegated)
        return {
            "type": "service_account",
            "project_id": "test",
            "private_key_id": "sa-key-1",
            "private_key": _pem(key).decode(),
            "client_email": email,
            "client_id": "1234567890",
            "token_uri": token_uri,
        }

    def refresh_token(self, client_id: str) -> str:
        token = "rt-" + secrets.token_hex(16)
        with self.lock:
            self.state.refresh_tokens[token] = self.state.clients[client_id]
        return token

    def set_lifetime(self, seconds: float) -> None:
        with self.lock:
            self.state.lifetime = seconds

    def refuse(self, status: int, error: str, description: str) -> None:
        """Answer every token request with this error (a revoked client, an expired secret...)."""
        with self.lock:
            self.state.refusal = (status, {"error": error, "error_description": description})

    def allow(self) -> None:
        with self.lock:
            self.state.refusal = None

    def sign_next_with_rogue_key(self, count: int = 1) -> None:
        with self.lock:
            self.state.rogue_next = count

    def grant_mailbox(self, client_id: str, mailbox: str) -> None:
        with self.lock:
            self.state.clients[client_id].mailbox = mailbox

    def issued(self) -> list[Issued]:
        with self.lock:
            return list(self.state.issued)

    def request_bodies(self) -> list[str]:
        with self.lock:
            return list(self.state.bodies)

    # ---- the endpoints ----

    def openid_configuration(self, tenant: str) -> tuple[int, dict[str, Any]]:
        if tenant not in self.state.tenants:
            return 400, {
                "error": "invalid_tenant",
                "error_description": f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure"
                " you have the correct tenant ID.\r\nTrace ID: 1\r\nCorrelation ID: 2",
            }
        base = f"{self.base}/{tenant}"
        return 200, {
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "issuer": f"{base}/v2.0",
        }

    def token(
        self, path: str, form: dict[str, str], basic: tuple[str, str] | None
    ) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if self.state.refusal is not None:
                return self.state.refusal[0], dict(self.state.refusal[1])
            grant = form.get("grant_type", "")
            if path.startswith("/google/"):
                found = self._google(form)
            elif path.startswith("/generic/"):
                found = self._generic(form, basic)
            else:
                found = self._entra(path, form)
            if isinstance(found, tuple):
                return found
            lifetime = self.state.lifetime
            rogue = self.state.rogue_next > 0
            self.state.rogue_next = max(0, self.state.rogue_next - 1)
            self.state.issued.append(Issued(path, grant, found, lifetime))
        token = self.authority.mint(found, lifetime, rogue=rogue)
        return 200, {"token_type": "Bearer", "expires_in": int(lifetime), "access_token": token}

    def _entra(self, path: str, form: dict[str, str]) -> str | tuple[int, dict[str, Any]]:
        client = self.state.clients.get(form.get("client_id", ""))
        if client is None:
            return 400, _aad(
                "unauthorized_client", "700016", "Application with identifier was not found in the directory."
            )
        if "client_assertion" in form:
            problem = self._assertion(client, form["client_assertion"], path)
            if problem == "SKEW":
                return 400, _aad(
                    "invalid_client", "700024", "Client assertion is not within its valid time range."
                )
            if problem:
                return 401, _aad("invalid_client", "700027", problem)
        elif form.get("client_secret") != client.secret:
            return 401, _aad("invalid_client", "7000215", "Invalid client secret provided.")
        if client.secret_expired:
            return 401, _aad("invalid_client", "7000222", "The provided client secret keys are expired.")
        if form.get("scope", "").split() != ["https://outlook.office365.com/.default"]:
            return 400, _aad("invalid_scope", "1002012", "The provided value for scope is not valid.")
        return client.mailbox

    def _assertion(self, client: Client, assertion: str, path: str) -> str:
        """ "" when the client assertion is signed by a certificate of the app, else why not."""
        try:
            header = jwt.get_unverified_header(assertion)
            public = client.certificates[str(header.get("x5t#S256", ""))]
            claims = jwt.decode(assertion, public, algorithms=["RS256", "PS256"], audience=self.base + path)
        except (jwt.PyJWTError, KeyError) as exc:
            return f"Client assertion contains an invalid signature ({type(exc).__name__})."
        if claims.get("iss") != claims.get("sub"):
            return "Client assertion issuer and subject differ."
        if not _in_timeframe(claims, self.state.clock_offset):
            return "SKEW"
        return ""

    def _google(self, form: dict[str, str]) -> str | tuple[int, dict[str, Any]]:
        assertion = form.get("assertion", "")
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
            account = self.state.accounts[str(unverified["iss"])]
            claims = jwt.decode(assertion, account.public_pem, algorithms=["RS256"], audience=GOOGLE_AUDIENCE)
        except (jwt.PyJWTError, KeyError):
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        if not _in_timeframe(claims, self.state.clock_offset):
            return 400, {
                "error": "invalid_grant",
                "error_description": "Invalid JWT: Token must be a short-lived token (60 minutes) and"
                " in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
            }
        if not account.delegated or "https://mail.google.com/" not in str(claims.get("scope", "")).split():
            return 401, {
                "error": "unauthorized_client",
                "error_description": "Client is unauthorized to retrieve access tokens using this"
                " method, or client not authorized for any of the scopes requested.",
            }
        return str(claims["sub"])

    def _generic(
        self, form: dict[str, str], basic: tuple[str, str] | None
    ) -> str | tuple[int, dict[str, Any]]:
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if form.get("grant_type") == "refresh_token":
            holder = self.state.refresh_tokens.get(form.get("refresh_token", ""))
            if holder is None:
                return 400, {"error": "invalid_grant", "error_description": "Token is not active"}
            return holder.mailbox
        client = self.state.clients.get(client_id)
        if client is None or client.secret != secret:
            return 401, {"error": "invalid_client", "error_description": "Invalid client credentials"}
        return client.mailbox


def _in_timeframe(claims: dict[str, Any], offset: float) -> bool:
    """A signed request's iat/exp against the provider's clock (five minutes of slack)."""
    now = time.time() + offset
    return float(claims.get("iat", 0)) - 300 <= now <= float(claims.get("exp", 0)) + 300


def _aad(error: str, code: str, text: str) -> dict[str, Any]:
    """An Entra ID error body: AADSTS code first, trace lines after."""
    return {
        "error": error,
        "error_description": f"AADSTS{code}: {text}\r\nTrace ID: 0\r\nCorrelation ID: 0\r\nTimestamp: now",
        "error_codes": [int(code)],
    }


def _handler_for(idp: IdentityProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path).path.strip("/").split("/")
            if len(parts) == 4 and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
                self._answer(*idp.openid_configuration(parts[0]))
            else:
                self._answer(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            with idp.lock:
                idp.state.bodies.append(body)
            form = {k: v[0] for k, v in parse_qs(body).items()}
            basic = None
            header = self.headers.get("Authorization", "")
            if header.startswith("Basic "):
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
                basic = (user, password)
            self._answer(*idp.token(urlsplit(self.path).path, form, basic))

    return Handler


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) for localhost / 127.0.0.1."""
    now = dt.datetime.now(dt.UTC)
    ca_key = _private_key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test identity provider CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = _private_key()
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOOPBACK))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(_pem(key))
    return paths


# ---- SMTP with AUTH XOAUTH2 / OAUTHBEARER ------------------------------------------------------------


class _LongAuthSMTP(SMTPServer):
    """aiosmtpd's limits (1001-byte lines, 512-byte commands) are too small for AUTH with a token."""

    line_length_limit = 32768

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits: defaultdict[str, int] = defaultdict(lambda: 512)
        limits["AUTH"] = 32768
        self.command_size_limits = limits


class _TokenController(_PortZeroController):
    def factory(self) -> SMTPServer:
        return _LongAuthSMTP(self.handler, **self.SMTP_kwargs)


class _TokenHandler(_SinkHandler):
    """Records mail like the plain sink, after AUTH with a token valid for the login name."""

    def __init__(self, authority: TokenAuthority) -> None:
        super().__init__()
        self.authority = authority
        self.logins: list[tuple[str, str]] = []  # (mechanism, user) of accepted logins
        self.refusals_seen: list[str] = []  # why tokens were refused
        self.smtp_auth_disabled: set[str] = set()  # mailboxes answered 535 5.7.139 (Exchange)

    async def auth_XOAUTH2(self, server: SMTPServer, args: list[str]) -> AuthResult:  # noqa: N802
        return await self._token_login(server, args, "XOAUTH2")

    async def auth_OAUTHBEARER(self, server: SMTPServer, args: list[str]) -> AuthResult:  # noqa: N802
        return await self._token_login(server, args, "OAUTHBEARER")

    async def _token_login(self, server: SMTPServer, args: list[str], mechanism: str) -> AuthResult:
        if len(args) > 1:
            raw = base64.b64decode(args[1])
        else:
            answer = await server.challenge_auth("")
            if not isinstance(answer, bytes):
                return AuthResult(success=False, handled=True)
            raw = answer
        user, token = _parse_sasl(raw.decode("utf-8", "replace"), mechanism)
        with self.lock:
            disabled = user.lower() in self.smtp_auth_disabled
        if disabled:
            return AuthResult(
                success=False,
                handled=False,
                message="535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is"
                " disabled for the Mailbox.",
            )
        problem = self.authority.validate(token, user) if token else "no token"
        if problem:
            with self.lock:
                self.refusals_seen.append(problem)
            status = {"status": "401", "schemes": "bearer", "scope": "mail"}
            await server.challenge_auth(json.dumps(status).encode())
            return AuthResult(
                success=False, handled=False, message="535 5.7.8 Authentication credentials invalid"
            )
        with self.lock:
            self.logins.append((mechanism, user))
        return AuthResult(success=True, auth_data=SimpleNamespace(login=user))


def _parse_sasl(text: str, mechanism: str) -> tuple[str, str]:
    """(user, token) of an XOAUTH2 or OAUTHBEARER initial response."""
    user = token = ""
    fields = text.split("\x01")
    if mechanism == "OAUTHBEARER":
        head = fields[0].split(",")
        user = next((part[2:] for part in head if part.startswith("a=")), "")
        fields = fields[1:]
    for item in fields:
        if item.startswith("user="):
            user = item[5:]
        elif item.startswith("auth=Bearer "):
            token = item[len("auth=Bearer ") :]
    return user, token


class OAuthSmtpSink(SmtpSink):
    """SmtpSink that requires AUTH XOAUTH2 / OAUTHBEARER with a token the authority signed."""

    def __init__(self, authority: TokenAuthority) -> None:
        super().__init__()
        self._handler = _TokenHandler(authority)

    @property
    def handler(self) -> _TokenHandler:
        assert isinstance(self._handler, _TokenHandler)
        return self._handler

    def start(self) -> None:
        with warnings.catch_warnings():
            # AUTH without TLS is what this loopback test server is for; aiosmtpd warns about it.
            warnings.simplefilter("ignore", UserWarning)
            self._start_controller()

    def _start_controller(self) -> None:
        controller = _TokenController(
            self._handler,
            hostname=LOOPBACK,
            port=0,
            server_hostname="localhost",
            enable_SMTPUTF8=True,
            auth_required=True,
            auth_require_tls=False,  # loopback test server; the daemon's default is TLS
        )
        controller.start()
        self._controller = controller
        self.port = controller.port
