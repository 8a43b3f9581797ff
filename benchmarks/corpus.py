"""Realistic inbound mail for the benchmarks, generated fast and deterministically.

Each message is what a real client sends in answer to an invitation, in the shapes the parser
meets in practice: Outlook (multipart/alternative with a long MSO HTML part, sometimes a
signature image), Gmail (`gmail_quote`), Apple Mail (some in ISO-8859-1), Outlook on the web
(HTML only, base64), Thunderbird (format=flowed, 8bit); yes / no / unclear in Finnish, Swedish and
English; calendar replies (iMIP METHOD:REPLY from Google and Outlook); out-of-office
auto-replies; bounces (DSN multipart/report and an Exchange NDR); a little bulk mail. Names,
subjects and bodies are full of non-ASCII (RFC 2047 encoded words, UTF-8, QP, base64).

Every message has its own sender and Message-ID, so each "yes" is a new registration. Bodies are
built once per variant and headers per message: 50,000 messages take about a second.
"""

from __future__ import annotations

import base64
import quopri
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime
from functools import lru_cache

OWN = "verkosto@example.org"
MEETING_CODE = "2024-03"
EVENT_UID = f"meeting-{MEETING_CODE}@example.org"

FIRST = [
    "Maija", "Matti", "Anna", "Åsa", "Jörgen", "Päivi", "Sirkka-Liisa", "Ülle", "John", "Émilie",
    "Björn", "Kaisa", "Teemu", "Ville", "Sanna", "Liisa", "Elsa", "Oskar", "Jyrki", "Zoë",
]  # fmt: skip
LAST = [
    "Meikäläinen", "Åström", "Smith", "Öberg", "Virtanen", "Mäkelä", "Lindqvist", "Nieminen",
    "Hämäläinen", "Björklund", "Korhonen", "Sjöberg", "Brown", "Järvinen", "Säynätjoki", "Østergård",
]  # fmt: skip
DOMAINS = [
    "espoo.fi", "hel.fi", "vasa.fi", "tampere.fi", "edu.turku.fi", "oph.fi", "kuntaliitto.fi",
    "abo.fi", "jyu.fi", "gmail.com", "outlook.com", "example.org",
]  # fmt: skip
_ASCII = str.maketrans({"ä": "a", "å": "a", "ö": "o", "ü": "u", "é": "e", "ë": "e", "ø": "o", "-": ""})

# What people write (first line decides; details below it). (language, kind, text)
ANSWERS = [
    ("fi", "yes", "Kyllä, tulen!"),
    ("fi", "yes", "Kyllä, tulen paikan päälle.\n\nErityisruokavalio: gluteeniton"),
    ("fi", "yes", "Hei,\n\nilmoittaudun tapaamiseen. Osallistun etänä.\n\nOrganisaatio: Espoon kaupunki"),
    ("fi", "yes", "Kiitos kutsusta, tulen mielelläni. Allergiat: pähkinä, kala."),
    ("sv", "yes", "Jag kommer!"),
    ("sv", "yes", "Hej!\n\nJag kommer gärna. Specialkost: laktosfri\n\nMed vänliga hälsningar"),
    ("sv", "yes", "Jag anmäler mig till mötet, på plats i Helsingfors."),
    ("en", "yes", "Yes, I'll attend."),
    ("en", "yes", "Count me in, I will be there in person.\nDiet: vegetarian"),
    ("fi", "no", "En valitettavasti pääse tällä kertaa."),
    ("sv", "no", "Tyvärr kan jag inte komma, jag är förhindrad."),
    ("en", "no", "Unfortunately I can't make it this time."),
    ("fi", "unclear", "Onko tapaamiseen mahdollista osallistua myös Teamsin kautta?"),
    ("sv", "unclear", "Kan jag skicka en kollega i mitt ställe? Hon heter Åsa."),
    ("en", "unclear", "Could you send the agenda before I decide?"),
]
_ANSWER_WEIGHTS = [9, 5, 4, 3, 5, 3, 2, 4, 2, 4, 2, 2, 2, 1, 1]

INVITATION = {
    "fi": [
        "Hei,",
        "",
        "tervetuloa digitalisaatioverkostojen verkoston tapaamiseen tiistaina 12.3.2024 klo 9.00–12.00",
        "Kuntatalolla (Toinen linja 14, Helsinki). Teemana on tekoäly opetuksessa.",
        "",
        "Vastaa tähän viestiin viimeistään 22.2.2024: Kyllä, tulen / En pääse.",
        "Kerro samalla mahdollinen erityisruokavalio.",
        "",
        "Ystävällisin terveisin",
        "Verkoston sihteeristö",
    ],
    "sv": [
        "Hej,",
        "",
        "välkommen till nätverkets möte tisdagen den 12.3.2024 kl. 9.00–12.00 i Kommunernas hus.",
        "Temat är AI i undervisningen.",
        "",
        "Svara på detta meddelande senast 22.2.2024: Jag kommer / Jag kan inte komma.",
        "",
        "Med vänliga hälsningar",
        "Nätverkets sekretariat",
    ],
    "en": [
        "Hello,",
        "",
        "you are invited to the network meeting on Tuesday 12 March 2024, 9.00–12.00,",
        "at Kuntatalo (House of Municipalities), Helsinki. The theme is AI in education.",
        "",
        "Please reply by 22 February 2024: Yes, I'll attend / I can't attend.",
        "",
        "Kind regards",
        "The network secretariat",
    ],
}
SUBJECT = {
    "fi": "Kutsu: verkoston tapaaminen 12.3.2024 – Tekoäly opetuksessa",
    "sv": "Inbjudan: nätverkets möte 12.3.2024 – AI i undervisningen",
    "en": "Invitation: network meeting 12 March 2024 – AI in education",
}
REPLY_PREFIX = {"fi": "VS: ", "sv": "SV: ", "en": "RE: "}
SIGNATURE = {
    "fi": "Ystävällisin terveisin\n{name}\nkehittämispäällikkö, sivistystoimi\n+358 40 123 4567",
    "sv": "Med vänliga hälsningar\n{name}\nutvecklingschef, bildningssektorn\n+358 50 765 4321",
    "en": "Best regards\n{name}\nDevelopment manager\n+358 44 555 0101",
}

_MSO_STYLE = (
    '<style><!--\n/* Font Definitions */\n@font-face\n\t{font-family:"Cambria Math";\n\t'
    "panose-1:2 4 5 3 5 4 6 3 2 4;}\n@font-face\n\t{font-family:Calibri;\n\tpanose-1:2 15 5 2 2 2 4 3 2 4;}\n"
    "/* Style Definitions */\np.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;\n\tfont-size:11.0pt;"
    '\n\tfont-family:"Calibri",sans-serif;\n\tmso-fareast-language:EN-US;}\na:link, span.MsoHyperlink\n\t'
    "{mso-style-priority:99;\n\tcolor:#0563C1;\n\ttext-decoration:underline;}\nspan.Shkpostityyli18\n\t"
    '{mso-style-type:personal-reply;\n\tfont-family:"Calibri",sans-serif;\n\tcolor:windowtext;}\n'
    ".MsoChpDefault\n\t{mso-style-type:export-only;\n\tfont-size:10.0pt;}\n@page WordSection1\n\t"
    "{size:612.0pt 792.0pt;\n\tmargin:72.0pt 72.0pt 72.0pt 72.0pt;}\n"
    "div.WordSection1\n\t{page:WordSection1;}\n"
    '--></style><!--[if gte mso 9]><xml>\n<o:shapedefaults v:ext="edit" spidmax="1026" />\n</xml><![endif]-->'
    '<!--[if gte mso 9]><xml>\n<o:shapelayout v:ext="edit">\n<o:idmap v:ext="edit" data="1" />\n'
    "</o:shapelayout></xml><![endif]-->"
)
_PNG = base64.encodebytes(bytes(random.Random(7).randrange(256) for _ in range(9000))).decode()


@dataclass(frozen=True)
class Mail:
    data: bytes
    kind: str  # the shape: outlook, gmail, apple, owa, thunderbird, calendar-google, ...
    answer: str  # yes / no / unclear for people; "" for machines
    sender: str  # the From address (the attendee for calendar replies)


def _qp(text: str, charset: str = "utf-8") -> str:
    return (
        quopri.encodestring(text.replace("\n", "\r\n").encode(charset)).decode("ascii").replace("\r\n", "\n")
    )


def _b64(text: str) -> str:
    return base64.encodebytes(text.replace("\n", "\r\n").encode()).decode("ascii")


@lru_cache(maxsize=4096)
def _enc(text: str) -> str:
    """RFC 2047 encoded words for non-ASCII header text (cached: encoding is slow)."""
    return text if text.isascii() else Header(text, "utf-8").encode()


def _address(name: str, address: str) -> str:
    return f"{_enc(name)} <{address}>"


def _quote_lines(lines: list[str]) -> str:
    return "\n".join(("> " + line) if line else ">" for line in lines)


class _Bodies:
    """Bodies depend only on (shape, language, answer, name): built once, reused for every sender."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, ...], str] = {}

    def get(self, key: tuple[str, ...], build: Callable[[], str]) -> str:
        found = self.cache.get(key)
        if found is None:
            found = build()
            self.cache[key] = found
        return found


class Corpus:
    """`Corpus(seed).messages(n)` yields n distinct messages with a realistic mix."""

    SHAPES = [
        ("outlook", 22), ("gmail", 14), ("apple", 8), ("owa", 8), ("thunderbird", 8),
        ("calendar-google", 6), ("calendar-outlook", 6), ("auto-reply", 12), ("bounce", 7),
        ("ndr", 3), ("bulk", 2),
    ]  # fmt: skip

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.bodies = _Bodies()
        self.date = datetime(2024, 2, 14, 9, 0, tzinfo=UTC)

    def messages(self, n: int, start: int = 0) -> Iterator[Mail]:
        shapes = [s for s, _ in self.SHAPES]
        weights = [w for _, w in self.SHAPES]
        for i in range(start, start + n):
            shape = self.rng.choices(shapes, weights)[0]
            yield getattr(self, "_" + shape.replace("-", "_"))(i)

    # ---- people ------------------------------------------------------------------------------

    def _person(self, i: int) -> tuple[str, str]:
        first = FIRST[i % len(FIRST)]
        last = LAST[(i // len(FIRST)) % len(LAST)]
        domain = DOMAINS[i % len(DOMAINS)]
        local = f"{first}.{last}".lower().translate(_ASCII)
        return f"{first} {last}", f"{local}.{i}@{domain}"

    def _answer(self) -> tuple[str, str, str]:
        return self.rng.choices(ANSWERS, _ANSWER_WEIGHTS)[0]

    def _headers(
        self,
        i: int,
        name: str,
        sender: str,
        subject: str,
        extra: list[str],
        *,
        mailer: str = "",
        reply: bool = True,
    ) -> str:
        domain = sender.partition("@")[2]
        when = self.date + timedelta(seconds=i * 7)
        mx = f"mx{i % 3 + 1}.{domain}"
        lines = [
            f"Return-Path: <{sender}>",
            f"Delivered-To: {OWN}",
            f"Received: from {mx} ({mx} [192.0.2.{i % 250 + 1}])\n\tby mail.example.org (Postfix) with ESMTPS"
            f" id 4T{i:08X}\n\tfor <{OWN}>; {format_datetime(when)}",
            f"Received: from localhost (localhost [127.0.0.1])\n\tby {mx} with ESMTP id {i:x}.{i * 31:x};"
            f" {format_datetime(when)}",
            f"Authentication-Results: mail.example.org; dkim=pass header.d={domain};"
            f" spf=pass smtp.mailfrom={sender}; dmarc=pass header.from={domain}",
            f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=selector1;\n\t"
            f"h=From:Date:Subject:Message-ID:Content-Type:MIME-Version;\n\t"
            f"bh={base64.b64encode(str(i).encode() * 30).decode()[:43]}=;\n\t"
            f"b={base64.b64encode(f'{i}-{sender}'.encode() * 6).decode()[:200]}",
            f"From: {_address(name, sender)}",
            f"To: {_address('Verkosto', OWN)}",
            f"Subject: {subject}",
            f"Date: {format_datetime(when)}",
            f"Message-ID: <{i:07d}.{self.rng.getrandbits(48):012x}@{domain}>",
        ]
        if reply:
            invitation = f"<invite.{MEETING_CODE}.{i % 977:012x}.1@example.org>"
            lines += [f"In-Reply-To: {invitation}", f"References: {invitation}"]
        if mailer:
            lines.append(mailer)
        lines.append("MIME-Version: 1.0")
        return "\n".join(lines + extra) + "\n"

    # ---- people's replies --------------------------------------------------------------------

    def _outlook(self, i: int) -> Mail:
        language, answer, text = self._answer()
        name, sender = self._person(i)
        subject = _enc(REPLY_PREFIX[language] + SUBJECT[language])
        header_block = {
            "fi": ["Lähettäjä: Verkosto <verkosto@example.org>",
                   "Lähetetty: tiistai 13. helmikuuta 2024 10.00",
                   f"Vastaanottaja: {name}", f"Aihe: {SUBJECT['fi']}"],
            "sv": ["Från: Verkosto <verkosto@example.org>", "Skickat: den 13 februari 2024 10:00",
                   f"Till: {name}", f"Ämne: {SUBJECT['sv']}"],
            "en": ["From: Verkosto <verkosto@example.org>", "Sent: Tuesday, 13 February 2024 10:00",
                   f"To: {name}", f"Subject: {SUBJECT['en']}"],
        }[language]  # fmt: skip
        with_image = i % 5 == 0

        def build() -> str:
            signature = SIGNATURE[language].format(name=name)
            plain = f"{text}\n\n{signature}\n\n" + "_" * 32 + "\n" + "\n".join(header_block) + "\n\n"
            plain += "\n".join(INVITATION[language]) + "\n"
            paragraphs = "".join(
                f'<p class="MsoNormal"><span lang="FI">{line or "&nbsp;"}<o:p></o:p></span></p>\n'
                for line in text.splitlines() + [""] + signature.splitlines()
            )
            quoted = "".join(
                f'<p class="MsoNormal">{line or "&nbsp;"}<o:p></o:p></p>\n' for line in INVITATION[language]
            )
            image = '<p class="MsoNormal"><img width="120" height="40" src="cid:image001.png@01DA5F"></p>'
            html = (
                '<html xmlns:v="urn:schemas-microsoft-com:vml"'
                ' xmlns:o="urn:schemas-microsoft-com:office:office"'
                ' xmlns:w="urn:schemas-microsoft-com:office:word"'
                ' xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"'
                ' xmlns="http://www.w3.org/TR/REC-html40"><head>\n<meta http-equiv="Content-Type"'
                ' content="text/html; charset=utf-8">\n<meta name="Generator" content="Microsoft Word 15'
                ' (filtered medium)">\n'
                + _MSO_STYLE
                + '\n</head><body lang="FI" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">\n'
                '<div class="WordSection1">\n'
                + paragraphs
                + (image if with_image else "")
                + '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">\n'
                '<p class="MsoNormal"><b>'
                + "<br>\n".join(header_block)
                + "</b></p></div>\n"
                + quoted
                + "</div>\n</body></html>\n"
            )
            alternative = (
                '--_000_alt_\nContent-Type: text/plain; charset="utf-8"\n'
                "Content-Transfer-Encoding: quoted-printable\n\n" + _qp(plain) + "\n"
                '--_000_alt_\nContent-Type: text/html; charset="utf-8"\n'
                "Content-Transfer-Encoding: quoted-printable\n\n" + _qp(html) + "\n--_000_alt_--\n"
            )
            if not with_image:
                return alternative
            return (
                '--_004_rel_\nContent-Type: multipart/alternative;\n\tboundary="_000_alt_"\n\n'
                + alternative
                + '\n--_004_rel_\nContent-Type: image/png; name="image001.png"\n'
                'Content-Description: image001.png\nContent-Disposition: inline; filename="image001.png";'
                " size=9000\nContent-ID: <image001.png@01DA5F>\nContent-Transfer-Encoding: base64\n\n"
                + _PNG
                + "\n--_004_rel_--\n"
            )

        body = self.bodies.get(("outlook", language, text, name, str(with_image)), build)
        content_type = (
            'Content-Type: multipart/related;\n\tboundary="_004_rel_";\n\ttype="multipart/alternative"'
            if with_image
            else 'Content-Type: multipart/alternative;\n\tboundary="_000_alt_"'
        )
        extra = [
            f"Thread-Topic: {_enc(SUBJECT[language])}",
            f"Thread-Index: AdpfR{i:010d}Q==",
            f"Accept-Language: {language}-FI, en-US",
            f"Content-Language: {language}-FI",
            f"X-MS-Has-Attach: {'yes' if with_image else ''}",
            "X-MS-TNEF-Correlator:",
            "x-ms-publictraffictype: Email",
            f"x-ms-exchange-antispam-messagedata-0: {base64.b64encode(sender.encode() * 4).decode()}",
            content_type,
        ]
        head = self._headers(i, name, sender, subject, extra)
        return Mail((head + "\n" + body).encode(), "outlook", answer, sender)

    def _gmail(self, i: int) -> Mail:
        language, answer, text = self._answer()
        name, sender = self._person(i)
        attribution = {
            "fi": "ti 13.2.2024 klo 10.00 Verkosto <verkosto@example.org> kirjoitti:",
            "sv": "Den tis 13 feb. 2024 kl 10:00 skrev Verkosto <verkosto@example.org>:",
            "en": "On Tue, 13 Feb 2024 at 10:00, Verkosto <verkosto@example.org> wrote:",
        }[language]

        def build() -> str:
            plain = f"{text}\n\n{attribution}\n\n{_quote_lines(INVITATION[language])}\n"
            html_text = "<br>".join(text.splitlines())
            quote_html = "<br>".join(INVITATION[language])
            html = (
                f'<div dir="ltr">{html_text}</div><br><div class="gmail_quote"><div dir="ltr"'
                f' class="gmail_attr">{attribution.replace("<", "&lt;").replace(">", "&gt;")}<br></div>'
                '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid'
                f' rgb(204,204,204);padding-left:1ex">{quote_html}</blockquote></div>\n'
            )
            return (
                '--000000000000a1b2c3\nContent-Type: text/plain; charset="UTF-8"\n'
                "Content-Transfer-Encoding: quoted-printable\n\n" + _qp(plain) + "\n"
                '--000000000000a1b2c3\nContent-Type: text/html; charset="UTF-8"\n'
                "Content-Transfer-Encoding: quoted-printable\n\n" + _qp(html) + "\n--000000000000a1b2c3--\n"
            )

        body = self.bodies.get(("gmail", language, text), build)
        extra = [
            f"X-Gm-Message-State: AOJu0Y{base64.b64encode(sender.encode()).decode()[:40]}",
            'Content-Type: multipart/alternative; boundary="000000000000a1b2c3"',
        ]
        head = self._headers(i, name, sender, _enc("Re: " + SUBJECT[language]), extra)
        return Mail((head + "\n" + body).encode(), "gmail", answer, sender)

    def _apple(self, i: int) -> Mail:
        language, answer, text = self._answer()
        name, sender = self._person(i)
        charset = "iso-8859-1" if i % 3 == 0 else "utf-8"
        attribution = {
            "fi": "13.2.2024 kello 10.00, Verkosto <verkosto@example.org> kirjoitti:",
            "sv": "13 feb. 2024 kl. 10:00 skrev Verkosto <verkosto@example.org>:",
            "en": "On 13 Feb 2024, at 10.00, Verkosto <verkosto@example.org> wrote:",
        }[language]

        def build() -> str:
            plain = f"{text}\n\n{attribution}\n\n{_quote_lines(INVITATION[language])}\n"
            plain = plain.replace("–", "-")  # Latin-1 has no en dash
            return _qp(plain, charset)

        body = self.bodies.get(("apple", language, text, charset), build)
        extra = [
            f"Content-Type: text/plain;\n\tcharset={charset}",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        head = self._headers(
            i, name, sender, _enc("Re: " + SUBJECT[language]), extra,
            mailer="X-Mailer: Apple Mail (2.3774.300.61.1.2)",
        )  # fmt: skip
        return Mail((head + "\n" + body).encode(), "apple", answer, sender)

    def _owa(self, i: int) -> Mail:
        language, answer, text = self._answer()
        name, sender = self._person(i)

        def build() -> str:
            new = "<br>".join(text.splitlines())
            html = (
                '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>'
                '</head><body dir="ltr"><div class="elementToProof" style="font-family: Aptos, Calibri,'
                f' Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">{new}</div>'
                '<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">'
                '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt"'
                ' color="#000000"><b>Lähettäjä:</b> Verkosto &lt;verkosto@example.org&gt;<br><b>Lähetetty:'
                "</b> tiistai 13. helmikuuta 2024 10.00<br></font></div><div>"
                + "<br>".join(INVITATION[language])
                + "</div></body></html>\n"
            )
            return _b64(html)

        body = self.bodies.get(("owa", language, text), build)
        extra = [
            f"Content-Language: {language}-FI",
            'Content-Type: text/html; charset="utf-8"',
            "Content-Transfer-Encoding: base64",
        ]
        head = self._headers(i, name, sender, _enc(REPLY_PREFIX[language] + SUBJECT[language]), extra)
        return Mail((head + "\n" + body).encode(), "owa", answer, sender)

    def _thunderbird(self, i: int) -> Mail:
        language, answer, text = self._answer()
        name, sender = self._person(i)
        attribution = {
            "fi": "13.2.2024 klo 10.00 Verkosto kirjoitti:",
            "sv": "Den 2024-02-13 kl. 10:00, skrev Verkosto:",
            "en": "On 13/02/2024 10:00, Verkosto wrote:",
        }[language]
        body = f"{text}\n\n-- \n{SIGNATURE[language].format(name=name)}\n\n{attribution}\n"
        body += _quote_lines(INVITATION[language]) + "\n"
        extra = [
            "User-Agent: Mozilla Thunderbird",
            f"Content-Language: {language}",
            "Content-Type: text/plain; charset=UTF-8; format=flowed",
            "Content-Transfer-Encoding: 8bit",
        ]
        head = self._headers(i, name, sender, _enc("Re: " + SUBJECT[language]), extra)
        return Mail((head + "\n" + body).encode(), "thunderbird", answer, sender)

    # ---- calendars ---------------------------------------------------------------------------

    def _ics(self, attendee: str, name: str, partstat: str, prodid: str) -> str:
        return (
            f"BEGIN:VCALENDAR\r\nPRODID:{prodid}\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:REPLY\r\n"
            "BEGIN:VEVENT\r\nDTSTART:20240312T070000Z\r\nDTEND:20240312T100000Z\r\n"
            f"DTSTAMP:20240214T090000Z\r\nORGANIZER;CN=Verkosto:mailto:{OWN}\r\nUID:{EVENT_UID}\r\n"
            f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN={name}:\r\n"
            f" mailto:{attendee}\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\nSUMMARY:Verkoston tapaaminen\r\n"
            "TRANSP:OPAQUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )

    def _partstat(self) -> str:
        return self.rng.choices(["ACCEPTED", "DECLINED", "TENTATIVE"], [7, 2, 1])[0]

    def _calendar_google(self, i: int) -> Mail:
        name, sender = self._person(i)
        partstat = self._partstat()
        word = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentatively accepted"}[partstat]
        ics = self._ics(sender, name, partstat, "-//Google Inc//Google Calendar 70.9054//EN")
        subject = _enc(f"{word}: Verkoston tapaaminen @ ti 12.3.2024 9.00–12.00 (EET)") + f" ({sender})"
        body = (
            '--0000000000001234\nContent-Type: multipart/alternative; boundary="0000000000001233"\n\n'
            '--0000000000001233\nContent-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes\n'
            "Content-Transfer-Encoding: base64\n\n"
            + _b64(f"{name} has {word.lower()} this invitation.\n\nVerkoston tapaaminen\n12.3.2024 9.00\n")
            + '\n--0000000000001233\nContent-Type: text/calendar; charset="UTF-8"; method=REPLY\n'
            "Content-Transfer-Encoding: 7bit\n\n" + ics + "\n--0000000000001233--\n"
            '--0000000000001234\nContent-Type: application/ics; name="invite.ics"\n'
            'Content-Disposition: attachment; filename="invite.ics"\nContent-Transfer-Encoding: base64\n\n'
            + base64.encodebytes(ics.encode()).decode()
            + "\n--0000000000001234--\n"
        )
        extra = [
            "Auto-Submitted: auto-generated",
            "Sender: Google Calendar <calendar-notification@google.com>",
            'Content-Type: multipart/mixed; boundary="0000000000001234"',
        ]
        head = self._headers(i, name, sender, subject, extra, reply=False)
        return Mail((head + "\n" + body).encode(), "calendar-google", "", sender)

    def _calendar_outlook(self, i: int) -> Mail:
        name, sender = self._person(i)
        partstat = self._partstat()
        word = {"ACCEPTED": "Hyväksytty", "DECLINED": "Hylätty", "TENTATIVE": "Alustava"}[partstat]
        ics = self._ics(sender, name, partstat, "Microsoft Exchange Server 2010")
        body = (
            '--_000_cal_\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n'
            + _b64("\n")
            + '\n--_000_cal_\nContent-Type: text/calendar; charset="utf-8"; method=REPLY\n'
            "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(ics.encode()).decode()
            + "\n--_000_cal_--\n"
        )  # fmt: skip
        extra = [
            "Thread-Topic: Verkoston tapaaminen",
            "Content-Language: fi-FI",
            'Content-Type: multipart/alternative;\n\tboundary="_000_cal_"',
        ]
        head = self._headers(i, name, sender, _enc(f"{word}: Verkoston tapaaminen"), extra, reply=False)
        return Mail((head + "\n" + body).encode(), "calendar-outlook", "", sender)

    # ---- machines ----------------------------------------------------------------------------

    def _auto_reply(self, i: int) -> Mail:
        name, sender = self._person(i)
        language = ("fi", "sv", "en")[i % 3]
        prefix = {"fi": "Automaattinen vastaus: ", "sv": "Automatiskt svar: ", "en": "Automatic reply: "}
        text = {
            "fi": "Olen lomalla 26.2. asti enkä lue sähköpostia. Kiireellisissä asioissa ota yhteyttä"
            " kirjaamoon. Kyllä, palaan asiaan lomani jälkeen.",
            "sv": "Jag är på semester till och med 26.2 och läser inte e-post. Jag kommer tillbaka"
            " måndagen den 27.2.",
            "en": "I am out of the office until 26 February with limited access to email. I will"
            " attend to your message when I return.",
        }[language]

        def build() -> str:
            html = f'<html><head><meta charset="utf-8"></head><body><p>{text}</p></body></html>\n'
            return (
                '--_000_oof_\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding:'
                " quoted-printable\n\n" + _qp(text + "\n") + "\n"
                '--_000_oof_\nContent-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding:'
                " quoted-printable\n\n" + _qp(html) + "\n--_000_oof_--\n"
            )

        body = self.bodies.get(("oof", language), build)
        extra = [
            "Auto-Submitted: auto-replied",
            "X-Auto-Response-Suppress: All",
            "X-MS-Exchange-Inbox-Rules-Loop: " + sender,
            f"Content-Language: {language}-FI",
            'Content-Type: multipart/alternative;\n\tboundary="_000_oof_"',
        ]
        head = self._headers(i, name, sender, _enc(prefix[language] + SUBJECT[language]), extra)
        return Mail((head + "\n" + body).encode(), "auto-reply", "", sender)

    def _bounce(self, i: int) -> Mail:
        name, recipient = self._person(i)
        host = f"mx{i % 3 + 1}.{recipient.partition('@')[2]}"
        daemon = "MAILER-DAEMON@mail.example.org"
        when = format_datetime(self.date + timedelta(seconds=i * 7))
        body = (
            "--4T{i}.bounce/mail.example.org\nContent-Description: Notification\nContent-Type: text/plain;"
            " charset=us-ascii\n\nThis is the mail system at host mail.example.org.\n\n"
            "I'm sorry to have to inform you that your message could not\nbe delivered to one or more"
            " recipients. It's attached below.\n\n<{rcpt}>: host {host}[192.0.2.7] said: 550 5.1.1"
            " <{rcpt}>:\n    Recipient address rejected: User unknown in virtual mailbox table\n\n"
            "--4T{i}.bounce/mail.example.org\nContent-Description: Delivery report\n"
            "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mail.example.org\n"
            "X-Postfix-Queue-ID: 4T{i}\nArrival-Date: {when}\n\nFinal-Recipient: rfc822; {rcpt}\n"
            "Original-Recipient: rfc822;{rcpt}\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; {host}\n"
            "Diagnostic-Code: smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown\n\n"
            "--4T{i}.bounce/mail.example.org\nContent-Description: Undelivered Message Headers\n"
            "Content-Type: text/rfc822-headers\n\nReturn-Path: <verkosto@example.org>\n"
            "From: Verkosto <verkosto@example.org>\nTo: {rcpt}\nSubject: {subject}\n"
            "Message-ID: <invite.2024-03.{i:012x}.1@example.org>\nAuto-Submitted: auto-generated\n"
            "X-Automation-Loop: verkosto@example.org\n\n--4T{i}.bounce/mail.example.org--\n"
        ).format(i=i, rcpt=recipient, host=host, when=when, subject=_enc(SUBJECT["fi"]))
        head = (
            f"Return-Path: <>\nDelivered-To: {OWN}\nReceived: by mail.example.org (Postfix)\n\tid 4T{i};"
            f" {when}\nDate: {when}\nFrom: {daemon} (Mail Delivery System)\n"
            f"Subject: Undelivered Mail Returned to Sender\nTo: {OWN}\nAuto-Submitted: auto-replied\n"
            "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;\n\t"
            f'boundary="4T{i}.bounce/mail.example.org"\n'
            f"Message-Id: <{i}.bounce.{self.rng.getrandbits(40):x}@mail.example.org>\n"
        )
        return Mail((head + "\n" + body).encode(), "bounce", "", daemon.lower())

    def _ndr(self, i: int) -> Mail:
        name, recipient = self._person(i)
        sender = "postmaster@outlook.com"

        def build() -> str:
            html = (
                '<html><head><meta charset="utf-8"></head><body><p><b><font color="#000066" size="3">'
                "Toimitus seuraaville vastaanottajille tai ryhmille epäonnistui:</font></b></p>"
                "<p>Vastaanottajan sähköpostiosoitetta ei löytynyt. Tarkista osoite ja yritä uudelleen."
                "</p><p>Diagnostiikkatiedot järjestelmänvalvojille:</p><p>Luontipalvelin: AM0PR04MB1234"
                ".eurprd04.prod.outlook.com</p></body></html>\n"
            )
            return _b64(html)

        body = self.bodies.get(("ndr",), build)
        when = format_datetime(self.date + timedelta(seconds=i * 7))
        head = (
            f"Received: from AM0PR04MB1234.eurprd04.prod.outlook.com; {when}\nFrom: {sender}\n"
            f'To: {OWN}\nDate: {when}\nContent-Type: text/html; charset="utf-8"\n'
            "Content-Transfer-Encoding: base64\nMIME-Version: 1.0\n"
            f"Subject: {_enc('Toimitus epäonnistui: ' + SUBJECT['fi'])}\n"
            f"Message-ID: <{i}.ndr.{self.rng.getrandbits(40):x}@AM0PR04MB1234.eurprd04.prod.outlook.com>\n"
            f"X-MS-Exchange-Message-Is-Ndr:\nX-Failed-Recipients: {recipient}\nAuto-Submitted: auto-replied\n"
        )
        return Mail((head + "\n" + body).encode(), "ndr", "", sender)

    def _bulk(self, i: int) -> Mail:
        name, _ = self._person(i)
        sender = "uutiskirje@oph.fi"

        def build() -> str:
            html = (
                "<html><body><h1>Opetushallituksen uutiskirje 2/2024</h1>"
                + "<p>Ajankohtaista digitalisaatiosta ja tekoälystä opetuksessa. Lue lisää verkkosivuiltamme."
                "</p>"
                * 12
                + '<p><a href="https://example.org/unsubscribe">Peruuta tilaus</a></p></body></html>\n'
            )
            return _qp(html)

        body = self.bodies.get(("bulk",), build)
        extra = [
            "List-Id: <uutiskirje.oph.fi>",
            "List-Unsubscribe: <mailto:unsubscribe@oph.fi>",
            "Precedence: bulk",
            'Content-Type: text/html; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable",
        ]
        head = self._headers(i, "Opetushallitus", sender, _enc("Uutiskirje 2/2024: tekoäly opetuksessa"),
                             extra, reply=False)  # fmt: skip
        return Mail((head + "\n" + body).encode(), "bulk", "", sender)


def contacts_csv(count: int, seed: int = 2) -> str:
    """A coordinator's contact list of `count` people, fi/sv/en, with non-ASCII names."""
    rng = random.Random(seed)
    organisations = ["Espoon kaupunki", "Vasa stad", "Helsingin yliopisto", "Åbo Akademi", "Opetushallitus"]
    lines = ["email,name,organisation,language"]
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[rng.randrange(len(LAST))]
        email = f"{first}.{last}".lower().translate(_ASCII) + f".c{i}@{DOMAINS[i % len(DOMAINS)]}"
        language = rng.choices(["fi", "sv", "en", ""], [6, 2, 1, 1])[0]
        lines.append(f'{email},"{first} {last}",{organisations[i % len(organisations)]},{language}')
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # a quick look: python benchmarks/corpus.py | less
    for mail in Corpus().messages(12):
        print(f"===== {mail.kind} {mail.answer} {mail.sender} ({len(mail.data)} bytes)")
        print(mail.data.decode("utf-8", "replace")[:1500])
