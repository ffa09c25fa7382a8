"""E-mail: render a delivery from templates in the recipient's language, send it over SMTP.

Templates are ``templates/email/<event kind>.txt`` and ``.html``; a kind without its own
templates uses ``email/generic.*``, which tells the event from its payload. A template sets the
subject line with ``{% set subject = ... %}``. Without ``MAIL_SERVER`` a message is logged to the
console and written as an ``.eml`` file into ``MAIL_FOLDER`` so a developer can open its links.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import random
import re
import smtplib
import ssl
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, quoprimime
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.policy import Compat32
from email.policy import default as default_policy
from email.utils import formatdate, getaddresses
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from jinja2 import TemplateError, pass_context
from markupsafe import Markup
from werkzeug.routing import BuildError

from recall.i18n import format_iso
from recall.models.notifications import Delivery
from recall.models.outbox import Event
from recall.notifications.errors import PermanentDeliveryError, TemporaryDeliveryError
from recall.notifications.recipients import petition_of
from recall.services.sealing import (
    SEALED_KEY,
    SECRET_PAYLOAD_KEYS,
    SealedPayloadError,
    open_payload,
)

logger = logging.getLogger(__name__)

# Human names of event kinds, for the generic template's subject and text.
KIND_LABELS = {
    "signature.confirmation_requested": _l("Confirm your signature"),
    "appeal_signature.confirmation_requested": _l("Confirm your signature on an appeal"),
    "signature.already_signed": _l("You have already signed this petition"),
    "signature.withdrawn": _l("Your signature was withdrawn"),
    "initiative.invited": _l("You are invited to an initiative group"),
    "account.confirmation_requested": _l("Confirm your e-mail address"),
    "account.registration_attempted": _l("Someone tried to register with your e-mail address"),
    "petition.opened": _l("A recall petition was started"),
    "deputy.recall_openable": _l("A recall of this deputy can now be opened"),
    "petition.submitted": _l("A recall petition was submitted to the commission"),
    "petition.registered": _l("A recall petition was registered"),
    "petition.rejected": _l("A recall petition was refused registration"),
    "petition.milestone": _l("A recall petition reached a milestone"),
    "petition.threshold_met": _l("A recall petition has enough signatures"),
    "petition.threshold_lost": _l("A recall petition no longer has enough signatures"),
    "petition.closed": _l("Signing closed on a recall petition"),
    "petition.verification_started": _l("The commission started checking signatures"),
    "petition.certified": _l("The commission certified a recall petition"),
    "petition.vote_recorded": _l("The result of a recall vote was recorded"),
    "promise.created": _l("A new promise was recorded"),
    "promise.status_changed": _l("A promise changed status"),
    "promise.disputed": _l("A promise rating was disputed"),
    "promise.dispute_resolved": _l("A dispute about a promise was resolved"),
    "misuse_report.received": _l("We received your report"),
    "petition.source_flagged": _l("A signing pattern was flagged on a petition"),
    "iin_watch.appeared": _l("Your IIN appeared on a petition"),
    "iin_watch.started": _l("You are watching your IIN"),
    "audit.head_published": _l("Today's head of the commission's audit log"),
    "petition.audit_head": _l("Today's head of the commission's audit log"),
    "appeal.submitted": _l("An appeal was sent to moderation"),
    "appeal.published": _l("An appeal was published"),
    "appeal.rejected": _l("An appeal was rejected by the moderators"),
    "appeal.threshold_reached": _l("An appeal has enough constituents: an answer is due"),
    "appeal.answered": _l("An appeal was answered"),
    "appeal.overdue": _l("An appeal is overdue: no answer by the due date"),
    "appeal.closed": _l("An appeal was closed"),
    "appeal.merged": _l("Your appeal repeats an open one and was merged into it"),
    "appeal.update_published": _l("An update from the people behind an appeal"),
    "petition.update_published": _l("An update from the initiators of a recall petition"),
    "deputy.report_card": _l("The monthly report card of a deputy you follow"),
    "follower.updates_digest": _l("Updates from the petitions you follow"),
    "body.report_card": _l("The monthly report card of a body you follow"),
}
# How the generic template names payload fields, in the reader's language. Ids stay out (the mail
# links to the subject's page); a field not named here is listed under its own key.
PAYLOAD_LABELS = {
    "percent": _l("Share of the required signatures, %"),
    "dimension": _l("Kind of source"),
    "source": _l("Source"),
    "signatures": _l("Signatures"),
    "hour_total": _l("Signatures that hour"),
    "share_percent": _l("Share of that hour, %"),
    "flag_reason": _l("Why it was flagged"),
    "channel": _l("How it was signed"),
    "report_url": _l("Not you? Report the misuse of your IIN with one click"),
    "hour": _l("Hour"),
    "required": _l("Signatures required"),
    "required_signatures": _l("Signatures required"),
    "registered_voters": _l("Registered voters"),
    "valid": _l("Valid signatures"),
    "invalid": _l("Invalid signatures"),
    "opens_at": _l("Signing opens"),
    "opens_on": _l("A recall can be opened from"),
    "open_until": _l("A recall can be opened until"),
    "closes_at": _l("Signing closes"),
    "outcome": _l("Outcome"),
    "recalled": _l("Recalled"),
    "vote_valid": _l("The vote was valid"),
    "reason": _l("Reason"),
    "group_size": _l("Members of the initiative group"),
    "title": _l("Title"),
    "status": _l("Status"),
    "withdrawn": _l("Withdrawn by the initiators"),
    "threshold": _l("Constituent signatures for an answer"),
    "response_due_at": _l("Answer due by"),
    "update": _l("Update"),
    "merged_into": _l("The open appeal to sign instead"),
    "original_title": _l("Its title"),
    "month": _l("Month"),
    "kept": _l("Kept"),
    "broken": _l("Broken"),
    "in_the_works": _l("In the works"),
    "rated": _l("Rated"),
    "kept_percent": _l("Kept share of rated promises, %"),
    "kept_change": _l("Kept: change since the month before"),
    "broken_change": _l("Broken: change since the month before"),
    "in_the_works_change": _l("In the works: change since the month before"),
    "report_card": _l("The report card"),
}
# Where an event's subject can be seen, tried in order (endpoints other areas may not have yet).
# Long header lines stay whole: a folded or encoded List-Unsubscribe URL would not work.
MAIL_POLICY = default_policy.clone(max_line_length=998)


class _PlainHeadersCompat32(Compat32):
    """``compat32`` that writes a header whose value is one line of printable ASCII words as it
    is, which is what ``compat32`` writes for it after building and encoding a ``Header`` (a
    third of the time to flatten a message, for about ten headers a message). Anything else
    (non-ASCII, runs of blanks, too long to stay on one line) goes the ``Header`` way.
    """

    def _fold(self, name, value, sanitize):
        if (
            isinstance(value, str)
            and len(name) + 2 + len(value) <= (self.max_line_length or 0)
            and _PLAIN_HEADER_VALUE.fullmatch(value)
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


_PLAIN_HEADER_VALUE = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
FAST_MAIL_POLICY = _PlainHeadersCompat32(max_line_length=998)
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP
SUBJECT_ENDPOINTS = {
    "deputy": ("public.show_deputy", "deputy_id"),
    "petition": ("petitions.show_petition", "petition_id"),
    "promise": ("promises.show_promise", "promise_id"),
    "appeal": ("appeals.show_appeal", "appeal_id"),
    "body": ("promises.body_report_card", "body_id"),
}


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link on ``PUBLIC_BASE_URL``, buildable outside a request (jobs, commands)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def subject_url(event: Event) -> str | None:
    """A link to the page of the event's subject, when that page exists."""
    endpoint = SUBJECT_ENDPOINTS.get(event.subject_type)
    if endpoint is None:
        return None
    try:
        return public_url(endpoint[0], **{endpoint[1]: event.subject_id})
    except BuildError:
        return None


def unsubscribe_url(delivery: Delivery) -> str | None:
    """The one-click unsubscribe link of a follower mail (None for other mails)."""
    if delivery.follow_id is None:
        return None
    from recall.services.notifications.follows import unsubscribe_token

    return public_url("notifications.unsubscribe", token=unsubscribe_token(delivery.follow_id))


def mail_locale(delivery: Delivery) -> str:
    """The language a delivery's mail is written in."""
    languages = current_app.config["LANGUAGES"]
    return (
        delivery.locale
        if delivery.locale in languages
        else current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def payload_lines(payload: dict[str, Any], subject_type: str = "") -> list[tuple[str, Any]]:
    """The payload fields the generic template lists, as (label, value) in the current language.

    Codes (states, outcomes, channels) read as words, through the pages' one mapping.
    """
    from recall.services.words import payload_word

    lines = []
    for key, value in sorted(payload.items()):
        if key in SECRET_PAYLOAD_KEYS or key == SEALED_KEY or key.endswith("_id"):
            continue
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        value = format_iso(payload_word(subject_type, key, value))
        lines.append((str(PAYLOAD_LABELS.get(key, key)), value))
    return lines


def message_reference(delivery: Delivery) -> str:
    """A name for a delivery's message: stable across resends, yet without its sequential id.

    32 hex digits of an HMAC of the id (``SECRET_KEY``): ids in two signers' mails would tell
    how many signatures (and other events) came between them, even while a count is sealed.
    """
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(
        key, f"recall.mail.delivery:{delivery.id}".encode(), hashlib.sha256
    ).hexdigest()[:32]


def render_email(
    delivery: Delivery,
    event: Event,
    subject: Any,
    petitions: dict[int, Any] | None = None,
) -> Message | WireMail:
    """Build the multipart (text + HTML) message of an e-mail delivery, in its recipient's language.

    ``petitions`` (petition id -> row) is shared by the messages of one batch: in a surge every
    confirmation names the same petition's deputy and district, which would otherwise be loaded
    again for each message (three queries a mail, the larger part of a worker's CPU in a profile).

    Raises ``PermanentDeliveryError`` when the templates cannot be rendered.
    """
    unsubscribe = unsubscribe_url(delivery)
    payload = opened_payload(event)
    context = template_context(
        event.kind,
        event=event,
        payload=payload,
        subject_row=subject,
        delivery=delivery,
        subject_url=subject_url(event),
        unsubscribe_url=unsubscribe,
        locale=mail_locale(delivery),
        # The petition an event is about, loaded only by the templates that name it (issue 14:
        # the confirmation mail names the deputy).
        event_petition=lambda: petition_of(event, subject, petitions),
    )
    title, text, html = render_templates(
        event.kind, context, lambda: payload_lines(payload, event.subject_type)
    )
    return build_message(title, message_headers(delivery, unsubscribe), text, html)


def template_context(kind: str, **values: Any) -> dict[str, Any]:
    """What the e-mail templates see: ``values`` (``event``, ``payload``, ``subject_row``,
    ``delivery``, ``subject_url``, ``unsubscribe_url``, ``locale``, ``event_petition``) and what
    is the same for every mail of ``kind``."""
    return {
        **values,
        "kind_label": KIND_LABELS.get(kind, kind),
        "site_url": current_app.config["PUBLIC_BASE_URL"],
        "public_url": public_url,
    }


def opened_payload(event: Event) -> dict[str, Any]:
    """The event's payload with its sealed values opened, for the templates."""
    try:
        return open_payload(event.payload)
    except SealedPayloadError as exc:
        raise PermanentDeliveryError(str(exc)) from exc


def render_templates(kind: str, context: dict[str, Any], lines) -> tuple[str, str, str]:
    """The subject line (blanks collapsed), text and HTML of a mail of ``kind`` from its
    templates, in ``context["locale"]``; ``lines()`` gives the generic template's
    ``payload_lines`` in that language. Raises ``PermanentDeliveryError`` on a template error."""
    env = current_app.jinja_env
    names = [f"email/{kind}", "email/generic"]
    try:
        with force_locale(context["locale"]):
            context["gettext"] = _bound_gettext(get_translations().ugettext)
            if isinstance(context["kind_label"], LazyString):
                # Translated once, not at each use; marked safe as the lazy string's __html__ is.
                context["kind_label"] = Markup(str(context["kind_label"]))
            context["payload_lines"] = lines()
            text_module = _module(env.select_template([f"{n}.txt" for n in names]), context)
            html = str(_module(env.select_template([f"{n}.html" for n in names]), context))
            text = str(text_module)
            title = str(getattr(text_module, "subject", "") or KIND_LABELS.get(kind, kind))
    except TemplateError as exc:
        raise PermanentDeliveryError(f"template error: {exc}") from exc
    return " ".join(title.split()), text, html


def message_headers(delivery: Delivery, unsubscribe: str | None) -> dict[str, str]:
    """The headers of a delivery's message other than its subject and MIME structure."""
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "recall.local"
    # Stable per delivery: if a rare crash makes us send twice, receiving systems can tell.
    reference = message_reference(delivery)
    headers = {
        "From": current_app.config["MAIL_DEFAULT_SENDER"],
        "To": delivery.recipient,
        "Date": formatdate(localtime=False, usegmt=True),
        "Message-ID": f"<{reference}@{host}>",
        "X-Recall-Delivery": reference,
    }
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _module(template, context: dict[str, Any]):
    """``template.make_module(context)``, its globals merged with plain dict updates.

    Jinja merges a template's globals (a ``ChainMap`` of about fifty, Flask's and ours) into each
    new context key by key: 70 us a template, twice per message. The context is the same (the
    globals, then the values given); ``str()`` of the module is what ``render`` returns.
    """
    merged: dict[str, Any] = {}
    for layer in reversed(getattr(template.globals, "maps", [template.globals])):
        merged.update(layer)
    merged.update(context)
    return template.make_module(merged, shared=True)


def _bound_gettext(ugettext):
    """The templates' ``_()`` bound to one catalogue, as Jinja's i18n extension builds it (new
    style: the translation is a format string, marked safe in HTML before the values go in).

    Flask-Babel's own looks the catalogue up again for every string (``g``, the domain, the
    locale's name): half of a confirmation's template time in a profile. The catalogue is the
    one it would find, so the text is the same.
    """

    @pass_context
    def gettext(context, string, **variables):
        translated = ugettext(string)
        if context.eval_ctx.autoescape:
            translated = Markup(translated)
        return translated % variables

    return gettext


def build_message(
    subject: str, headers: dict[str, str], text: str, html: str
) -> Message | WireMail:
    """A multipart/alternative message (text, then HTML), UTF-8 bodies in quoted-printable.

    With ASCII headers (the subject may be anything: it is RFC 2047-encoded) the message is
    written straight into the bytes SMTP sends (``WireMail``); any other header that is not ASCII
    (an internationalised address) takes the ``EmailMessage`` path, which knows how to encode it
    and is sent with ``smtplib``'s ``send_message`` (SMTPUTF8 where the address needs it).
    """
    if not ascii_headers(headers):
        message = EmailMessage(policy=MAIL_POLICY)
        message["Subject"] = subject
        for name, value in headers.items():
            message[name] = value
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        return message
    return wire_message(subject, headers, qp_body(text), qp_body(html))


def ascii_headers(headers: dict[str, str]) -> bool:
    """Whether ``wire_message`` can write these headers (else ``build_message`` builds a
    ``Message``)."""
    return all(value.isascii() for value in headers.values())


def wire_message(subject: str, headers: dict[str, str], text_qp: str, html_qp: str) -> WireMail:
    """``build_message``'s message for ASCII ``headers``, from bodies already encoded
    (``qp_body``)."""
    # The boundary is chosen here, in the generator's own format: left to the generator, each
    # message compiles a regular expression of its random boundary (to check the text for it),
    # which also pushes the patterns other code uses out of ``re``'s cache. No check is needed:
    # both parts are quoted-printable, where "==" never occurs.
    boundary = "=" * 15 + f"{random.randrange(sys.maxsize):019d}" + "=="
    fold = _WIRE_POLICY.fold_binary
    head = [
        fold("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        b"MIME-Version: 1.0\r\n",
        fold("Subject", subject if subject.isascii() else Header(subject, "utf-8")),
        *(fold(name, value) for name, value in headers.items()),
        b"\r\n",
    ]
    return WireMail(
        _envelope_sender(headers["From"]),
        _envelope_recipients(headers["To"]),
        b"".join(head)
        + (
            f"--{boundary}\r\n{_text_part(text_qp, 'plain')}\r\n"
            f"--{boundary}\r\n{_text_part(html_qp, 'html')}\r\n"
            f"--{boundary}--\r\n"
        ).encode("ascii"),
    )


class WireMail:
    """A rendered e-mail as SMTP sends it: the envelope and the message's bytes (CRLF line ends).

    The bytes are what the standard library's generator writes for the same ``compat32``
    multipart message (``MIMEMultipart`` with two quoted-printable ``MIMEText`` parts), written
    directly, and sent with ``sendmail`` and the envelope worked out here: building the
    ``Message`` objects, flattening them, and ``send_message`` parsing the addresses back out of
    the headers cost more than the rest of sending a confirmation (``benchmarks/mail_profile.py``). The one difference:
    ``send_message``'s generator also wrote ">From " for a body line that starts with "From "
    (an mbox habit, which corrupts quoted-printable text), ``as_bytes`` never did, nor does this.
    """

    __slots__ = ("data", "recipients", "sender")

    def __init__(self, sender: str, recipients: list[str], data: bytes):
        self.sender, self.recipients, self.data = sender, recipients, data

    def as_bytes(self) -> bytes:
        """The message with LF line ends, as ``Message.as_bytes()`` gives it."""
        return self.data.replace(b"\r\n", b"\n")

    __bytes__ = as_bytes

    def as_string(self) -> str:
        return self.as_bytes().decode("ascii")


_WIRE_POLICY = FAST_MAIL_POLICY.clone(linesep="\r\n")
# ``_write_lines``'s line ends, which the generator turns into the policy's.
_LINE_END = re.compile(r"\r\n|\r|\n")


def _text_part(encoded: str, subtype: str) -> str:
    """A UTF-8 quoted-printable part as the generator writes what ``MIMEText(text, subtype,
    utf-8 QP)`` builds: its three headers, a blank line, the body (``qp_body(text)``)."""
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + encoded
    )


def qp_body(text: str) -> str:
    """``text`` in UTF-8 quoted-printable as a ``MIMEText`` part's body is written for SMTP."""
    return _LINE_END.sub("\r\n", _UTF8_QP.body_encode(text))


def body_lines(text: str) -> list[str]:
    """``text`` split at its line ends, as ``qp_body`` splits it (one line more when it ends
    with one: an empty last line, whose encoding is empty)."""
    return _LINE_END.split(text)


def qp_line(line: str) -> str:
    """``qp_body`` of one line (no CR or LF in it). A body's encoding is its lines' encodings
    joined by CRLF: the encoder splits the text at its line ends and encodes each line alone."""
    return quoprimime.body_encode(line.encode("utf-8").decode("latin-1"), eol="\r\n")


@functools.lru_cache(maxsize=16)
def _envelope_sender(from_header: str) -> str:
    """The MAIL FROM address of a ``From`` header, as ``send_message`` takes it (the same for
    every message: parsed once)."""
    return getaddresses([from_header])[0][1]


# An address ``getaddresses`` leaves as it is (dot-atoms on both sides).
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)


def _envelope_recipients(to_header: str) -> list[str]:
    """The RCPT TO addresses of a ``To`` header, as ``send_message`` takes them."""
    if _PLAIN_ADDRESS.fullmatch(to_header):
        return [to_header]
    return [address for _name, address in getaddresses([to_header])]


_reuse = threading.local()


@contextlib.contextmanager
def reused_smtp_connection(senders: int = 1) -> Iterator[None]:
    """Within this block (a worker's life), ``send_email`` keeps one SMTP connection per thread.

    Opening a connection costs a TCP handshake, the greeting, EHLO and possibly STARTTLS and
    AUTH, several times what one message costs. A kept connection idle for more than
    ``IDLE_CHECK_SECONDS`` is checked with ``NOOP`` before the next message (servers drop idle
    clients) and thrown away after any error, so a message is still sent at most once per call.
    Outside the block every message gets its own connection, as before.

    ``senders`` > 1 also starts that many sending threads, each with a kept connection of its
    own, for ``parallel_sender`` (a batch's messages go out side by side: each message waits
    for four SMTP replies, and on a busy machine every reply waits for the CPU).
    """
    _reuse.active = True
    pool = None
    if senders > 1:
        pool = ThreadPoolExecutor(
            max_workers=senders, thread_name_prefix="smtp", initializer=_mark_reusing
        )
    _reuse.pool = pool
    try:
        yield
    finally:
        _reuse.active = False
        _reuse.pool = None
        if pool is not None:
            pool.shutdown(wait=True)
        _drop_kept_connection()


def _mark_reusing() -> None:
    _reuse.active = True


def parallel_sender() -> ThreadPoolExecutor | None:
    """The sending threads of the surrounding ``reused_smtp_connection(senders=N)``, if any."""
    return getattr(_reuse, "pool", None)


def send_email_in(app, message: Message | WireMail, delivery_id: int) -> None:
    """``send_email`` from a sending thread (which has no application context of its own)."""
    with app.app_context():
        send_email(message, delivery_id)


def _connect(config) -> smtplib.SMTP:
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(
            config["MAIL_SERVER"],
            config["MAIL_PORT"],
            timeout=config["MAIL_TIMEOUT"],
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        )
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _drop_kept_connection() -> None:
    smtp = getattr(_reuse, "smtp", None)
    _reuse.smtp, _reuse.used_at = None, 0.0
    if smtp is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.close()


def _kept_connection(config) -> smtplib.SMTP:
    key = tuple(config.get(name) for name in _CONNECTION_SETTINGS)
    smtp = getattr(_reuse, "smtp", None)
    if smtp is not None and _reuse.key == key:
        if time.monotonic() - _reuse.used_at < IDLE_CHECK_SECONDS:
            return smtp  # used a moment ago (a batch): no NOOP round trip per message
        try:
            if smtp.noop()[0] == 250:
                return smtp
        except (smtplib.SMTPException, OSError):
            pass
    _drop_kept_connection()
    _reuse.smtp, _reuse.key = _connect(config), key
    return _reuse.smtp


# A kept connection idle longer than this is checked with NOOP before the next message.
IDLE_CHECK_SECONDS = 2.0


_CONNECTION_SETTINGS = (
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_SSL",
    "MAIL_USE_TLS",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
)


def send_email(message: Message | WireMail, delivery_id: int) -> None:
    """Send over SMTP, or log and write an ``.eml`` file when ``MAIL_SERVER`` is not set.

    Raises ``PermanentDeliveryError`` for SMTP 5xx replies and ``TemporaryDeliveryError`` for
    4xx replies, refused connections and timeouts. Inside ``reused_smtp_connection`` the
    connection is kept for the next message.
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        _write_to_folder(message, delivery_id)
        return
    try:
        if getattr(_reuse, "active", False):
            smtp = _kept_connection(config)
            try:
                _send_over(smtp, message)
            except BaseException:
                _drop_kept_connection()  # the session's state is unknown now
                raise
            _reuse.used_at = time.monotonic()
        else:
            with _connect(config) as smtp:
                _send_over(smtp, message)
    except smtplib.SMTPRecipientsRefused as exc:
        refusals = [
            (code, f"{address}: {_text(reply)}")
            for address, (code, reply) in exc.recipients.items()
        ]
        code = min((c for c, _r in refusals), default=451)
        raise _smtp_error(code, "; ".join(r for _c, r in refusals)) from exc
    except smtplib.SMTPResponseException as exc:
        raise _smtp_error(exc.smtp_code, exc.smtp_error) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryDeliveryError(f"SMTP: {exc.__class__.__name__}: {exc}") from exc


def _send_over(smtp: smtplib.SMTP, message: Message | WireMail) -> None:
    if isinstance(message, WireMail):  # envelope and bytes ready: nothing for smtplib to parse
        smtp.sendmail(message.sender, message.recipients, message.data)
    else:
        smtp.send_message(message)


def _text(reply: Any) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _smtp_error(code: int, detail: Any) -> Exception:
    text = f"SMTP {code}: {_text(detail)}"
    return PermanentDeliveryError(text) if 500 <= code < 600 else TemporaryDeliveryError(text)


def mail_file(delivery_id: int) -> Path:
    """Where a delivery's message is written when there is no ``MAIL_SERVER``."""
    return Path(current_app.config["MAIL_FOLDER"]) / f"delivery-{delivery_id}.eml"


def _write_to_folder(message: Message | WireMail, delivery_id: int) -> None:
    path = mail_file(delivery_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = bytes(message)
    path.write_bytes(data)
    message = message_from_bytes(data, policy=default_policy)  # decoded, to show it readably
    text = message.get_body(("plain",))
    if current_app.config.get("RECALL_ENV") == "production":
        # A production log keeps no one's address, link or code (issue 19): the file has them,
        # and the purge deletes it (mail_file).
        logger.info("mail (no MAIL_SERVER) for delivery %s -> %s", delivery_id, path)
        return
    # Development: the console is where a developer reads the confirmation links.
    logger.info(
        "mail (no MAIL_SERVER) to %s: %s -> %s\n%s",
        message["To"],
        message["Subject"],
        path,
        text.get_content() if text is not None else "",
    )
