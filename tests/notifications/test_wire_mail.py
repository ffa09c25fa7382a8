"""E-mails are written straight into the bytes SMTP sends (``mail.WireMail``), without building
``email.message`` objects and flattening them. These tests hold that writing to what the standard
library builds and flattens for the same message, over arbitrary texts, subjects and addresses;
``test_mail_bytes.py`` holds real rendered mails to kept copies."""

from __future__ import annotations

import io
from email.charset import QP, Charset
from email.generator import BytesGenerator
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import getaddresses

from hypothesis import given, settings
from hypothesis import strategies as st

from recall.notifications import mail

PLAIN_ADDRESSES = st.from_regex(mail._PLAIN_ADDRESS, fullmatch=True)
# Words of printable ASCII and runs of blanks, so that both header paths (as they are, folded
# through ``Header``) are taken.
ASCII_VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=120)


def _standard_library_bytes(subject, headers, text, html, boundary) -> bytes:
    """The message as ``MIMEMultipart`` and ``MIMEText`` build it and the generator writes it
    for SMTP (CRLF), under ``compat32`` with lines of up to 998 characters."""
    policy = compat32.clone(max_line_length=998)
    charset = Charset("utf-8")
    charset.body_encoding = QP
    message = MIMEMultipart("alternative", boundary=boundary, policy=policy)
    message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")
    for name, value in headers.items():
        message[name] = value
    message.attach(MIMEText(text, "plain", charset, policy=policy))
    message.attach(MIMEText(html, "html", charset, policy=policy))
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False).flatten(message, linesep="\r\n")
    return out.getvalue()


@settings(max_examples=200, deadline=None)
@given(
    subject=st.one_of(ASCII_VALUES, st.text(max_size=150)),
    text=st.text(),
    html=st.text(),
    recipient=PLAIN_ADDRESSES,
    message_id=ASCII_VALUES,
    unsubscribe=st.one_of(st.none(), ASCII_VALUES),
)
def test_a_message_is_the_bytes_the_standard_library_writes_for_it(
    subject, text, html, recipient, message_id, unsubscribe
):
    headers = {
        "From": "recall <no-reply@recall.test>",
        "To": recipient,
        "Date": "Thu, 03 Dec 2026 14:28:43 GMT",
        "Message-ID": message_id,
    }
    if unsubscribe is not None:
        headers["List-Unsubscribe"] = unsubscribe
    wire = mail.build_message(subject, headers, text, html)
    boundary = wire.data.split(b'boundary="', 1)[1].split(b'"', 1)[0].decode()
    assert wire.data == _standard_library_bytes(subject, headers, text, html, boundary)
    assert wire.as_bytes() == wire.data.replace(b"\r\n", b"\n")
    # The envelope ``send_message`` would take from these headers.
    assert wire.sender == "no-reply@recall.test"
    assert wire.recipients == [recipient]


@settings(max_examples=300, deadline=None)
@given(address=PLAIN_ADDRESSES)
def test_a_plain_address_is_what_parsing_it_gives(address):
    assert getaddresses([address]) == [("", address)]
    assert mail._envelope_recipients(address) == [address]


def test_other_addresses_are_parsed_as_send_message_does():
    for header in ['"Doe, John" <john@example.org>', "a@b.c (comment)", "x@[127.0.0.1]"]:
        assert mail._envelope_recipients(header) == [a for _n, a in getaddresses([header])]
