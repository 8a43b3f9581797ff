"""Bounces, the daily answer limit and forged senders: pure decisions on our own fixtures."""

from __future__ import annotations

from automation.model import Attention, Decision, RecordBounce, SendMail
from automation.parse.bounce import read_bounce
from automation.workflows.bounces import decide_bounce
from automation.workflows.guard import answered, authenticated, authentication_failed, limit_answers

OUR_ID = "invite.2024-03.4daae3dfec58.1@example.org"


def dsn(recipient: str, status: str, action: str = "failed") -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one."""
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.example.fi>
To: verkosto@example.org
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-{recipient}-{status}@mx.example.fi>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.fi

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}

--B
Content-Type: text/rfc822-headers

From: verkosto@example.org
To: {recipient}
Message-ID: <{OUR_ID}>
Subject: Kutsu

--B--
""".encode()


def test_a_dsn_names_the_recipient_and_our_message() -> None:
    bounce = read_bounce(dsn("poistunut@example.fi", "5.1.1"), "example.org")
    assert bounce.recipients == ("poistunut@example.fi",)
    assert bounce.permanent and bounce.message_ids == (OUR_ID,)
    delayed = read_bounce(dsn("hidas@example.fi", "4.4.1", action="delayed"), "example.org")
    assert not delayed.permanent


def test_second_hard_bounce_makes_the_address_undeliverable_and_tells_the_coordinator() -> None:
    bounce = read_bounce(dsn("poistunut@example.fi", "5.1.1"), "example.org")
    first = decide_bounce(bounce, ["poistunut@example.fi"], {}, 2.0, "koordinaattori@example.org", "fi")
    assert [e for e in first.effects if isinstance(e, RecordBounce)] == [
        RecordBounce("poistunut@example.fi", 1.0, "failed 5.1.1", False)
    ]
    assert not [e for e in first.effects if isinstance(e, SendMail)]
    second = decide_bounce(
        bounce,
        ["poistunut@example.fi"],
        {"poistunut@example.fi": 1.0},
        2.0,
        "koordinaattori@example.org",
        "fi",
    )
    [record] = [e for e in second.effects if isinstance(e, RecordBounce)]
    assert record.undeliverable
    [tell] = [e for e in second.effects if isinstance(e, SendMail)]
    assert (tell.recipient, tell.template) == ("koordinaattori@example.org", "undeliverable")


def test_a_delay_warning_scores_nothing() -> None:
    bounce = read_bounce(dsn("hidas@example.fi", "4.4.1", action="delayed"), "example.org")
    decision = decide_bounce(bounce, ["hidas@example.fi"], {}, 2.0, "k@example.org", "fi")
    assert [e.points for e in decision.effects if isinstance(e, RecordBounce)] == [0.0]


def answer(to: str) -> SendMail:
    return SendMail(
        template="confirmation",
        recipient=to,
        name="",
        language="fi",
        purpose="confirm",
        meeting="2024-03",
        revision="x",
    )


def test_daily_limit_of_answers_per_address() -> None:
    decision = Decision((answer("victim@example.fi"), answer("other@example.fi")), "two answers")
    limited = limit_answers(decision, {"victim@example.fi": 5}, 5)
    sent = [e.recipient for e in limited.effects if isinstance(e, SendMail)]
    assert sent == ["other@example.fi"]
    assert any(isinstance(e, Attention) for e in limited.effects)
    assert answered(decision) == {"victim@example.fi", "other@example.fi"}
    assert limit_answers(decision, dict.fromkeys(answered(decision), 4), 5) == decision


def test_only_our_own_servers_verdict_counts() -> None:
    ours = "mx.example.org"
    failed = ["mx.example.org; dkim=fail header.d=example.fi; spf=fail smtp.mailfrom=example.fi"]
    assert "dkim=fail" in authentication_failed(failed, ours, "maija@example.fi")
    assert authentication_failed(failed, "") == ""  # no trusted id configured: not used
    forged_pass = ["evil.example.com; dkim=pass", *failed]
    assert authentication_failed(forged_pass, ours)  # someone else's "pass" does not help
    good = ["mx.example.org; dkim=pass header.d=example.fi; spf=fail"]
    assert authentication_failed(good, ours, "maija@example.fi") == ""
    # A valid signature by someone else's domain does not vouch for the From address.
    foreign = ["mx.example.org; dkim=pass header.d=attacker.example; spf=fail smtp.mailfrom=example.fi"]
    assert "spf=fail" in authentication_failed(foreign, ours, "maija@example.fi")


def test_only_our_servers_aligned_pass_vouches_for_a_sender() -> None:
    ours = "mx.example.org"
    assert authenticated(["mx.example.org; dkim=pass header.d=example.fi"], ours, "maija@example.fi")
    assert authenticated(["mx.example.org; spf=fail; dmarc=pass"], ours, "maija@example.fi")
    # A pass signed by some other domain, or added by someone else's server, proves nothing.
    assert not authenticated(["mx.example.org; dkim=pass header.d=evil.test"], ours, "maija@example.fi")
    assert not authenticated(["mx.evil.test; dkim=pass header.d=example.fi"], ours, "maija@example.fi")
    assert not authenticated(["mx.example.org; spf=pass"], ours, "maija@example.fi")
    assert not authenticated(["mx.example.org; dkim=pass header.d=example.fi"], "", "maija@example.fi")
