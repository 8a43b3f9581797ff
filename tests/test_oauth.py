"""Microsoft 365, Google Workspace and generic OAuth2 mailboxes (issue 13), end to end.

Dovecot validates the bearer tokens itself (oauth2 passdb, local JWT validation) and so does the
SMTP server; the only stand-in is the identity provider's HTTPS token endpoint, which msal and
google-auth really talk to (tests/oauth_servers.py). The daemon runs as the real CLI.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults import (
    MEETING,
    REPO,
    Rig,
    append_all,
    folder_count,
    reply,
    sender,
    sent,
    wait_until,
)
from oauth_servers import IdentityProvider, OAuthDovecot, OAuthSmtpSink, TokenAuthority
from servers import ImapUser

TENANT = "contoso-tenant-id"
CLIENT_ID = "verkosto-app"
SECRET_ENV = "TEST_OAUTH_CLIENT_SECRET"


@pytest.fixture(scope="module")
def authority() -> TokenAuthority:
    return TokenAuthority()


@pytest.fixture(scope="module")
def oauth_dovecot(authority: TokenAuthority) -> Iterator[OAuthDovecot]:
    server = OAuthDovecot.start_with(authority)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def idp(authority: TokenAuthority) -> Iterator[IdentityProvider]:
    provider = IdentityProvider(authority)
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def oauth_sink(authority: TokenAuthority) -> Iterator[OAuthSmtpSink]:
    sink = OAuthSmtpSink(authority)
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def mailbox(oauth_dovecot: OAuthDovecot) -> ImapUser:
    """The shared mailbox. Its PLAIN password is only for the test's own look into it (another
    mail client); the daemon's config has none and logs in with tokens only."""
    name = f"verkosto-{secrets.token_hex(4)}"
    password = secrets.token_hex(8)
    maildir = oauth_dovecot.add_user(name, password)
    return ImapUser(oauth_dovecot.host, oauth_dovecot.port, name, password, maildir)


def _oauth_table(provider: str, idp: IdentityProvider, root: Path, mechanism: str) -> str:
    common = f'ca_file = "{idp.ca_file}"\n' + (f'mechanism = "{mechanism}"\n' if mechanism else "")
    if provider == "microsoft":
        return (
            f'provider = "microsoft"\ntenant = "{TENANT}"\nclient_id = "{CLIENT_ID}"\n'
            f'client_secret_env = "{SECRET_ENV}"\nauthority_host = "{idp.base}"\n' + common
        )
    if provider == "google":
        return 'provider = "google"\nkey_file = "service-account.json"\n' + common
    return (
        f'provider = "generic"\ntoken_url = "{idp.base}/generic/token"\nclient_id = "{CLIENT_ID}"\n'
        'refresh_token_file = "refresh-token"\n' + common
    )


def _rig(
    root: Path,
    mailbox: ImapUser,
    sink: OAuthSmtpSink,
    idp: IdentityProvider,
    provider: str = "microsoft",
    *,
    mechanism: str = "",
    tenant: str = TENANT,
) -> tuple[Rig, str]:
    """A config logging in to both servers with tokens from `provider`; returns the rig and the
    secret that must never show anywhere."""
    root.mkdir(exist_ok=True)
    secret = idp.register(CLIENT_ID, mailbox.username, tenant)
    if provider == "google":
        key = idp.service_account("verkosto@project.iam.gserviceaccount.com", f"{idp.base}/google/token")
        (root / "service-account.json").write_text(json.dumps(key))
        secret = key["private_key"].splitlines()[1]  # a line of the private key
    elif provider == "generic":
        secret = idp.refresh_token(CLIENT_ID)
        (root / "refresh-token").write_text(secret + "\n")
    (root / "contacts.csv").write_text("email,name,organisation,language\n", encoding="utf-8")
    table = _oauth_table(provider, idp, root, mechanism)
    if tenant != TENANT:
        table = table.replace(f'tenant = "{TENANT}"', f'tenant = "{tenant}"')
    config = root / "config.toml"
    config.write_text(
        f"""
[network]
address = "verkosto@example.org"

[mailbox]
kind = "imap"
host = "{mailbox.host}"
port = {mailbox.port}
username = "{mailbox.username}"
security = "none"
handled_folder = "Handled"
attention_folder = "Attention"
poll_seconds = 1

[mailbox.oauth2]
{table}
[sending]
kind = "smtp"
host = "{sink.host}"
port = {sink.port}
security = "none"
oauth2 = "mailbox"

[schedule]
outbox_seconds = 1

[templates]
directory = "{REPO / "templates"}"

[[meetings]]
code = "{MEETING}"
start = 2024-03-12T09:00:00
end = 2024-03-12T12:00:00
registration_deadline = 2024-02-22
place = "Kuntatalo"
theme = "Tekoäly"
""",
        encoding="utf-8",
    )
    env = dict(os.environ)
    env.pop("TEST_IMAP_PASSWORD", None)
    if provider == "microsoft":
        env[SECRET_ENV] = secret
    return Rig(root, mailbox, sink, config, env), secret


def _assert_no_leak(secret: str, idp: IdentityProvider, *texts: str) -> None:
    """Neither the secret nor any issued token appears in what people see."""
    assert secret
    for text in texts:
        assert secret not in text, "the secret appeared in the output/log"
        assert "eyJ" not in text, "an access token (JWT) appeared in the output/log"


def _mechanisms(server: OAuthDovecot, user: str) -> set[str]:
    return {m for m in server.token_logins(user) if m not in ("PLAIN", "LOGIN")}


# ---- reading and sending with tokens -----------------------------------------------------------------


def test_a_microsoft_365_mailbox_is_read_and_answered_with_tokens(
    tmp_path: Path,
    mailbox: ImapUser,
    oauth_sink: OAuthSmtpSink,
    idp: IdentityProvider,
    oauth_dovecot: OAuthDovecot,
) -> None:
    rig, secret = _rig(tmp_path, mailbox, oauth_sink, idp)
    append_all(mailbox, [reply(1)])
    result = rig.cli("-v", "run", "--once")
    assert "1 new message" in result.out, result
    assert [m.recipient for m in sent(oauth_sink)] == [sender(1)], result
    assert [r["email"] for r in rig.registrations()] == [sender(1)]
    assert folder_count(mailbox, "Handled") == 1
    # Both servers checked the token themselves; Dovecot offers OAUTHBEARER, so it was chosen.
    assert _mechanisms(oauth_dovecot, mailbox.username) == {"OAUTHBEARER"}
    assert oauth_sink.handler.logins == [("OAUTHBEARER", mailbox.username)]
    # One token from Entra ID served IMAP and SMTP (same app, same scope).
    assert [(i.grant, i.mailbox) for i in idp.issued()] == [("client_credentials", mailbox.username)]
    _assert_no_leak(secret, idp, result.out, result.err)


def test_a_certificate_instead_of_a_secret_signs_the_token_request(
    tmp_path: Path, mailbox: ImapUser, oauth_sink: OAuthSmtpSink, idp: IdentityProvider
) -> None:
    rig, _ = _rig(tmp_path, mailbox, oauth_sink, idp)
    pem = idp.register_certificate("verkosto-cert-app", mailbox.username, TENANT)
    (tmp_path / "m365.pem").write_text(pem)
    text = rig.config.read_text().replace(f'client_id = "{CLIENT_ID}"', 'client_id = "verkosto-cert-app"')
    rig.config.write_text(
        text.replace(f'client_secret_env = "{SECRET_ENV}"', 'certificate_file = "m365.pem"')
    )
    append_all(mailbox, [reply(1)])
    result = rig.cli("-v", "run", "--once")
    assert [m.recipient for m in sent(oauth_sink)] == [sender(1)], result
    assert [i.mailbox for i in idp.issued()] == [mailbox.username]
    key_line = pem.splitlines()[1]
    assert not any(key_line in body for body in idp.request_bodies())  # only a signature travels
    assert key_line not in result.out + result.err and "eyJ" not in result.out + result.err

    # The certificate was never uploaded to the app: Entra ID says so, and so do we.
    idp.state.clients["verkosto-cert-app"].certificates.clear()
    check = rig.query("check", "--connect", expect=2)
    assert "the certificate's signature is not accepted" in check.err, check
    assert "fix: upload the certificate of [mailbox.oauth2] certificate_file" in check.err, check


def test_a_google_workspace_mailbox_uses_the_service_account_as_the_mailbox(
    tmp_path: Path,
    mailbox: ImapUser,
    oauth_sink: OAuthSmtpSink,
    idp: IdentityProvider,
    oauth_dovecot: OAuthDovecot,
) -> None:
    rig, secret = _rig(tmp_path, mailbox, oauth_sink, idp, "google", mechanism="xoauth2")
    append_all(mailbox, [reply(1)])
    result = rig.cli("-v", "run", "--once")
    assert [m.recipient for m in sent(oauth_sink)] == [sender(1)], result
    assert _mechanisms(oauth_dovecot, mailbox.username) == {"XOAUTH2"}
    assert oauth_sink.handler.logins == [("XOAUTH2", mailbox.username)]
    # Domain-wide delegation: the token is for the subject, the mailbox.
    issued = idp.issued()
    assert [(i.grant, i.mailbox) for i in issued] == [
        ("urn:ietf:params:oauth:grant-type:jwt-bearer", mailbox.username)
    ]
    _assert_no_leak(secret, idp, result.out, result.err)


def test_a_generic_token_endpoint_with_a_refresh_token_passes_the_connection_check(
    tmp_path: Path, mailbox: ImapUser, oauth_sink: OAuthSmtpSink, idp: IdentityProvider
) -> None:
    rig, secret = _rig(tmp_path, mailbox, oauth_sink, idp, "generic")
    result = rig.cli("check", "--connect", expect=2)  # folders are missing: named, not created
    assert "ok: [sending]" in result.out, result
    assert "[mailbox] handled_folder" in result.err, result
    assert "refused" not in result.err, result
    assert oauth_sink.messages == []  # the check sends nothing
    _assert_no_leak(secret, idp, result.out, result.err)


def test_a_generic_token_endpoint_with_client_credentials_in_http_basic(
    tmp_path: Path, mailbox: ImapUser, oauth_sink: OAuthSmtpSink, idp: IdentityProvider
) -> None:
    rig, _ = _rig(tmp_path, mailbox, oauth_sink, idp, "generic")
    secret = idp.register(CLIENT_ID, mailbox.username)  # a new secret for the same client
    text = rig.config.read_text().replace(
        'refresh_token_file = "refresh-token"', f'client_secret_env = "{SECRET_ENV}"\nclient_auth = "basic"'
    )
    rig.config.write_text(text)
    rig.env[SECRET_ENV] = secret
    append_all(mailbox, [reply(1)])
    result = rig.cli("run", "--once")
    assert [m.recipient for m in sent(oauth_sink)] == [sender(1)], result
    assert [(i.grant, i.mailbox) for i in idp.issued()] == [("client_credentials", mailbox.username)]
    assert not any(secret in body for body in idp.request_bodies())  # in the header, not the form
    _assert_no_leak(secret, idp, result.out, result.err)

    rig.env[SECRET_ENV] = "revoked"
    check = rig.query("check", "--connect", expect=2)
    assert (
        "[mailbox.oauth2]: the token was refused: the identity provider does not accept the client"
        in check.err
    ), check
    assert (
        f"fix: check [mailbox.oauth2] client_id and the secret in the environment variable {SECRET_ENV}"
        in (check.err)
    ), check


def test_a_token_the_server_refuses_is_renewed_once_and_the_mail_still_goes(
    tmp_path: Path,
    mailbox: ImapUser,
    oauth_sink: OAuthSmtpSink,
    idp: IdentityProvider,
    oauth_dovecot: OAuthDovecot,
) -> None:
    rig, _ = _rig(tmp_path, mailbox, oauth_sink, idp)
    append_all(mailbox, [reply(1)])
    before = oauth_dovecot.log_text().count("Bad signature")
    idp.sign_next_with_rogue_key(1)  # e.g. keys rotated at the provider: the first token is bad
    result = rig.cli("run", "--once")
    assert [m.recipient for m in sent(oauth_sink)] == [sender(1)], result
    assert oauth_dovecot.log_text().count("Bad signature") == before + 1  # refused by Dovecot itself
    assert "refused" not in result.out + result.err, result  # the user notices nothing
    assert len(idp.issued()) == 2


# ---- tokens expiring while the daemon runs -----------------------------------------------------------


def test_tokens_expiring_mid_run_are_renewed_without_losing_or_repeating_mail(
    tmp_path: Path,
    mailbox: ImapUser,
    oauth_sink: OAuthSmtpSink,
    idp: IdentityProvider,
    oauth_dovecot: OAuthDovecot,
) -> None:
    rig, secret = _rig(tmp_path, mailbox, oauth_sink, idp)
    idp.set_lifetime(3)  # seconds: every send batch and reconnect below needs a new one
    daemon = rig.spawn("run")
    try:
        append_all(mailbox, [reply(1)])
        oauth_sink.wait_for(1, timeout=30)
        time.sleep(4)  # the token has expired; the IDLE connection stays open
        append_all(mailbox, [reply(2)])
        oauth_sink.wait_for(2, timeout=30)  # the SMTP batch got a fresh token
        time.sleep(4)
        # Exchange Online ends a session whose token expired (BYE ... AccessTokenExpired): the
        # daemon must log in again, with a new token, and pick up what arrives.
        oauth_dovecot.restart()
        append_all(mailbox, [reply(3)])
        oauth_sink.wait_for(3, timeout=30)
        wait_until(lambda: folder_count(mailbox, "Handled") == 3, 20, "all three filed")
        assert daemon.stop() == 0
    finally:
        daemon.kill()
    log = daemon.log.read_text()
    recipients = [m.recipient for m in sent(oauth_sink)]
    assert sorted(recipients) == sorted(sender(i) for i in (1, 2, 3)), log[-3000:]
    assert folder_count(mailbox, "INBOX") == 0
    # Renewed ahead of expiry: no server ever saw an expired or refused token.
    assert oauth_sink.handler.refusals_seen == []
    assert "Token has expired" not in oauth_dovecot.log_text()
    assert len(idp.issued()) >= 3, idp.issued()
    assert "refused" not in log, log[-3000:]
    _assert_no_leak(secret, idp, log)


# ---- refusals translated into what to fix ------------------------------------------------------------


def test_a_revoked_client_is_explained_in_check_status_and_run_and_recovers(
    tmp_path: Path, mailbox: ImapUser, oauth_sink: OAuthSmtpSink, idp: IdentityProvider
) -> None:
    rig, secret = _rig(tmp_path, mailbox, oauth_sink, idp)
    append_all(mailbox, [reply(1)])
    idp.refuse(
        401,
        "invalid_client",
        "AADSTS7000222: The provided client secret keys for app 'verkosto-app' are expired. Visit"
        " the Azure portal to create new keys for your app.\r\nTrace ID: 1\r\nCorrelation ID: 2",
    )
    expected = (
        "[mailbox.oauth2]: Microsoft refused the token: the client secret has expired;"
        " fix: create a new secret"
    )
    check = rig.query("check", "--connect", expect=2)
    lines = [line for line in check.err.splitlines() if expected in line]
    assert len(lines) == 2, check  # the mailbox and the SMTP server, one line each
    assert "Certificates & secrets" in lines[0] and SECRET_ENV in lines[0], lines
    status = rig.query("status", expect=1)
    assert f"MAILBOX UNREACHABLE: {expected}" in status.out, status
    run = rig.cli("run", "--once", expect=1)
    assert expected in run.out, run
    assert "Traceback" not in run.out + run.err
    assert folder_count(mailbox, "INBOX") == 1 and oauth_sink.messages == []  # nothing lost or sent
    _assert_no_leak(secret, idp, check.out, check.err, status.out, run.out, run.err)

    idp.allow()  # a new secret was made (the same one here: the endpoint accepts it again)
    rig.cli("run", "--once")
    assert [m.recipient for m in sent(oauth_sink)] == [sender(1)]
    assert rig.query("status", expect=0).code == 0


def test_a_running_daemon_that_loses_access_logs_why_and_recovers_by_itself(
    tmp_path: Path,
    mailbox: ImapUser,
    oauth_sink: OAuthSmtpSink,
    idp: IdentityProvider,
    oauth_dovecot: OAuthDovecot,
) -> None:
    rig, secret = _rig(tmp_path, mailbox, oauth_sink, idp)
    idp.set_lifetime(2)  # the daemon needs a new token for every reconnect
    daemon = rig.spawn("run")
    try:
        append_all(mailbox, [reply(1)])
        oauth_sink.wait_for(1, timeout=30)
        # The client's secret revoked (a 401: msal holds 400 answers for a minute by design)
        idp.refuse(401, "invalid_client", "AADSTS7000222: The provided client secret keys are expired.")
        time.sleep(2.5)  # the token ran out
        oauth_dovecot.restart()  # the session ends (as Exchange ends it): a new token is needed
        append_all(mailbox, [reply(2)])
        expected = "[mailbox.oauth2]: Microsoft refused the token: the client secret has expired"
        wait_until(lambda: expected in daemon.log.read_text(), 30, "the translated refusal in the log")
        status = rig.query("status", expect=1)
        assert f"MAILBOX UNREACHABLE: {expected}" in status.out, status
        idp.allow()  # a new secret: the daemon picks up by itself, after its backoff
        oauth_sink.wait_for(2, timeout=60)
        wait_until(lambda: folder_count(mailbox, "Handled") == 2, 20, "both filed")
        assert daemon.stop() == 0
    finally:
        daemon.kill()
    log = daemon.log.read_text()
    assert sorted(m.recipient for m in sent(oauth_sink)) == [sender(1), sender(2)], log[-3000:]
    assert "Traceback" not in log
    _assert_no_leak(secret, idp, log, status.out)


@pytest.mark.parametrize(
    ("status", "error", "description", "expected"),
    [
        (
            400,
            "invalid_grant",
            "AADSTS65001: The user or administrator has not consented to use the application.",
            "admin consent has not been granted; fix: in Entra ID > App registrations > your app >"
            " API permissions, press Grant admin consent",
        ),
        (
            400,
            "invalid_client",
            "AADSTS700024: Client assertion is not within its valid time range.",
            "the client assertion is outside its valid time range: this machine's clock is off; fix:"
            " synchronise the clock",
        ),
        (
            400,
            "unauthorized_client",
            "AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.",
            "no application with this client id in the tenant (wrong tenant or client id); fix: check"
            " [mailbox.oauth2] tenant (Directory (tenant) ID) and client_id",
        ),
    ],
)
def test_entra_id_refusals_say_what_to_fix(
    tmp_path: Path,
    mailbox: ImapUser,
    oauth_sink: OAuthSmtpSink,
    idp: IdentityProvider,
    status: int,
    error: str,
    description: str,
    expected: str,
) -> None:
    rig, secret = _rig(tmp_path, mailbox, oauth_sink, idp)
    idp.refuse(status, error, description)
    check = rig.query("check", "--connect", expect=2)
    assert f"[mailbox.oauth2]: Microsoft refused the token: {expected}" in check.err, check
    assert len(check.err.strip().splitlines()) == 2, check  # one line per server, no traceback
    _assert_no_leak(secret, idp, check.out, check.err)


def test_a_wrong_secret_and_a_wrong_tenant_are_told_apart(
    tmp_path: Path, mailbox: ImapUser, oauth_sink: OAuthSmtpSink, idp: IdentityProvider
) -> None:
    rig, secret = _rig(tmp_path / "secret", mailbox, oauth_sink, idp)
    rig.env[SECRET_ENV] = "the-secret-id-not-its-value"
    check = rig.query("check", "--connect", expect=2)
    expected = (
        "the client secret is wrong; fix: put the secret's Value (not its Secret ID) in the"
        f" environment variable {SECRET_ENV}"
    )
    assert expected in check.err, check
    assert "the-secret-id-not-its-value" not in check.out + check.err

    other, _ = _rig(tmp_path / "tenant", mailbox, oauth_sink, idp, tenant="fabrikam-tenant-id")
    idp.state.tenants.discard("fabrikam-tenant-id")  # the app lives in another tenant
    check = other.query("check", "--connect", expect=2)
    assert "Microsoft does not know the tenant 'fabrikam-tenant-id'" in check.err, check
    assert "fix: set [mailbox.oauth2] tenant to the Directory (tenant) ID" in check.err, check


def test_a_token_for_an_app_without_mailbox_permission_is_authenticated_but_not_connected(
    tmp_path: Path,
    mailbox: ImapUser,
    oauth_sink: OAuthSmtpSink,
    idp: IdentityProvider,
    oauth_dovecot: OAuthDovecot,
) -> None:
    rig, secret = _rig(tmp_path, mailbox, oauth_sink, idp)
    idp.grant_mailbox(CLIENT_ID, "someone-else")  # Add-MailboxPermission was never run for ours
    check = rig.query("check", "--connect", expect=2)
    imap_line = next(line for line in check.err.splitlines() if "[mailbox]:" in line)
    assert "Microsoft issued the token but IMAP refused it" in imap_line, check
    assert '"authenticated but not connected"' in imap_line
    assert f"New-ServicePrincipal -AppId {CLIENT_ID}" in imap_line
    assert f"Add-MailboxPermission -Identity {mailbox.username}" in imap_line
    assert "[sending]: Microsoft issued the token but SMTP refused it" in check.err, check
    # Dovecot's own check of the token's mailbox claim
    assert f"Username '{mailbox.username}' did not match 'someone-else'" in oauth_dovecot.log_text()
    # Refused, renewed once, refused again: two tokens per server, then the explanation.
    assert len(idp.issued()) == 4, idp.issued()
    _assert_no_leak(secret, idp, check.out, check.err)


def test_smtp_auth_disabled_for_the_mailbox_names_the_exchange_setting(
    tmp_path: Path, mailbox: ImapUser, oauth_sink: OAuthSmtpSink, idp: IdentityProvider
) -> None:
    rig, _ = _rig(tmp_path, mailbox, oauth_sink, idp)
    oauth_sink.handler.smtp_auth_disabled.add(mailbox.username)
    append_all(mailbox, [reply(1)])
    run = rig.cli("run", "--once", expect=1)  # paused sending is a failure a monitor must see
    status = rig.query("status", expect=1)
    expected = f"[sending]: SMTP AUTH is disabled for {mailbox.username} or the tenant; fix:"
    assert expected in status.out and "SmtpClientAuthenticationDisabled $false" in status.out, status
    assert "SENDING PAUSED" in status.out, status
    assert oauth_sink.messages == [] and "1 new message" in run.out  # read, answer waits
    oauth_sink.handler.smtp_auth_disabled.clear()
    rig.advance(minutes=20)  # past the pause's backoff
    rig.cli("run", "--once")
    assert [m.recipient for m in sent(oauth_sink)] == [sender(1)]


@pytest.mark.parametrize("table", ["copied", "own"])
def test_the_alert_route_logs_in_with_tokens_too(
    tmp_path: Path,
    mailbox: ImapUser,
    oauth_sink: OAuthSmtpSink,
    idp: IdentityProvider,
    authority: TokenAuthority,
    table: str,
) -> None:
    """SMTP AUTH switched off for the mailbox on the usual route: the coordinator hears of it by
    the [alerts] route (another relay), which logs in with the same app's token: `oauth2 =
    "mailbox"`, or an [alerts.oauth2] table of its own."""
    rig, secret = _rig(tmp_path, mailbox, oauth_sink, idp)
    with OAuthSmtpSink(authority) as relay:
        text = rig.config.read_text().replace(
            '[network]\naddress = "verkosto@example.org"\n',
            '[network]\naddress = "verkosto@example.org"\ncoordinator = "koordinaattori@example.org"\n',
        )
        route = f'\n[alerts]\nhost = "{relay.host}"\nport = {relay.port}\nsecurity = "none"\n'
        route += f'username = "{mailbox.username}"\n'
        if table == "copied":
            route += 'oauth2 = "mailbox"\n'
        else:
            route += "\n[alerts.oauth2]\n" + _oauth_table("microsoft", idp, tmp_path, "xoauth2")
        rig.config.write_text(text + route)
        oauth_sink.handler.smtp_auth_disabled.add(mailbox.username)
        append_all(mailbox, [reply(1)])
        run = rig.cli("run", "--once", expect=1)
        [alert] = relay.wait_for(1)
        assert alert.envelope_to == ["koordinaattori@example.org"], run
        assert relay.handler.logins == [("XOAUTH2" if table == "own" else "OAUTHBEARER", mailbox.username)]
        assert oauth_sink.messages == []
        _assert_no_leak(secret, idp, run.out, run.err, alert.data.decode())


def test_google_without_domain_wide_delegation_says_where_to_grant_it(
    tmp_path: Path, mailbox: ImapUser, oauth_sink: OAuthSmtpSink, idp: IdentityProvider
) -> None:
    rig, secret = _rig(tmp_path, mailbox, oauth_sink, idp, "google")
    for account in idp.state.accounts.values():
        account.delegated = False
    check = rig.query("check", "--connect", expect=2)
    assert "Google refused the token: the service account is not allowed to act for the mailbox" in check.err
    assert "Domain-wide delegation" in check.err and "https://mail.google.com/" in check.err, check
    _assert_no_leak(secret, idp, check.out, check.err)


def test_a_clock_that_is_off_is_named_as_the_cause(
    tmp_path: Path, mailbox: ImapUser, oauth_sink: OAuthSmtpSink, idp: IdentityProvider
) -> None:
    """Signed requests (Google's service account, Entra ID certificates) carry our time."""
    rig, _ = _rig(tmp_path, mailbox, oauth_sink, idp, "google")
    idp.state.clock_offset = 2 * 3600.0  # this machine is two hours behind
    check = rig.query("check", "--connect", expect=2)
    assert (
        "Google refused the token: the signed request is outside its valid time: this machine's" in check.err
    )
    assert "fix: synchronise the clock" in check.err, check
    idp.state.clock_offset = 0.0
    assert "ok: [sending]" in rig.query("check", "--connect", expect=2).out  # (folders missing)


def test_a_revoked_refresh_token_says_to_sign_in_again(
    tmp_path: Path, mailbox: ImapUser, oauth_sink: OAuthSmtpSink, idp: IdentityProvider
) -> None:
    rig, secret = _rig(tmp_path, mailbox, oauth_sink, idp, "generic")
    idp.state.refresh_tokens.clear()
    check = rig.query("check", "--connect", expect=2)
    assert "the refresh token is expired or revoked; fix: sign in again" in check.err, check
    _assert_no_leak(secret, idp, check.out, check.err)


# ---- configuration ---------------------------------------------------------------------------------


def test_config_names_the_missing_oauth2_key_and_the_missing_secret(
    tmp_path: Path, mailbox: ImapUser, oauth_sink: OAuthSmtpSink, idp: IdentityProvider
) -> None:
    rig, _ = _rig(tmp_path, mailbox, oauth_sink, idp)
    text = rig.config.read_text()
    rig.config.write_text(text.replace(f'tenant = "{TENANT}"\n', ""))
    result = rig.query("check", expect=2)
    assert (
        f'{rig.config}: [mailbox.oauth2] tenant: required for provider "microsoft"; fix: add it' in result.err
    )
    assert len(result.err.strip().splitlines()) == 1, result  # once, though [sending] shares it

    rig.config.write_text(text)
    del rig.env[SECRET_ENV]
    result = rig.query("check", expect=2)
    assert (
        f"[mailbox.oauth2] client_secret_env: environment variable {SECRET_ENV} is not set; fix: export it"
        in result.err
    ), result


def test_check_names_a_missing_secret_of_the_alert_route(
    tmp_path: Path, mailbox: ImapUser, oauth_sink: OAuthSmtpSink, idp: IdentityProvider
) -> None:
    """The alert route is used only when the usual one fails: `check` must find its faults first."""
    rig, _ = _rig(tmp_path, mailbox, oauth_sink, idp)
    table = _oauth_table("microsoft", idp, tmp_path, "").replace(SECRET_ENV, "TEST_ALERTS_SECRET")
    route = (
        f'\n[alerts]\nhost = "{oauth_sink.host}"\nport = {oauth_sink.port}\nusername = "{mailbox.username}"\n'
    )
    rig.config.write_text(rig.config.read_text() + route + "\n[alerts.oauth2]\n" + table)
    result = rig.query("check", expect=2)
    missing = "environment variable TEST_ALERTS_SECRET is not set; fix: export it"
    assert f"[alerts.oauth2] client_secret_env: {missing}" in result.err, result
    assert len(result.err.strip().splitlines()) == 1, result
    rig.env["TEST_ALERTS_SECRET"] = rig.env[SECRET_ENV]
    rig.query("check", expect=0)


def test_a_token_is_reused_while_it_has_life_left_and_renewed_before_it_ends() -> None:
    from automation.auth.tokens import Token, TokenProvider

    now = [0.0]
    issued: list[str] = []

    def fetch() -> Token:
        issued.append(f"token-{len(issued) + 1}")
        return Token(issued[-1], 3600.0)

    provider = TokenProvider("generic", fetch, clock=lambda: now[0])
    assert provider.token() == "token-1"
    now[0] = 3600 - 301  # more than five minutes left: the same token
    assert provider.token() == "token-1"
    now[0] = 3600 - 299  # less than five minutes left: renewed before it runs out
    assert provider.token() == "token-2"
    provider.invalidate()  # a server refused it
    assert provider.token() == "token-3"
