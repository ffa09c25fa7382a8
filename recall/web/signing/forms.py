"""Signing forms. They check shape only (lengths); the signing service checks everything else,
so the form and the JSON API refuse the same input with the same messages."""

from __future__ import annotations

import base64

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput

PAPER_FORM_ROWS = 10

# The channels the commission enters (``channels.COMMISSION_CHANNELS``); the service refuses one
# the petition's rule does not allow, saying which it does.
ENTRY_CHANNELS = [
    SelectChoice("paper", _l("Paper sheets")),
    SelectChoice("in_person", _l("In person")),
    SelectChoice("post", _l("By post")),
    SelectChoice("proxy", _l("By proxy")),
]


def iin_field() -> StringField:
    """The IIN box of every form that asks for one: digits on a phone's keypad, never autofilled,
    and value="" so the IIN is never written back into the page (a re-shown form, a cached page)."""
    return StringField(
        _l("IIN (12 digits)"),
        validators=[Length(max=20)],
        render_kw={
            "inputmode": "numeric",
            "autocomplete": "off",
            "pattern": "[0-9 ]*",
            "value": "",
        },
    )


class SignForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        validators=[Length(max=200)],
        render_kw={"autocomplete": "name", "autocapitalize": "words"},
    )
    iin = iin_field()
    email = EmailField(
        _l("E-mail (we send you a link to confirm your signature)"),
        validators=[Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    # One box, "I am registered in district No. N (name)", whose value is the petition's district:
    # a select of every district of the body offered 28 wrong answers (issue 14). The service still
    # checks the number, so the JSON API and a forged post are refused alike.
    district_id = IntegerField(_l("I am registered in this district"), widget=CheckboxInput())
    consent = BooleanField(
        _l(
            "I agree to the processing of my personal data (name, IIN, e-mail) to count and "
            "check this signature."
        )
    )

    def signer_fields(self) -> dict:
        """The fields as the signing services take them (petitions and appeals alike)."""
        return {
            "full_name": self.full_name.data,
            "iin": self.iin.data,
            "email": self.email.data,
            "district_id": self.district_id.data or None,
            "consent": self.consent.data,
        }


class CertificateProof(FlaskForm):
    """A challenge shown on the page, signed by the citizen with their own software: the
    signature and the certificate pasted or uploaded (issue 13)."""

    # The challenge shown on the page, sent back unchanged; its MAC makes it tamper-evident.
    # Browsers send line breaks as CRLF; the challenge is signed with LF.
    challenge = HiddenField(
        validators=[Length(max=400)],
        filters=[lambda value: value.replace("\r\n", "\n") if value else value],
    )
    signature = TextAreaField(
        _l("Signature of the challenge (base64)"),
        validators=[Length(max=4096)],
        render_kw={"rows": 4, "autocomplete": "off", "spellcheck": "false"},
    )
    signature_file = FileField(_l("…or the signature file (binary or base64)"))
    certificate = TextAreaField(
        _l("Your certificate (PEM: -----BEGIN CERTIFICATE-----…)"),
        validators=[Length(max=16384)],
        render_kw={"rows": 6, "autocomplete": "off", "spellcheck": "false"},
    )
    certificate_file = FileField(_l("…or the certificate file (.pem, .crt, .cer)"))

    def signature_text(self) -> str | None:
        return uploaded_text(self.signature_file.data, self.signature.data, binary_as_base64=True)

    def certificate_text(self) -> str | None:
        return uploaded_text(self.certificate_file.data, self.certificate.data)

    def proof_fields(self) -> dict:
        """The challenge, signature and certificate as the services that verify them take them."""
        return {
            "challenge": self.challenge.data,
            "signature": self.signature_text(),
            "certificate": self.certificate_text(),
        }


class StrongSignForm(SignForm, CertificateProof):
    """Signing with a digital signature: the signing fields and the proof."""

    email = EmailField(
        _l("E-mail (optional: to withdraw your signature later, where the rules allow)"),
        validators=[Length(max=254)],
        render_kw={"autocomplete": "email"},
    )

    def signer_fields(self) -> dict:
        """The signing fields (an empty e-mail is none: it is optional here) and the proof."""
        return {**super().signer_fields(), "email": self.email.data or None, **self.proof_fields()}


class WatchForm(CertificateProof):
    """A voter asks to be told whenever their IIN appears on a petition (issue 18)."""

    iin = iin_field()
    email = EmailField(
        _l("E-mail to tell you at"),
        validators=[Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


def uploaded_text(upload, pasted: str | None, *, binary_as_base64: bool = False) -> str | None:
    """What the signer gave for a field: the uploaded file if there is one, else the pasted text.

    A signature tool may write the signature as raw bytes (``openssl dgst -sign``); those are
    sent on as base64, which is what the service reads. A DER certificate is sent on as PEM.
    """
    data = upload.read(32 * 1024) if upload is not None and getattr(upload, "filename", "") else b""
    if not data:
        return pasted
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        text = ""
    if text and (not binary_as_base64 or _looks_base64(text)):
        return text
    encoded = base64.b64encode(data).decode("ascii")
    if binary_as_base64:
        return encoded
    lines = [encoded[i : i + 64] for i in range(0, len(encoded), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def _looks_base64(text: str) -> bool:
    return all(c.isalnum() or c in "+/=\r\n" for c in text)


class ConfirmForm(FlaskForm):
    """Only the CSRF token: confirming is a POST so that mail scanners opening links confirm nothing."""


class ReceiptForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only GET lookup

    code = StringField(
        _l("Receipt code"), validators=[Length(max=40)], render_kw={"autocomplete": "off"}
    )


class WithdrawForm(FlaskForm):
    receipt = StringField(
        _l("Receipt code"), validators=[Length(max=40)], render_kw={"autocomplete": "off"}
    )
    email = EmailField(_l("E-mail you signed with"), validators=[Length(max=254)])


class PaperLineForm(Form):
    sheet = StringField(
        _l("Sheet"), validators=[Length(max=10)], render_kw={"inputmode": "numeric"}
    )
    line = StringField(_l("Line"), validators=[Length(max=10)], render_kw={"inputmode": "numeric"})
    full_name = StringField(_l("Full name"), validators=[Length(max=200)])
    iin = StringField(_l("IIN"), validators=[Length(max=20)], render_kw={"inputmode": "numeric"})
    district_number = StringField(
        _l("District No."), validators=[Length(max=10)], render_kw={"inputmode": "numeric"}
    )
    signed_on = StringField(
        _l("Signed on"), validators=[Length(max=10)], render_kw={"placeholder": "YYYY-MM-DD"}
    )


class PaperBatchForm(FlaskForm):
    channel = SelectField(
        _l("How these signatures were given"),
        choices=ENTRY_CHANNELS,
        default="paper",
        validate_choice=False,
    )
    collector = StringField(
        _l("Collected by (the name on the sheets)"), validators=[Length(max=200)]
    )
    lines = FieldList(FormField(PaperLineForm), min_entries=PAPER_FORM_ROWS, max_entries=200)
    skip_invalid = BooleanField(_l("Enter the correct lines and report the others"))


class PaperUploadForm(FlaskForm):
    file = FileField(_l("CSV file: sheet,line,full_name,iin,district_number[,signed_on][,channel]"))
    channel = SelectField(
        _l("How lines without a channel were given"),
        choices=ENTRY_CHANNELS,
        default="paper",
        validate_choice=False,
    )
    skip_invalid = BooleanField(_l("Enter the correct lines and report the others"))
