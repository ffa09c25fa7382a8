"""A drain renders a surge's confirmations once per kind, language and petition and fills each
signer's link and receipt in (``recall.notifications.shared_mail``). Its mails must be, byte for
byte, what ``render_email`` writes for each delivery alone: the kept copies, arbitrary values and
names in kk, ru and en, escaped in the HTML; and a template reading anything else of one recipient
must not put one recipient's value into another's mail.
"""

from __future__ import annotations

import email
from email.policy import default as default_policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import ChoiceLoader, DictLoader

from recall.extensions import db
from recall.notifications.mail import body_lines, qp_body, qp_line, render_email
from recall.notifications.recipients import load_subject
from recall.notifications.shared_mail import SharedRenders
from recall.services.sealing import seal_payload

# The scenario of the kept copies; its catalogues (a translation HTML must escape) and a fresh
# Flask-Babel cache (the fixtures ``app_config`` and ``_fresh_translations_cache``).
from tests.notifications.test_mail_bytes import (  # noqa: F401
    GOLDEN,
    _bytes,
    _fresh_translations_cache,
    _scenario,
    app_config,
)


def _pair(delivery, renders: SharedRenders) -> tuple[bytes, bytes]:
    """The delivery's message as a drain renders it and as ``render_email`` does alone."""
    event = delivery.event
    subject = load_subject(event.subject_type, event.subject_id)
    return (
        _bytes(renders.render_email(delivery, event, subject, {})),
        _bytes(render_email(delivery, event, subject, {})),
    )


def _confirmations(deliveries):
    return [d for d in deliveries if d.event.kind == "signature.confirmation_requested"]


def test_a_drains_mails_are_the_kept_copies(app, make):
    deliveries = _scenario(make)
    renders = SharedRenders()
    for _ in range(2):  # rendered once, then filled in again
        for delivery in deliveries:
            name = f"{delivery.id:02}-{delivery.event.kind}-{delivery.recipient}.eml"
            shared, alone = _pair(delivery, renders)
            assert shared == alone == (GOLDEN / name).read_bytes(), name
    # Each language's confirmation (and the one without a link) was rendered once, shared.
    assert sum(r is not None for r in renders._kept.values()) == 4


def _html(data: bytes) -> str:
    message = email.message_from_bytes(data, policy=default_policy)
    return message.get_body(("html",)).get_content()


# Any text PostgreSQL stores (no NUL, no lone surrogate), markup characters and line ends included.
NAMES = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=60,
)


def test_any_values_and_names_give_the_mail_rendered_alone(app, make):
    deliveries = _confirmations(_scenario(make))[:3]  # kk, ru, en with a link and a receipt
    petition = load_subject("signature", deliveries[0].event.subject_id).petition
    deputy, district = petition.deputy, petition.district

    @settings(max_examples=60, deadline=None)
    @given(
        index=st.integers(0, 2),
        confirm_url=st.text(min_size=1),
        receipt=st.one_of(st.none(), st.text(min_size=1)),
        full_name=NAMES,
        names=st.fixed_dictionaries({"kk": NAMES, "ru": NAMES}),
        district_name=NAMES,
    )
    def check(index, confirm_url, receipt, full_name, names, district_name):
        delivery = deliveries[index]
        payload = {"petition_id": petition.id, "confirm_url": confirm_url}
        if receipt is not None:
            payload["receipt"] = receipt
        delivery.event.payload = seal_payload(payload)
        deputy.full_name, deputy.names, district.name = full_name, names, district_name
        db.session.flush()
        shared, alone = _pair(delivery, SharedRenders())
        assert shared == alone

    check()


def test_a_link_and_a_receipt_are_escaped_in_the_html(app, make):
    delivery = _confirmations(_scenario(make))[2]  # en
    receipt = "<b>R&D</b> \"quoted\" 'single'"
    delivery.event.payload = seal_payload(
        {"confirm_url": 'http://recall.test/c?a=1&b="2"', "receipt": receipt}
    )
    shared, alone = _pair(delivery, SharedRenders())
    assert shared == alone
    html = _html(shared)
    assert 'href="http://recall.test/c?a=1&amp;b=&#34;2&#34;"' in html
    assert "&lt;b&gt;R&amp;D&lt;/b&gt; &#34;quoted&#34; &#39;single&#39;" in html
    assert "<b>" not in html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("To {{ delivery.recipient }}: {{ payload.confirm_url }}", "<p>{{ payload.receipt }}</p>"),
        ("{{ payload.confirm_url|upper }}", "<p>{{ payload.receipt|lower }}</p>"),
        ("{{ payload.confirm_url }} {{ payload.petition_id }}", "<p>{{ subject_row.id }}</p>"),
    ],
)
def test_a_template_reading_more_of_a_recipient_is_rendered_for_each(app, make, text, html):
    """A template of a shared kind that prints the delivery's address or another payload value,
    or changes a value with a filter, is not shared: every signer gets their own mail."""
    deliveries = _confirmations(_scenario(make))[:3]
    kind = "email/signature.confirmation_requested"
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({f"{kind}.txt": text, f"{kind}.html": html}), app.jinja_env.loader]
    )
    renders = SharedRenders()
    for delivery in deliveries:
        shared, alone = _pair(delivery, renders)
        assert shared == alone
    assert not any(renders._kept.values())


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_a_body_is_encoded_line_by_line(text):
    """What lets a shared rendering encode its fixed lines once."""
    lines = body_lines(text)
    assert "\r\n".join(qp_line(line) for line in lines) == qp_body(text)
