"""Strong identity by digital signature: challenges and certificate verification (``online_strong``).

Citizens of Kazakhstan hold personal certificates from the national certification authority
with their IIN in the subject (``serialNumber`` = ``IIN`` + 12 digits). To sign a petition with
one, the signer:

1. asks for a challenge (``POST /api/v1/petitions/<id>/challenge``, for an appeal
   ``/api/v1/appeals/<id>/challenge``): a short text naming the petition, a random nonce and the moment it was issued, with a MAC (``SECRET_KEY``), so the app
   needs no table to recognise it; it is good for ``CHALLENGE_MINUTES``;
2. signs the challenge's UTF-8 bytes with their private key: RSA with PKCS#1 v1.5 and SHA-256, or
   ECDSA with SHA-256 (DER signature), and sends the signature (base64) and their certificate
   (PEM) with the usual signing fields.

:func:`verify_signed_challenge` then checks, each refusal an ``Invalid`` naming its field: the
challenge is ours, for this petition and fresh; the certificate parses; it was issued (signature
verified) by a CA certificate in ``IDENTITY_CA_FILE`` marked as a CA; certificate and issuer are
inside their validity dates; a CRL in ``IDENTITY_CRL_FILE`` signed by that issuer, not past its
next update, does not list the certificate; the signature over the challenge verifies with the
certificate's key; the certificate may sign (key usage); and its subject ``serialNumber`` is
``IIN`` followed by the IIN the signer typed.

Every certificate in ``IDENTITY_CA_FILE`` is trusted as an issuer: put the national CA's issuing
certificates there (intermediates included). Missing settings fail closed. GOST keys (GOST R
34.10-2015, used by many Kazakh certificates) are out of scope: the ``cryptography`` package does
not implement them, and such a certificate is refused with a message saying so.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from flask import current_app
from flask_babel import gettext as _

from recall.errors import Invalid

PROVIDER = "online_strong"
CHALLENGE_MINUTES = 10
# What a challenge may be for: a recall petition (and, as petition 0, an IIN watch) or a
# constituent petition (an appeal). The kind is in the text and, for appeals, in the MAC, so a
# challenge for petition 7 cannot sign appeal 7 nor the other way round.
KINDS = ("petition", "appeal")
_CHALLENGE = re.compile(
    r"recall (?P<kind>petition|appeal) signature\n(?P=kind): (?P<subject>[0-9]{1,18})\n"
    r"nonce: (?P<nonce>[0-9a-f]{32})\nissued: (?P<issued>[0-9]{1,12})\nmac: (?P<mac>[0-9a-f]{64})"
)
_SERIAL = re.compile(r"IIN([0-9]{12})")
MAX_PEM = 16 * 1024
MAX_SIGNATURE = 2048


@dataclass(frozen=True)
class Challenge:
    """What the signer signs (``text``) and until when it is good."""

    text: str
    expires_at: datetime


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a verified signature proves: the IIN, and which certificate said so."""

    iin: str
    certificate_serial: int
    issuer: str


def _mac(subject_id: int, nonce: str, issued: int, kind: str = "petition") -> str:
    key = hashlib.sha256(
        b"recall.identity.challenge|" + current_app.config["SECRET_KEY"].encode()
    ).digest()
    # A petition's message is as it always was, so challenges issued before appeals still work.
    prefix = "" if kind == "petition" else f"{kind}|"
    message = f"{prefix}{subject_id}|{nonce}|{issued}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_challenge(subject_id: int, now: datetime, kind: str = "petition") -> Challenge:
    """A fresh challenge for petition (or, with ``kind`` ``appeal``, appeal) ``subject_id``
    (the caller checked that it takes signatures)."""
    nonce = secrets.token_hex(16)
    issued = int(now.timestamp())
    text = (
        f"recall {kind} signature\n{kind}: {subject_id}\nnonce: {nonce}\nissued: {issued}\n"
        f"mac: {_mac(subject_id, nonce, issued, kind)}"
    )
    return Challenge(text=text, expires_at=now + timedelta(minutes=CHALLENGE_MINUTES))


def check_challenge(
    text: str | None, subject_id: int, now: datetime, kind: str = "petition"
) -> Challenge:
    """Raise ``Invalid`` (field ``challenge``) unless ``text`` is a fresh challenge of ours for
    petition (or ``kind`` appeal) ``subject_id``; return it with its expiry."""
    match = _CHALLENGE.fullmatch(text or "")
    if match is None or not hmac.compare_digest(
        match["mac"],
        _mac(int(match["subject"]), match["nonce"], int(match["issued"]), match["kind"]),
    ):
        raise Invalid(_("This is not a challenge this site issued."), field="challenge")
    if match["kind"] != kind or int(match["subject"]) != subject_id:
        raise Invalid(_("This challenge was issued for another petition."), field="challenge")
    issued = datetime.fromtimestamp(int(match["issued"]), UTC)
    if not issued - timedelta(minutes=1) <= now < issued + timedelta(minutes=CHALLENGE_MINUTES):
        raise Invalid(
            _("This challenge has expired: ask for a new one and sign it."), field="challenge"
        )
    return Challenge(text=text or "", expires_at=issued + timedelta(minutes=CHALLENGE_MINUTES))


# ---------------------------------------------------------------- trust anchors and CRLs


def _read(setting: str) -> bytes:
    path = current_app.config.get(setting)
    if not path:
        raise Invalid(
            _("Signing with a digital signature is not available on this site."),
            field="certificate",
        )
    return Path(path).read_bytes()


def _load_cas() -> list[x509.Certificate]:
    data = _read("IDENTITY_CA_FILE")
    try:
        cas = x509.load_pem_x509_certificates(data)
    except ValueError:
        cas = [x509.load_der_x509_certificate(data)]
    return cas


def _load_crls() -> list[x509.CertificateRevocationList]:
    data = _read("IDENTITY_CRL_FILE")
    if b"-----BEGIN" not in data:
        return [x509.load_der_x509_crl(data)]
    blocks = re.findall(rb"-----BEGIN X509 CRL-----.+?-----END X509 CRL-----", data, re.S)
    return [x509.load_pem_x509_crl(block) for block in blocks]


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _within_dates(cert: x509.Certificate, now: datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def _issuer_of(cert: x509.Certificate, cas: list[x509.Certificate]) -> x509.Certificate | None:
    for ca in cas:
        if ca.subject != cert.issuer or not _is_ca(ca):
            continue
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return ca
    return None


def _check_not_revoked(cert: x509.Certificate, issuer: x509.Certificate, now: datetime) -> None:
    """Refuse unless a current CRL of ``issuer`` exists and does not list ``cert`` (fails closed)."""
    current = False
    for crl in _load_crls():
        if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):
            continue
        if crl.next_update_utc is not None and crl.next_update_utc < now:
            continue
        current = True
        if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
            raise Invalid(_("This certificate has been revoked."), field="certificate")
    if not current:
        raise Invalid(
            _(
                "The revocation status of this certificate cannot be checked right now. Please "
                "try again later or sign with the e-mail link."
            ),
            field="certificate",
        )


# ---------------------------------------------------------------- the signature itself


def _check_signature(cert: x509.Certificate, signature: bytes, data: bytes) -> None:
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            raise Invalid(
                _(
                    "Only RSA and ECDSA certificates are accepted here; GOST keys are not "
                    "supported yet."
                ),
                field="certificate",
            )
    except InvalidSignature:
        raise Invalid(
            _("The signature does not match the challenge and this certificate."),
            field="signature",
        ) from None


def _may_sign(cert: x509.Certificate) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return usage.digital_signature or usage.content_commitment


def certificate_iin(cert: x509.Certificate) -> str | None:
    """The IIN in the subject's ``serialNumber`` (``IIN`` + 12 digits), or None."""
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if len(values) != 1:
        return None
    match = _SERIAL.fullmatch(str(values[0].value).strip())
    return match[1] if match else None


def verify_signed_challenge(
    *,
    petition_id: int,
    iin: str,
    challenge: str | None,
    signature: str | None,
    certificate: str | None,
    now: datetime,
    kind: str = "petition",
) -> VerifiedIdentity:
    """Verify a signed challenge (see the module docstring); ``Invalid`` names what failed.

    ``iin`` is the IIN the signer typed (already checked); ``petition_id`` names the appeal when
    ``kind`` is ``appeal``. Reads ``IDENTITY_CA_FILE`` and ``IDENTITY_CRL_FILE`` on every call,
    so a new CRL takes effect at once. Writes nothing.
    """
    check_challenge(challenge, petition_id, now, kind)
    pem = (certificate or "").strip().encode("ascii", "replace")
    if not pem or len(pem) > MAX_PEM:
        raise Invalid(_("Send your certificate (PEM)."), field="certificate")
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise Invalid(_("This is not a certificate in PEM form."), field="certificate") from None
    try:
        raw = base64.b64decode((signature or "").strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if not raw or len(raw) > MAX_SIGNATURE:
        raise Invalid(_("Send the signature of the challenge (base64)."), field="signature")
    issuer = _issuer_of(cert, _load_cas())
    if issuer is None:
        raise Invalid(
            _("This certificate was not issued by a certification authority this site trusts."),
            field="certificate",
        )
    if not _within_dates(cert, now) or not _within_dates(issuer, now):
        raise Invalid(
            _("This certificate is not valid today (expired or not yet valid)."),
            field="certificate",
        )
    _check_not_revoked(cert, issuer, now)
    _check_signature(cert, raw, challenge.encode("utf-8"))
    if not _may_sign(cert):
        raise Invalid(_("This certificate may not be used for signing."), field="certificate")
    cert_iin = certificate_iin(cert)
    if cert_iin is None:
        raise Invalid(_("This certificate does not name an IIN."), field="certificate")
    if not hmac.compare_digest(cert_iin, iin):
        raise Invalid(
            _("This certificate belongs to another IIN than the one you entered."),
            field="iin",
        )
    return VerifiedIdentity(
        iin=cert_iin, certificate_serial=cert.serial_number, issuer=issuer.subject.rfc4514_string()
    )
