"""Factory functions for test data. Each takes overrides and flushes; tests commit when they need to."""

from __future__ import annotations

import itertools
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path

from recall.extensions import db
from recall.models import (
    Body,
    BodyKind,
    BodyLevel,
    CertificationProposal,
    ClaimState,
    Deputy,
    DeputyStatus,
    District,
    MandateType,
    Organization,
    Party,
    Petition,
    PetitionState,
    RecallRuleVersion,
    Role,
    Signature,
    SignatureClaim,
    SignatureSource,
    SignatureStatus,
    User,
)
from recall.models.appeal import Appeal, AppealState
from recall.models.base import utcnow
from recall.models.notifications import Channel, Delivery, DeliveryStatus, Recipient
from recall.models.outbox import Event
from recall.rules.iin import make_iin, parse_iin
from recall.rules.rule_presets import PRESETS
from recall.services.deputies.body_kinds import get_kind
from recall.services.iin_hash import hash_iin

_seq = itertools.count(1)
PASSWORD = "correct horse battery"
_hash_cache: dict[str, str] = {}


def _saved(model, values: dict, overrides: dict):
    """A ``model`` row from the factory's ``values`` with the test's ``overrides``, flushed."""
    obj = model(**{**values, **overrides})
    db.session.add(obj)
    db.session.flush()
    return obj


def _password_hash(password: str) -> str:
    # scrypt is slow on purpose; hash the shared test password once per process.
    if password not in _hash_cache:
        probe = User(email="x@x", display_name="x", password_hash="")
        probe.set_password(password)
        _hash_cache[password] = probe.password_hash
    return _hash_cache[password]


def body(**overrides) -> Body:
    n = next(_seq)
    values = {
        "slug": f"body-{n}",
        "name": f"Test Body {n}",
        "kind": BodyLevel.MAZHILIS,
        "seats_total": 98,
        "seats_party_list": 69,
    }
    values.update(overrides)
    # ``kind`` (or the old name ``level``) may be a kind's code: the kind is looked up (seeded
    # kinds are created on first use, since tests start from empty tables).
    kind = values.pop("level", None) or values["kind"]
    values["kind"] = kind if isinstance(kind, BodyKind) else get_kind(kind)
    obj = Body(**values)
    db.session.add(obj)
    db.session.flush()
    return obj


def district(body: Body | None = None, **overrides) -> District:
    body = body or globals()["body"]()
    n = next(_seq)
    values = {
        "body": body,
        "number": n,
        "name": f"District {n}",
        "region": "Almaty",
        "registered_voters": 100_000,
        "voters_as_of": date(2023, 3, 19),
    }
    return _saved(District, values, overrides)


def party(**overrides) -> Party:
    n = next(_seq)
    values = {"name": f"Party {n}", "short_name": f"P{n}"}
    return _saved(Party, values, overrides)


def deputy(district: District | None = None, **overrides) -> Deputy:
    """A serving single-mandate deputy (pass ``mandate_type=MandateType.PARTY_LIST`` for a list one)."""
    n = next(_seq)
    mandate = overrides.pop("mandate_type", MandateType.SINGLE_MANDATE)
    if mandate != MandateType.PARTY_LIST:
        district = district or globals()["district"]()
        body_obj = overrides.pop("body", district.body)
    else:
        body_obj = overrides.pop("body", None) or globals()["body"]()
        district = None
    values = {
        "full_name": f"Deputy {n}",
        "body": body_obj,
        "mandate_type": mandate,
        "district": district,
        "term_start": date(2023, 3, 29),
        "term_end": date(2028, 3, 28),
        "status": DeputyStatus.SERVING,
        "external_id": f"test-{n}",
    }
    return _saved(Deputy, values, overrides)


def organization(**overrides) -> Organization:
    n = next(_seq)
    values = {"name": f"Watchdog {n}"}
    return _saved(Organization, values, overrides)


def user(role: Role | str = Role.CITIZEN, password: str = PASSWORD, **overrides) -> User:
    """A user holding ``role`` (monitors get a new organization, commissioners a new body unless given)."""
    n = next(_seq)
    role = Role(role)
    values = {
        "email": f"user{n}@example.org",
        "display_name": f"User {n}",
        "locale": "en",
        "password_hash": _password_hash(password),
        "email_confirmed_at": utcnow(),
    }
    if role == Role.MONITOR and "organization" not in overrides:
        values["organization"] = organization()
    if role == Role.COMMISSIONER and "commission_body" not in overrides:
        values["commission_body"] = body()
    if role == Role.ADMIN:
        values["is_admin"] = True
    if role == Role.MODERATOR:
        values["is_moderator"] = True
    if role == Role.DEPUTY and "deputy_id" not in overrides and "deputy" not in overrides:
        values["deputy_id"] = deputy().id
    return _saved(User, values, overrides)


def iin(born: date = date(1985, 6, 15), sex: str = "female", serial: int | None = None) -> str:
    """A valid IIN of someone born on ``born``: a new one on every call unless ``serial`` is given.

    ``make_iin`` moves an unissuable serial to the next one, which a later call would ask for
    again: such serials are skipped, so two calls never return the same number.
    """
    if serial is not None:
        return make_iin(born, sex, serial)
    while True:
        wanted = next(_seq) % 10_000
        value = make_iin(born, sex, wanted)
        if value[7:11] == f"{wanted:04d}":
            return value


def rule_version(
    preset: str = "kz_mazhilis_single_mandate",
    *,
    key: str | None = None,
    is_preset: bool = False,
    **changes,
) -> RecallRuleVersion:
    """Version 1 of the ``preset`` rule with ``changes`` merged into its data, under a new key."""
    data = {**PRESETS[preset].to_dict(), **changes}
    obj = RecallRuleVersion(
        key=key or f"{preset}-{next(_seq)}",
        version=1,
        name=data["name"],
        data=data,
        is_preset=is_preset,
    )
    db.session.add(obj)
    db.session.flush()
    return obj


# Registration opens signing: before it a petition has no window, count or threshold.
_UNREGISTERED = {PetitionState.GATHERING_GROUP, PetitionState.SUBMITTED, PetitionState.REJECTED}


def petition(
    deputy: Deputy | None = None,
    *,
    initiator: User | None = None,
    state: PetitionState = PetitionState.COLLECTING,
    rule_version: RecallRuleVersion | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    registered: int | None = 1000,
    required: int | None = 100,
    **overrides,
) -> Petition:
    """A petition row of ``deputy`` in ``state``, written directly (no service, no events).

    A registered petition (``COLLECTING`` and after) signs from a day ago for 30 days unless
    ``opens_at``/``closes_at`` say otherwise; an unregistered one has no window, ``registered``
    or ``required``. Timestamps of transitions (``closed_at``...) are set only when passed.
    """
    deputy = deputy or globals()["deputy"]()
    values = {
        "deputy": deputy,
        "district": deputy.district,
        "body": deputy.body,
        "rule_version": rule_version or globals()["rule_version"](),
        "state": state,
        "grounds": "Broken promises: the school promised in the district was never started.",
        "initiator": initiator or user(),
    }
    if state not in _UNREGISTERED:
        opens_at = opens_at or utcnow() - timedelta(days=1)
        closes_at = closes_at or opens_at + timedelta(days=30)
        values |= {
            "opens_at": opens_at,
            "closes_at": closes_at,
            "registered_voters": registered,
            "required_signatures": required,
        }
    return _saved(Petition, values, overrides)


def signature(
    petition: Petition,
    iin: str | None = None,
    full_name: str = "Aigerim Omarova",
    *,
    status: SignatureStatus = SignatureStatus.CONFIRMED,
    at: datetime | None = None,
    source: SignatureSource = SignatureSource.ONLINE,
    email: str | None = "signer@example.org",
    sheet: int | None = None,
    line: int | None = None,
    duplicate_of: Signature | None = None,
    **overrides,
) -> Signature:
    """A signature row on ``petition`` made at ``at`` (default: a day after signing opened).

    ``iin`` defaults to a new adult's; birth date and last four digits come from it. A paper
    signature gets a sheet and line. The petition's counters are not touched: call
    ``counting.recount`` when the test needs them.
    """
    iin = iin or globals()["iin"]()
    info = parse_iin(iin)
    at = at or (petition.opens_at + timedelta(days=1) if petition.opens_at else utcnow())
    if source == SignatureSource.PAPER:
        sheet = sheet or 1
        line = line or next(_seq)
    values = {
        "petition_id": petition.id,
        "iin_hash": hash_iin(iin),
        "birth_date": info.birth_date,
        "full_name": full_name,
        "email": email,
        "district_id": petition.district_id,
        "source": source,
        "paper_sheet": sheet,
        "paper_line": line,
        "status": status,
        "confirmed_at": at if status == SignatureStatus.CONFIRMED else None,
        "withdrawn_at": at + timedelta(hours=1) if status == SignatureStatus.WITHDRAWN else None,
        "receipt_hash": secrets.token_hex(32),
        "created_at": at,
        "duplicate_of_id": duplicate_of.id if duplicate_of is not None else None,
    }
    return _saved(Signature, values, overrides)


def sourced_signature(
    petition: Petition,
    *,
    address: str | None = "198.51.100.7",
    email: str = "signer@example.org",
    user_agent: str | None = "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36",
    **overrides,
) -> Signature:
    """An online signature with the pattern data a request from ``address`` with ``user_agent``
    and ``email`` leaves (``recall.services.fraud.sources.pattern_values``)."""
    from recall.rules.sources import Client
    from recall.services.fraud.sources import pattern_values

    values = pattern_values(Client(address=address, user_agent=user_agent), email)
    values.update(overrides)
    return signature(petition, email=email, **values)


def signature_claim(
    signature: Signature,
    *,
    state: ClaimState = ClaimState.CONTEST,
    full_name: str = "Somebody Else",
    email: str | None = "claimant@example.org",
    at: datetime | None = None,
) -> SignatureClaim:
    """A later signing attempt with the IIN of ``signature`` (default: a contest of a confirmed one)."""
    at = at or utcnow()
    obj = SignatureClaim(
        signature_id=signature.id,
        petition_id=signature.petition_id,
        state=state,
        full_name=full_name,
        email=email,
        receipt_hash=secrets.token_hex(32),
        expires_at=at + timedelta(hours=72),
        created_at=at,
        settled_at=at if state != ClaimState.PENDING else None,
    )
    db.session.add(obj)
    db.session.flush()
    return obj


ROLL_HEADER = ("iin", "full_name", "district_number", "address")


def roll_entry(
    iin: str | None = None,
    full_name: str = "Aigerim Bekova",
    district_number: int = 1,
    address: str = "Street 1",
    *,
    born: date = date(1970, 1, 1),
) -> tuple[str, str, int, str]:
    """One voter-roll line ``(iin, full_name, district_number, address)``; a new IIN by default."""
    return (iin or globals()["iin"](born), full_name, district_number, address)


def write_roll(path: Path, rows, header=ROLL_HEADER) -> Path:
    """Write a roll CSV at ``path``: rows are ``roll_entry`` tuples or raw lines."""
    lines = [",".join(header)]
    for row in rows:
        lines.append(row if isinstance(row, str) else ",".join(str(c) for c in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_roll(
    body: Body | int, path: Path, rows, as_of: date = date(2026, 2, 1), mode: str = "replace"
):
    """Write ``rows`` to ``path`` and import them as a roll of ``body`` (must be accepted).

    ``mode`` "replace" (default): the whole roll of the body; "partial": its districts only.
    """
    from recall.services.verification import voter_roll

    body_id = body if isinstance(body, int) else body.id
    result = voter_roll.import_file(None, body_id, as_of, str(write_roll(path, rows)), mode=mode)
    assert result.accepted, result.errors
    return result


def failed_delivery(
    signature: Signature, *, last_error: str | None = None, **overrides
) -> Delivery:
    """A failed e-mail delivery of ``signature.confirmation_requested`` to the signer's address.

    The event and delivery are written directly (no fan-out); ``last_error`` quotes the address
    unless given, as an SMTP refusal would.
    """
    event = Event(
        kind="signature.confirmation_requested",
        subject_type="signature",
        subject_id=signature.id,
        payload={"petition_id": signature.petition_id},
    )
    db.session.add(event)
    db.session.flush()
    values = {
        "event_id": event.id,
        "channel": Channel.EMAIL,
        "recipient": signature.email,
        "recipient_kind": Recipient.SIGNER,
        "status": DeliveryStatus.FAILED,
        "attempts": 3,
        "last_error": last_error or f"550 5.1.1 <{signature.email}>: mailbox unavailable",
    }
    return _saved(Delivery, values, overrides)


def certification(
    petition: Petition,
    *,
    outcome: str = "qualified",
    numbers: dict | None = None,
    confirmed: bool = True,
    **overrides,
) -> CertificationProposal:
    """A certification proposal of ``petition`` (confirmed by a second commissioner unless
    ``confirmed=False``), written directly; ``numbers`` as ``checks.Report.numbers()`` gives."""
    proposer, confirmer = user(Role.COMMISSIONER), user(Role.COMMISSIONER)
    values = {
        "petition_id": petition.id,
        "outcome": outcome,
        "numbers": numbers
        or {
            "method": "full_count",
            "required": petition.required_signatures,
            "raw": 120,
            "checked": 120,
            "valid": 110,
            "invalid": 10,
            "review": 0,
            "unchecked": 0,
            "invalid_by_reason": {"not_registered": 7, "duplicate": 3},
            "draw": None,
            "outcome": outcome,
        },
        "proposed_by_id": proposer.id,
        "confirmed_by_id": confirmer.id if confirmed else None,
        "confirmed_at": utcnow() if confirmed else None,
    }
    return _saved(CertificationProposal, values, overrides)


# ---------------------------------------------------------------- a certification authority


class CertificationAuthority:
    """A test CA built with ``cryptography``: issues personal certificates with the IIN in the
    subject (``serialNumber`` = ``IIN`` + 12 digits, as the Kazakh national CA does), revokes them,
    writes its certificate and CRL as PEM files. ``kind`` is ``rsa`` or ``ec`` (P-256)."""

    def __init__(self, name: str = "Test National CA", kind: str = "rsa") -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.x509.oid import NameOID

        self.kind = kind
        self.key = self.new_key(kind)
        self.name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = utcnow()
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(self.name)
            .issuer_name(self.name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=365))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.revoked: list[int] = []

    @staticmethod
    def new_key(kind: str):
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        if kind == "ec":
            return ec.generate_private_key(ec.SECP256R1())
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def issue(
        self,
        iin_value: str,
        *,
        kind: str = "rsa",
        valid_from: datetime | None = None,
        valid_to: datetime | None = None,
        serial_text: str | None = None,
    ):
        """(private key, certificate) of a citizen with ``iin_value``."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.x509.oid import NameOID

        key = self.new_key(kind)
        now = utcnow()
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, "ҚАСЫМОВА ӘЛИЯ"),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_text or f"IIN{iin_value}"),
                x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            ]
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid_from or now - timedelta(days=30))
            .not_valid_after(valid_to or now + timedelta(days=365))
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )
        return key, cert

    def revoke(self, cert) -> None:
        self.revoked.append(cert.serial_number)

    def crl_pem(self, *, next_update: datetime | None = None) -> bytes:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization

        now = utcnow()
        next_update = next_update or now + timedelta(days=1)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.name)
            .last_update(min(now, next_update) - timedelta(days=1))
            .next_update(next_update)
        )
        for serial in self.revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - timedelta(minutes=5))
                .build()
            )
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)

    def cert_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.cert.public_bytes(serialization.Encoding.PEM)

    def install(self, app, directory: Path, *, next_update: datetime | None = None) -> None:
        """Write this CA's certificate and CRL under ``directory`` and point the app at them."""
        (directory / "ca.pem").write_bytes(self.cert_pem())
        (directory / "crl.pem").write_bytes(self.crl_pem(next_update=next_update))
        app.config["IDENTITY_CA_FILE"] = str(directory / "ca.pem")
        app.config["IDENTITY_CRL_FILE"] = str(directory / "crl.pem")


def sign_challenge(key, text: str) -> str:
    """Base64 of ``text`` signed as a signer's software would (RSA PKCS#1 v1.5 or ECDSA, SHA-256)."""
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    data = text.encode("utf-8")
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        raw = key.sign(data, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(raw).decode("ascii")


def certificate_pem(cert) -> str:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def appeal(
    deputy: Deputy | None = None,
    *,
    body: Body | None = None,
    author: User | None = None,
    state: AppealState = AppealState.OPEN,
    threshold: int = 10,
    **overrides,
) -> Appeal:
    """An appeal row in ``state``, written directly (no service, no events, no history): to
    ``deputy`` (a new single-mandate one unless ``body`` is given: then to the whole body).
    A published one (open and after) opened a day ago for six months with ``threshold``."""
    if body is None:
        deputy = deputy or globals()["deputy"]()
    values = {
        "deputy_id": deputy.id if deputy else None,
        "body_id": deputy.body_id if deputy else body.id,
        "district_id": deputy.district_id if deputy else None,
        "author_id": (author or user()).id,
        "state": state,
        "title": "Repair the road to the school",
        "text": "The road to school number 5 has had holes for three years; children walk in mud.",
        "ask": "Put the repair of the road in next year's budget.",
    }
    if state not in (AppealState.DRAFT, AppealState.IN_MODERATION, AppealState.REJECTED):
        opens_at = utcnow() - timedelta(days=1)
        values |= {
            "opens_at": opens_at,
            "closes_at": opens_at + timedelta(days=182),
            "threshold": threshold,
            "response_days": 30,
        }
    return _saved(Appeal, values, overrides)
