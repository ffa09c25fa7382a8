"""Webhooks: a signed JSON POST to a URL an organization registered.

Headers sent with every delivery:

* ``X-Recall-Signature: sha256=<hex>``, the HMAC-SHA256 of the raw request body keyed with the
  endpoint's secret. Receivers check it with ``verify_signature`` (or the same three lines in
  their own language) on the raw bytes, before parsing the JSON;
* ``X-Recall-Event`` (event id), ``X-Recall-Event-Kind`` and ``X-Recall-Delivery`` (delivery
  id): a delivery can arrive twice in rare crash cases, so receivers should ignore a delivery
  id they have already processed.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from recall.models.notifications import Delivery, WebhookEndpoint
from recall.models.outbox import Event
from recall.notifications.errors import PermanentDeliveryError, TemporaryDeliveryError
from recall.services.sealing import public_payload

SIGNATURE_HEADER = "X-Recall-Signature"
USER_AGENT = "recall-webhooks/1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: a registered public URL could otherwise send the POST on to an
    internal address the private-network check never saw. A 3xx becomes an ``HTTPError``."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# Ranges Python 3.11's ``is_global`` still calls global: IETF protocol assignments and multicast.
_NOT_GLOBAL = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("224.0.0.0/4"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _is_private_address(address: str) -> bool:
    """True for every address that is not globally reachable (fail closed: only global passes).

    An IPv6 address that embeds an IPv4 one (IPv4-mapped, 6to4, NAT64) is judged by both.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    candidates = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            candidates.append(embedded)
    return any(
        not c.is_global or c.is_multicast or any(c in net for net in _NOT_GLOBAL if c.version == 4)
        for c in candidates
    )


def _public_connection(
    address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, **_kwargs
):
    """``socket.create_connection`` that refuses private addresses.

    It checks the very address it connects to: a check before the request and a second lookup to
    connect would let a DNS server answer "public" first and "internal" the second time.
    """
    host, port = address
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TemporaryDeliveryError(f"webhook: cannot resolve {host}: {exc}") from exc
    if any(_is_private_address(info[4][0]) for info in infos):
        raise PermanentDeliveryError("webhook URL points at a private address")
    return socket.create_connection(infos[0][4][:2], timeout, source_address)


class _PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)


_OPENER = urllib.request.build_opener(_NoRedirect)
# With WEBHOOK_ALLOW_PRIVATE off: connections only to public addresses, and no proxy from the
# environment (through a proxy the address checked would be the proxy's, not the receiver's).
_PUBLIC_OPENER = urllib.request.build_opener(
    _NoRedirect, _PublicHTTPHandler, _PublicHTTPSHandler, urllib.request.ProxyHandler({})
)


def sign(secret: str, body: bytes) -> str:
    """The ``X-Recall-Signature`` value for ``body``: ``sha256=`` and the hex HMAC."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of the raw ``body`` under ``secret``.

    Compares in constant time. Use the bytes exactly as received, not re-serialised JSON.
    """
    if not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(sign(secret, body), header.strip())


def webhook_body(delivery: Delivery, event: Event) -> bytes:
    """The JSON document sent for a delivery; personal links and codes are left out."""
    document: dict[str, Any] = {
        "delivery_id": delivery.id,
        "event": {
            "id": event.id,
            "kind": event.kind,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "created_at": event.created_at.isoformat(),
            "payload": public_payload(event.payload),
        },
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def is_private_url(url: str) -> bool:
    """True when the URL's host resolves to a loopback, private, link-local or reserved address."""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False  # unresolvable now: sending will fail and retry, not reach an internal host
    return any(_is_private_address(info[4][0]) for info in infos)


def post_webhook(endpoint: WebhookEndpoint, delivery: Delivery, event: Event) -> None:
    """POST the signed delivery. 2xx is success; 408, 429, 5xx and network errors are temporary,
    any other status (a redirect too: it is not followed) is permanent. The timeout is
    ``WEBHOOK_TIMEOUT`` seconds.
    """
    config = current_app.config
    if not endpoint.active:
        raise PermanentDeliveryError("webhook endpoint is deactivated")
    opener = _OPENER if config.get("WEBHOOK_ALLOW_PRIVATE") else _PUBLIC_OPENER
    body = webhook_body(delivery, event)
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(endpoint.secret, body),
            "X-Recall-Event": str(event.id),
            "X-Recall-Event-Kind": event.kind,
            "X-Recall-Delivery": str(delivery.id),
        },
    )
    try:
        with opener.open(request, timeout=config["WEBHOOK_TIMEOUT"]) as response:
            response.read(1024)
    except urllib.error.HTTPError as exc:
        message = f"webhook HTTP {exc.code}"
        if exc.code in (408, 429) or exc.code >= 500:
            raise TemporaryDeliveryError(message) from exc
        raise PermanentDeliveryError(message) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TemporaryDeliveryError(f"webhook: {exc}") from exc
