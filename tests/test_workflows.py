"""Registration decisions and meeting matching: pure functions, no servers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from mails import outlook_reply, plain
from meetings import AUTUMN, HKI, MEETING

from automation.model import (
    AddContact,
    Attention,
    Match,
    Registration,
    SendMail,
    SetRegistration,
    Status,
)
from automation.parse.classify import classify
from automation.parse.message import parse_message
from automation.workflows.matching import match_message, reply_tokens
from automation.workflows.registration import Situation, decide

BEFORE_DEADLINE = datetime(2024, 2, 14, 10, tzinfo=HKI)


def registration(email: str, status: Status, position: int = 0) -> Registration:
    return Registration("2024-03", email, "", "", "fi", status, "", "", position, "")


def situation(**changes: object) -> Situation:
    base = Situation(now=BEFORE_DEADLINE, default_language="fi", meeting=MEETING, open_meetings=(MEETING,))
    return replace(base, **changes)  # type: ignore[arg-type]


def run(text: str, s: Situation, authorised: bool = False, sender: str = "maija@example.fi"):  # type: ignore[no-untyped-def]
    message = parse_message(outlook_reply(sender, text))
    seen = classify(message, "verkosto@example.org")
    match = Match(s.meeting.code if s.meeting else None, sender, "test", authorised=authorised)
    return decide(message, seen, match, s)


def effects(decision, kind):  # type: ignore[no-untyped-def]
    return [e for e in decision.effects if isinstance(e, kind)]


def test_yes_with_room_registers_and_confirms_in_the_writers_language() -> None:
    decision = run("Kyllä, tulen\nErityisruokavalio: gluteeniton", situation(registered=1))
    [change] = effects(decision, SetRegistration)
    assert change.status == Status.REGISTERED and change.details.diet == "gluteeniton"
    [mail] = effects(decision, SendMail)
    assert (mail.template, mail.language, mail.recipient) == ("confirmation", "fi", "maija@example.fi")
    assert mail.context["evidence"] == "Kyllä, tulen"


def test_full_meeting_puts_the_reply_on_the_waiting_list_and_says_so() -> None:
    decision = run("Kyllä, tulen", situation(registered=2, waiting=3))
    [change] = effects(decision, SetRegistration)
    assert change.status == Status.WAITING
    [mail] = effects(decision, SendMail)
    assert mail.template == "waitlisted" and mail.context["position"] == 4


def test_reply_after_the_deadline_gets_the_closed_answer_and_changes_nothing() -> None:
    late = situation(now=datetime(2024, 2, 23, 8, tzinfo=HKI))
    decision = run("Kyllä, tulen", late)
    assert not effects(decision, SetRegistration)
    [mail] = effects(decision, SendMail)
    assert mail.template == "registration_closed"


def test_authorised_cancellation_frees_the_seat_for_the_first_on_the_waiting_list() -> None:
    first = registration("eka@example.fi", Status.WAITING, position=5)
    s = situation(
        registration=registration("maija@example.fi", Status.REGISTERED),
        registered=2,
        waiting=1,
        first_waiting=first,
    )
    decision = run("Peruutan ilmoittautumiseni", s, authorised=True)
    changes = {(c.email, c.status) for c in effects(decision, SetRegistration)}
    assert changes == {("maija@example.fi", Status.CANCELLED), ("eka@example.fi", Status.REGISTERED)}
    templates = {(m.recipient, m.template) for m in effects(decision, SendMail)}
    assert templates == {("maija@example.fi", "cancelled"), ("eka@example.fi", "promoted")}


def test_cancellation_without_a_token_only_asks_the_registered_address_to_confirm() -> None:
    s = situation(registration=registration("maija@example.fi", Status.REGISTERED), registered=2)
    decision = run("Peruutan ilmoittautumiseni", s, authorised=False)
    assert not effects(decision, SetRegistration)
    [mail] = effects(decision, SendMail)
    assert (mail.template, mail.recipient) == ("cancel_confirm", "maija@example.fi")


def test_no_from_someone_not_registered_is_recorded_as_declined() -> None:
    decision = run("En pääse", situation())
    [change] = effects(decision, SetRegistration)
    assert change.status == Status.DECLINED
    assert effects(decision, SendMail)[0].template == "declined"


def test_unclear_reply_is_asked_about_and_shown_to_the_coordinator() -> None:
    decision = run("Mikä on tapaamisen teema?", situation())
    assert decision.needs_attention
    [mail] = effects(decision, SendMail)
    assert mail.template == "unclear" and mail.language == "fi"
    assert not effects(decision, SetRegistration)


def test_yes_without_a_meeting_gets_the_list_of_open_meetings() -> None:
    decision = run("Kyllä, tulen", situation(meeting=None, open_meetings=(MEETING, AUTUMN)))
    [mail] = effects(decision, SendMail)
    assert mail.template == "open_meetings" and mail.context["open_meetings"] == ["2024-03", "2024-09"]


def test_already_registered_yes_updates_details_without_taking_a_second_seat() -> None:
    s = situation(registration=registration("maija@example.fi", Status.REGISTERED), registered=2)
    decision = run("Kyllä\nErityisruokavalio: vegaani", s)
    [change] = effects(decision, SetRegistration)
    assert change.status == Status.REGISTERED and change.details.diet == "vegaani"
    assert effects(decision, SendMail)[0].context["already"] is True


def test_same_message_always_gives_the_same_reply_identity() -> None:
    raw = outlook_reply("maija@example.fi", "Kyllä, tulen")
    message = parse_message(raw)
    seen = classify(message, "verkosto@example.org")
    match = Match("2024-03", "maija@example.fi", "test")
    first = effects(decide(message, seen, match, situation()), SendMail)[0]
    again = effects(decide(message, seen, match, situation()), SendMail)[0]
    assert (first.purpose, first.revision) == (again.purpose, again.revision)


# ---- matching -------------------------------------------------------------------------------


def test_token_in_plus_address_wins_and_authorises_its_owner() -> None:
    token = "0123456789abcdef0123456789abcdef"
    message = parse_message(outlook_reply("Owner@example.fi", "Kyllä", to=f"verkosto+{token}@example.org"))
    assert reply_tokens(message, "verkosto@example.org") == [token]
    match = match_message(message, [MEETING, AUTUMN], BEFORE_DEADLINE, ("2024-09", "owner@example.fi"), None)
    assert (match.meeting, match.email, match.authorised) == ("2024-09", "owner@example.fi", True)


def test_a_token_used_from_another_address_names_the_meeting_but_acts_for_the_sender() -> None:
    # Issue 17: an invitation forwarded to a colleague must not let them change the owner's seat.
    token = "0123456789abcdef0123456789abcdef"
    message = parse_message(outlook_reply("alias@example.com", "Kyllä", to=f"verkosto+{token}@example.org"))
    match = match_message(message, [MEETING, AUTUMN], BEFORE_DEADLINE, ("2024-09", "owner@example.fi"), None)
    assert (match.meeting, match.email, match.authorised) == ("2024-09", "alias@example.com", False)
    assert match.via == "owner@example.fi"


def test_uninvited_writer_is_matched_by_date_in_the_text() -> None:
    raw = plain("uusi@example.fi", "Ilmoittautuminen", "Ilmoittaudun verkoston tapaamiseen 17.9.")
    match = match_message(parse_message(raw), [MEETING, AUTUMN], BEFORE_DEADLINE, None, None)
    assert (match.meeting, match.authorised) == ("2024-09", False)


def test_meeting_code_in_subject_matches() -> None:
    raw = plain("uusi@example.fi", "Ilmoittautuminen 2024-03", "Tulen")
    assert (
        match_message(parse_message(raw), [MEETING, AUTUMN], BEFORE_DEADLINE, None, None).meeting == "2024-03"
    )


def test_only_open_meeting_is_the_fallback_and_two_open_meetings_are_not_guessed() -> None:
    raw = plain("uusi@example.fi", "Ilmoittautuminen", "Tulen mukaan")
    message = parse_message(raw)
    assert match_message(message, [MEETING], BEFORE_DEADLINE, None, None).meeting == "2024-03"
    assert match_message(message, [MEETING, AUTUMN], BEFORE_DEADLINE, None, None).meeting is None


def test_yes_when_nothing_is_open_changes_nothing_and_says_so() -> None:
    decision = run("Kyllä", situation(meeting=None, open_meetings=()))
    assert not effects(decision, SetRegistration)
    [mail] = effects(decision, SendMail)
    assert mail.template == "open_meetings" and mail.context["open_meetings"] == []


def test_thanks_from_someone_already_registered_is_not_asked_whether_they_meant_to_register() -> None:
    s = situation(registration=registration("maija@example.fi", Status.REGISTERED), registered=1)
    decision = run("Kiitos vahvistuksesta!", s, authorised=True)
    assert decision.needs_attention
    assert not effects(decision, SendMail) and not effects(decision, SetRegistration)


def test_late_reply_joins_the_waiting_list_when_the_meeting_allows_it() -> None:
    late = situation(
        now=datetime(2024, 2, 23, 8, tzinfo=HKI), meeting=replace(MEETING, late_to_waiting_list=True)
    )
    decision = run("Kyllä, tulen", late)
    [change] = effects(decision, SetRegistration)
    assert change.status == Status.WAITING
    assert effects(decision, SendMail)[0].template == "waitlisted"


def test_dates_with_month_names_match_in_english_swedish_and_finnish() -> None:
    for text in (
        "Re: Invitation: network meeting 17 September 2024",
        "Anmälan till träffen 17 september",
        "Tulen 17. syyskuuta",
    ):
        raw = plain("uusi@example.fi", text, "Yes")
        assert (
            match_message(parse_message(raw), [MEETING, AUTUMN], BEFORE_DEADLINE, None, None).meeting
            == "2024-09"
        )


def _from_outlook_address_book(text: str, s: Situation):  # type: ignore[no-untyped-def]
    """Outlook shows names from the address book surname first: "Järvinen Aino"."""
    raw = outlook_reply("aino@example.fi", text, name="Järvinen Aino")
    message = parse_message(raw)
    assert message.sender_name == "Järvinen Aino"
    seen = classify(message, "verkosto@example.org")
    return decide(message, seen, Match("2024-03", "aino@example.fi", "test", authorised=True), s)


def test_the_contact_lists_name_wins_over_the_display_name_of_a_reply() -> None:
    from automation.model import Contact

    known = situation(contact=Contact("aino@example.fi", "Aino Järvinen", "Espoo", "fi"))
    for text in ("Kyllä, tulen", "En pääse"):
        decision = _from_outlook_address_book(text, known)
        assert {c.name for c in effects(decision, SetRegistration)} == {"Aino Järvinen"}, text
        assert {m.name for m in effects(decision, SendMail)} == {"Aino Järvinen"}, text


def test_a_name_is_taken_from_the_mail_only_when_none_is_known() -> None:
    decision = _from_outlook_address_book("Kyllä, tulen", situation())
    [change] = effects(decision, SetRegistration)
    assert change.name == "Järvinen Aino"


def test_companions_with_addresses_get_their_own_seats_and_confirmations() -> None:
    text = "Kyllä, tulen. Ilmoitan myös kollegani Liisa Korhosen (liisa.korhonen@espoo.fi) ja Matti Virtasen."
    roomy = replace(MEETING, capacity=None)
    decision = run(text, situation(meeting=roomy, open_meetings=(roomy,)), authorised=True)
    changes = {c.email: (c.status, c.name, c.companions) for c in effects(decision, SetRegistration)}
    assert changes == {
        # Matti has no address: listed by name under Maija, a seat of his own.
        "maija@example.fi": (Status.REGISTERED, changes["maija@example.fi"][1], ("Matti Virtanen",)),
        "liisa.korhonen@espoo.fi": (Status.REGISTERED, "Liisa Korhonen", None),
    }
    mails = {m.recipient: m for m in effects(decision, SendMail)}
    assert mails["maija@example.fi"].context["companions"] == ["Liisa Korhonen", "Matti Virtanen"]
    liisa = mails["liisa.korhonen@espoo.fi"]
    assert liisa.template == "confirmation" and liisa.calendar == "REQUEST"
    assert liisa.context["registered_by"] and liisa.reply_token


def test_companions_named_without_room_for_them_go_to_the_coordinator() -> None:
    from automation.model import Attention

    decision = run("Tulemme kolmestaan: Liisa Korhonen, Matti Virtanen ja minä.", situation(registered=1))
    [change] = effects(decision, SetRegistration)
    assert change.status == Status.REGISTERED and not change.companions  # capacity 2: no room for two
    [note] = effects(decision, Attention)
    assert "Liisa Korhonen" in note.reason and "Matti Virtanen" in note.reason


def test_a_companion_beyond_capacity_waits_in_the_queue() -> None:
    decision = run("Tulemme kahdestaan: Liisa Korhonen (liisa@example.fi) ja minä.", situation(registered=1))
    statuses = {c.email: c.status for c in effects(decision, SetRegistration)}
    assert statuses == {"maija@example.fi": Status.REGISTERED, "liisa@example.fi": Status.WAITING}


SUBSTITUTE = "En pääse sittenkään, mutta kollegani Liisa Korhonen (liisa.korhonen@espoo.fi) tulee tilalleni."


def test_a_stand_in_named_in_a_cancellation_is_not_registered_and_the_seat_goes_to_the_queue() -> None:
    first = registration("eka@example.fi", Status.WAITING, position=5)
    s = situation(
        registration=registration("maija@example.fi", Status.REGISTERED),
        registered=2,  # capacity 2: full
        waiting=1,
        first_waiting=first,
    )
    decision = run(SUBSTITUTE, s, authorised=True)
    changes = {c.email: c.status for c in effects(decision, SetRegistration)}
    # Liisa is never registered on Maija's word: the freed seat goes to the first in the queue.
    assert changes == {"maija@example.fi": Status.CANCELLED, "eka@example.fi": Status.REGISTERED}
    mails = {m.recipient: m for m in effects(decision, SendMail)}
    assert set(mails) == {"maija@example.fi", "eka@example.fi"}
    assert mails["maija@example.fi"].template == "cancelled"
    assert mails["maija@example.fi"].context["standins"] == ["Liisa Korhonen"]
    [note] = effects(decision, Attention)
    assert "Liisa Korhonen" in note.reason and "maija@example.fi" in note.reason


def test_a_no_naming_a_colleague_who_comes_registers_only_the_no() -> None:
    decision = run(SUBSTITUTE, situation(registered=1))
    changes = {c.email: c.status for c in effects(decision, SetRegistration)}
    assert changes == {"maija@example.fi": Status.DECLINED}
    [mail] = effects(decision, SendMail)
    assert mail.template == "declined" and mail.context["standins"] == ["Liisa Korhonen"]
    assert not effects(decision, AddContact)


def test_a_question_beside_a_yes_registers_and_goes_to_the_coordinator() -> None:
    decision = run("Tulen mielelläni. Onko paikalla pysäköintiä?", situation(registered=1))
    [change] = effects(decision, SetRegistration)
    assert change.status == Status.REGISTERED
    [mail] = effects(decision, SendMail)
    assert mail.template == "confirmation" and mail.context["questions"] == ["Onko paikalla pysäköintiä?"]
    [note] = effects(decision, Attention)
    assert "Onko paikalla pysäköintiä?" in note.reason and "maija@example.fi" in note.reason


def test_a_question_beside_a_no_is_passed_on_too() -> None:
    decision = run("En valitettavasti pääse. Tuleeko tilaisuudesta tallenne?", situation(registered=1))
    assert {c.status for c in effects(decision, SetRegistration)} == {Status.DECLINED}
    [mail] = effects(decision, SendMail)
    assert mail.context["questions"] == ["Tuleeko tilaisuudesta tallenne?"]
    [note] = effects(decision, Attention)
    assert "Tuleeko tilaisuudesta tallenne?" in note.reason


def test_a_companion_with_an_address_joins_the_contacts_as_coming_via_the_sender() -> None:
    decision = run("Tulen, ja mukaan tulee myös kollegani Liisa Korhonen (liisa@example.fi).", situation())
    [contact] = effects(decision, AddContact)
    assert (contact.email, contact.source) == ("liisa@example.fi", "via:maija@example.fi")


def test_a_colleague_named_without_an_address_in_a_no_goes_to_the_coordinator() -> None:
    from automation.model import Attention

    decision = run("En pääse, mutta kollegani Liisa Korhonen tulee.", situation(registered=1))
    changes = {c.email: c.status for c in effects(decision, SetRegistration)}
    assert changes == {"maija@example.fi": Status.DECLINED}
    [note] = effects(decision, Attention)
    assert "Liisa Korhonen" in note.reason


def test_an_unverified_cancellation_naming_a_substitute_registers_nobody() -> None:
    s = situation(registration=registration("maija@example.fi", Status.REGISTERED), registered=2)
    decision = run(SUBSTITUTE, s, authorised=False)
    assert not effects(decision, SetRegistration)
    assert [m.template for m in effects(decision, SendMail)] == ["cancel_confirm"]


def test_a_remote_answer_for_an_on_site_meeting_is_asked_back_not_confirmed_as_remote() -> None:
    decision = run("Osallistun etänä.", situation(registered=1))  # MEETING is on site only
    assert not effects(decision, SetRegistration)
    [mail] = effects(decision, SendMail)
    assert mail.template == "onsite_only" and not mail.calendar


def test_a_remote_answer_for_a_hybrid_meeting_registers_as_remote() -> None:
    hybrid = replace(MEETING, mode="hybrid", online_url="https://meet.example.fi/x")
    decision = run("Osallistun etänä.", situation(registered=1, meeting=hybrid, open_meetings=(hybrid,)))
    [change] = effects(decision, SetRegistration)
    assert change.status == Status.REGISTERED and change.details.attendance == "remote"
