"""What identity providers and mail servers answer, as one line saying what to fix (pure).

The codes are the ones people meet setting up app-only access to a shared mailbox: Entra ID's
AADSTS numbers, Google's OAuth errors, Exchange Online's IMAP/SMTP refusals. Descriptions coming
from a server are shortened and never contain our secret (it is never sent back); the secret
itself is never part of any message built here.
"""

from __future__ import annotations

import re

_ENTRA_APP = "Entra ID > App registrations > your app"
_EXCHANGE_SCOPE = "https://outlook.office365.com/.default"

# AADSTS code -> (what happened, the fix). {where} is the config section, e.g. [mailbox.oauth2].
_ENTRA: dict[str, tuple[str, str]] = {
    "7000222": (
        "the client secret has expired",
        f"create a new secret in {_ENTRA_APP} > Certificates & secrets and put its Value in {{secret}}",
    ),
    "7000215": (
        "the client secret is wrong",
        "put the secret's Value (not its Secret ID) in {secret}",
    ),
    "700016": (
        "no application with this client id in the tenant (wrong tenant or client id)",
        "check {where} tenant (Directory (tenant) ID) and client_id (Application (client) ID) on"
        f" the app's Overview page in {_ENTRA_APP}",
    ),
    "90002": (
        "the tenant does not exist",
        "set {where} tenant to the Directory (tenant) ID or the organisation's primary domain",
    ),
    "900023": (
        "the tenant is not a valid tenant id or domain",
        "set {where} tenant to the Directory (tenant) ID or the organisation's primary domain",
    ),
    "65001": (
        "admin consent has not been granted",
        f"in {_ENTRA_APP} > API permissions, press Grant admin consent (IMAP.AccessAsApp,"
        " SMTP.SendAsApp of Office 365 Exchange Online)",
    ),
    "650057": (
        "the app has no such API permission",
        f"add IMAP.AccessAsApp and SMTP.SendAsApp (Office 365 Exchange Online, Application"
        f" permissions) in {_ENTRA_APP} > API permissions and grant admin consent",
    ),
    "7000112": ("the application is disabled", "enable it in Entra ID > Enterprise applications"),
    "700024": (
        "the client assertion is outside its valid time range: this machine's clock is off",
        "synchronise the clock (e.g. timedatectl set-ntp true)",
    ),
    "700027": (
        "the certificate's signature is not accepted (certificate not uploaded to the app, or another one)",
        f"upload the certificate of {{where}} certificate_file in {_ENTRA_APP} > Certificates & secrets",
    ),
    "70011": ("the scope is invalid", f'set {{where}} scope = "{_EXCHANGE_SCOPE}" (or leave it out)'),
    "1002012": ("the scope is invalid", f'set {{where}} scope = "{_EXCHANGE_SCOPE}" (or leave it out)'),
    "500011": (
        "Exchange Online is not known in this tenant (wrong scope or tenant)",
        f'check {{where}} tenant and scope = "{_EXCHANGE_SCOPE}"',
    ),
    "53003": (
        "a Conditional Access policy blocks the app",
        "exclude the app (service principal) from the policy or allow this machine's address",
    ),
}

_GOOGLE: list[tuple[str, str, str]] = [
    # (text in error + description, what happened, the fix)
    (
        "unauthorized_client",
        "the service account is not allowed to act for the mailbox (domain-wide delegation missing)",
        "in the Google Admin console > Security > API controls > Domain-wide delegation, add the"
        " service account's client ID with the scope https://mail.google.com/",
    ),
    (
        "invalid email or user id",
        "the mailbox to act as does not exist in the Workspace domain",
        "set {where} subject (or [mailbox] username) to the mailbox's address in the domain",
    ),
    (
        "timeframe",
        "the signed request is outside its valid time: this machine's clock is off",
        "synchronise the clock (e.g. timedatectl set-ntp true)",
    ),
    (
        "invalid jwt signature",
        "the service account key is no longer valid (deleted or disabled)",
        "create a new key for the service account and point {where} key_file at it",
    ),
    (
        "invalid_grant",
        "Google refused the service account's request",
        "check the service account key in {where} key_file, the subject and domain-wide delegation",
    ),
]

_GENERIC: dict[str, tuple[str, str]] = {
    "invalid_client": (
        "the identity provider does not accept the client (wrong client id or secret, or the"
        " client was revoked)",
        "check {where} client_id and the secret in {secret}",
    ),
    "invalid_grant": (
        "the refresh token is expired or revoked",
        "sign in again to get a new refresh token and put it where {where} refresh_token_env /"
        " refresh_token_file says",
    ),
    "unauthorized_client": (
        "the client may not use this grant",
        "allow the client-credentials (or refresh-token) grant for the client at the identity provider",
    ),
    "invalid_scope": ("the scope is not accepted", "check {where} scope"),
}


def token_refusal(
    kind: str, where: str, error: str, description: str, status: int = 0, secret: str = ""
) -> str:
    """The identity provider refused to issue a token; `secret` says where the secret is kept
    (e.g. "the environment variable M365_SECRET"), never what it is."""
    secret = secret or f"{where} client_secret_env"
    detail = _short(f"{error}: {description}" if description else error or f"HTTP {status}")
    if kind == "microsoft":
        for code in re.findall(r"AADSTS(\d+)", description):
            if code in _ENTRA:
                what, fix = _ENTRA[code]
                fix = fix.format(where=where, secret=secret)
                return f"{where}: Microsoft refused the token: {what}; fix: {fix} ({detail})"
    if kind == "google":
        text = f"{error} {description}".lower()
        for marker, what, fix in _GOOGLE:
            if marker in text:
                fix = fix.format(where=where, secret=secret)
                return f"{where}: Google refused the token: {what}; fix: {fix} ({detail})"
    if error in _GENERIC:
        what, fix = _GENERIC[error]
        fix = fix.format(where=where, secret=secret)
        return f"{where}: the token was refused: {what}; fix: {fix} ({detail})"
    return f"{where}: the identity provider refused the token ({detail}); fix: check {where}"


def token_unreachable(where: str, url: str, problem: str) -> str:
    return (
        f"{where}: cannot reach the identity provider at {url} ({_short(problem)}); fix: check the"
        " network or proxy; mail waits and goes out when it answers"
    )


def server_refusal(kind: str, protocol: str, reply: str, username: str, client_id: str) -> str:
    """A token was issued, but the IMAP or SMTP server refused it for this mailbox."""
    section = "[mailbox]" if protocol == "IMAP" else "[sending]"
    detail = _short(reply)
    text = reply.lower()
    if protocol == "IMAP" and "imap" in text and "disabled" in text:
        where_to = (
            f"Set-CASMailbox -Identity {username} -ImapEnabled $true"
            if kind == "microsoft"
            else "allow IMAP in the Admin console (Apps > Google Workspace > Gmail > End user access)"
            if kind == "google"
            else "enable IMAP for the mailbox on the server"
        )
        return f"{section}: IMAP is disabled for {username}; fix: {where_to} ({detail})"
    if kind == "microsoft":
        if protocol == "SMTP" and ("5.7.139" in text or "smtpclientauthentication" in text):
            return (
                f"{section}: SMTP AUTH is disabled for {username} or the tenant; fix: in Exchange"
                f" Online PowerShell run Set-CASMailbox -Identity {username}"
                " -SmtpClientAuthenticationDisabled $false (and check the tenant-wide setting in"
                f" Set-TransportConfig) ({detail})"
            )
        return (
            f"{section}: Microsoft issued the token but {protocol} refused it for {username}"
            ' ("authenticated but not connected"); fix: register the app in Exchange Online'
            f" (New-ServicePrincipal -AppId {client_id or '<client id>'} -ObjectId <enterprise"
            f" app object id>) and give it this mailbox only (Add-MailboxPermission -Identity"
            f" {username} -User <service principal id> -AccessRights FullAccess"
            + (
                "; for SMTP also enable SMTP AUTH for the mailbox and grant SMTP.SendAsApp"
                if protocol == "SMTP"
                else "; IMAP must be enabled for the mailbox"
            )
            + f"); changes take up to an hour to apply ({detail})"
        )
    if kind == "google":
        return (
            f"{section}: Google issued the token but {protocol} refused it for {username}; fix:"
            " check that the service account's domain-wide delegation has the scope"
            f" https://mail.google.com/ and that {protocol} is allowed for the mailbox in the"
            f" Admin console ({detail})"
        )
    return (
        f"{section}: the {protocol} server refused the token for {username}; fix: check that"
        f" {section} username is the mailbox the token is for and that the token's audience and"
        f" scope are what the server expects ({detail})"
    )


def _short(text: str, limit: int = 240) -> str:
    """First line of a provider's description (Entra's carry trace ids and timestamps)."""
    first = " ".join(text.split("\r\n")[0].split())
    return first if len(first) <= limit else first[: limit - 1] + "…"
