"""Pluggable confirmation of a signer's identity.

A new online signature is *pending* until its signer proves something about themself. What that
proof is belongs to a provider, chosen by the ``IDENTITY_CONFIRMATION`` setting:

* ``email_link`` (shipped): a link with a signed token is e-mailed; opening it confirms.

A provider implements :class:`IdentityConfirmation`: ``start`` is called by the signing service
right after a signature is stored (in the same transaction) and must arrange for the signer to
receive a challenge, normally by recording an outbox event; ``complete`` checks a proof the signer
brings back. The signing service never knows which provider runs, so an SMS code or a
digital-signature provider is added by writing one class and registering it (see
``docs/signing.md``), without touching ``recall.services.signing.online``.
"""

from __future__ import annotations

import base64
import hmac
import json
import zlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from recall.extensions import db
from recall.models.signature import Signature, SignatureClaim
from recall.services.outbox import record_event

CONFIRM_PATH = "/signatures/confirm/"


@dataclass(frozen=True, slots=True)
class UnsavedSignature:
    """What a provider's :meth:`IdentityConfirmation.first_event` may use of a signature not yet
    written: a plain object, because building a transient ``Signature`` (the ORM's instance
    state and attribute events) cost more than the event itself."""

    petition_id: int
    confirm_nonce: str
    receipt_hash: str


class IdentityConfirmation(ABC):
    """The contract of an identity-confirmation provider."""

    #: The value of ``IDENTITY_CONFIRMATION`` that selects this provider.
    name: str = ""

    @abstractmethod
    def start(self, signature: Signature, receipt: str) -> None:
        """Send the signer a challenge for ``signature`` (pending, flushed, with an id).

        ``receipt`` is the plain receipt code, available only now; a provider that messages the
        signer should include it, since it is shown once. Must not commit; should record an
        outbox event rather than send anything itself (delivery happens after commit).
        """

    def first_event(
        self, signature: Signature | UnsavedSignature, receipt: str
    ) -> tuple[str, dict] | None:
        """The one event ``start`` would record, if it can be built before the row has an id.

        ``signature`` is then an :class:`UnsavedSignature` (its petition, nonce and receipt
        hash: the row is not written yet). Signing
        uses it to insert the signature and its event in one statement (one round trip fewer
        per signature); ``None`` (the default) makes signing insert first and call ``start``.
        """
        return None

    @abstractmethod
    def complete(self, signature: Signature, proof: str) -> bool:
        """True when ``proof`` confirms the identity behind ``signature``. Must not write anything."""


# Payloads this short are sent as they are, without trying zlib (see _LinkSerializer).
_NEVER_SHORTER = 64


class _LinkSerializer(URLSafeSerializer):
    """itsdangerous' URL-safe serializer whose ``dumps`` makes the same tokens with the work that
    does not depend on the data done once: the key derivation, the HMAC's keying and the JSON
    encoder's set-up ran for every token (about 4% of a signature's CPU).

    One difference: a payload of at most ``_NEVER_SHORTER`` bytes is not tried with zlib.
    itsdangerous compresses when that saves two bytes, which a short repetitive payload gets
    but a link's (two random hex strings in a JSON list, 55 bytes) never does: zlib's six bytes
    of header and checksum eat what its coding saves on random text. Trying cost about 4% of a
    signature's CPU (``zlib.compress`` sets up a 256 KiB state each call). Either form is a
    valid itsdangerous token; ``tests/signing/test_link_tokens.py`` checks that tokens load
    both ways, and are itsdangerous' own byte for byte wherever it would not compress (every
    link's, and any payload longer than the limit)."""

    def __init__(self, secret_key: str, salt: str):
        super().__init__(secret_key, salt=salt)
        signer = self.make_signer()
        self._sep = signer.sep
        self._mac = hmac.new(signer.derive_key(), digestmod=signer.algorithm.digest_method)
        self._json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

    def dump_payload(self, obj) -> bytes:
        # URLSafeSerializerMixin.dump_payload, with the encoder made once.
        data = self._json.encode(obj).encode("utf-8")
        if len(data) <= _NEVER_SHORTER:
            return base64.urlsafe_b64encode(data).rstrip(b"=")
        compressed = zlib.compress(data)
        if len(compressed) < len(data) - 1:
            return b"." + base64.urlsafe_b64encode(compressed).rstrip(b"=")
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    def dumps(self, obj, salt=None) -> str:
        if salt is not None:
            return super().dumps(obj, salt)
        payload = self.dump_payload(obj)
        mac = self._mac.copy()
        mac.update(payload)
        signature = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=")
        return (payload + self._sep + signature).decode("utf-8")


@lru_cache(maxsize=8)
def _serializer(secret_key: str, salt: str) -> URLSafeSerializer:
    """One serializer per key and salt (it keeps no state)."""
    return _LinkSerializer(secret_key, salt)


class EmailLinkConfirmation(IdentityConfirmation):
    """Confirmation by opening a link e-mailed to the address given when signing.

    The token is an itsdangerous signature (``SECRET_KEY``, salt specific to this use) over the
    signature's random ``confirm_nonce`` and a fingerprint of its receipt hash: if a signature is
    ever reset (an expired one signed again), links sent for its earlier life stop working. No
    row id is in it, so two signers' links do not tell how many signed in between. Expiry is not
    in the token: the signature's own ``expires_at`` decides.
    """

    name = "email_link"
    salt = "recall.signature.confirm-email"

    def _serializer(self) -> URLSafeSerializer:
        return _serializer(current_app.config["SECRET_KEY"], self.salt)

    @staticmethod
    def _fingerprint(signature: Signature | UnsavedSignature) -> str:
        return signature.receipt_hash[:16]

    def token_for(self, signature: Signature | UnsavedSignature) -> str:
        """The token put in the confirmation link of ``signature``."""
        return self._serializer().dumps([signature.confirm_nonce, self._fingerprint(signature)])

    def confirm_url(self, signature: Signature | UnsavedSignature) -> str:
        """The absolute confirmation link (``PUBLIC_BASE_URL`` + the confirm route)."""
        return (
            current_app.config["PUBLIC_BASE_URL"].rstrip("/")
            + CONFIRM_PATH
            + self.token_for(signature)
        )

    def _token_pair(self, token: str) -> list | None:
        """The ``[nonce, check]`` pair a link token of ours carries, or None when it is not one
        (a bad signature or another shape)."""
        try:
            data = self._serializer().loads(token)
        except BadSignature:
            return None
        if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], str)):
            return None
        return data

    def signature_id(self, token: str) -> int | None:
        """The signature id a token speaks for, or None when the token is not one of ours."""
        data = self._token_pair(token)
        if data is None:
            return None
        return db.session.scalar(sa.select(Signature.id).where(Signature.confirm_nonce == data[0]))

    def _claim_token(self, claim: SignatureClaim) -> str:
        return self._serializer().dumps([claim.confirm_nonce, claim.receipt_hash[:16]])

    def claim_for(self, token: str) -> SignatureClaim | None:
        """The claim (a later signing attempt with the same IIN) a token speaks for, or None."""
        data = self._token_pair(token)
        if data is None:
            return None
        claim = db.session.scalar(
            sa.select(SignatureClaim).where(SignatureClaim.confirm_nonce == data[0])
        )
        return claim if claim is not None and claim.receipt_hash[:16] == data[1] else None

    def start_claim(self, claim: SignatureClaim, receipt: str) -> None:
        """Record ``signature.confirmation_requested`` on the claim: its own link, to its own
        address. The address of the signature it claims is not told."""
        record_event(
            "signature.confirmation_requested",
            "signature_claim",
            claim.id,
            {
                "petition_id": claim.petition_id,
                "confirm_url": current_app.config["PUBLIC_BASE_URL"].rstrip("/")
                + CONFIRM_PATH
                + self._claim_token(claim),
                "receipt": receipt,
            },
        )

    def first_event(
        self, signature: Signature | UnsavedSignature, receipt: str
    ) -> tuple[str, dict]:
        """``signature.confirmation_requested`` with the link and the receipt code.

        Needs only the signature's nonce, receipt hash and petition, not its id.
        """
        return (
            "signature.confirmation_requested",
            {
                "petition_id": signature.petition_id,
                "confirm_url": self.confirm_url(signature),
                "receipt": receipt,
            },
        )

    def start(self, signature: Signature, receipt: str) -> None:
        """Record ``signature.confirmation_requested`` with the link and the receipt code."""
        kind, payload = self.first_event(signature, receipt)
        record_event(kind, "signature", signature.id, payload)

    def complete(self, signature: Signature, proof: str) -> bool:
        try:
            data = self._serializer().loads(proof)
        except BadSignature:
            return False
        return data == [signature.confirm_nonce, self._fingerprint(signature)]


PROVIDERS: dict[str, type[IdentityConfirmation]] = {
    EmailLinkConfirmation.name: EmailLinkConfirmation
}


def register_provider(provider: type[IdentityConfirmation]) -> None:
    """Make ``provider`` selectable by ``IDENTITY_CONFIRMATION = provider.name``."""
    PROVIDERS[provider.name] = provider


def get_confirmation() -> IdentityConfirmation:
    """The provider configured by ``IDENTITY_CONFIRMATION`` (default ``email_link``)."""
    name = current_app.config.get("IDENTITY_CONFIRMATION") or EmailLinkConfirmation.name
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise RuntimeError(f"IDENTITY_CONFIRMATION={name!r} names no registered provider") from None
