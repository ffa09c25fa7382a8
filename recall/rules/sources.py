"""Where a signature came from, reduced to what a fraud pattern needs (pure functions).

A bot farm shows as many signatures from one address block, one e-mail domain or one odd client;
a forger typing variants of one mailbox shows as one canonical e-mail. These functions reduce a
request to those parts; the service keys the address parts with a secret before storing them
(``recall.services.fraud.sources``), so a database copy does not hold addresses.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

# Providers that ignore dots in the local part (Gmail, and its old googlemail.com name).
DOTS_IGNORED = frozenset({"gmail.com", "googlemail.com"})
# Providers that deliver ``name+anything@`` to ``name@`` (sub-addressing, RFC 5233 style).
PLUS_TAGS_IGNORED = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "me.com",
        "protonmail.com",
        "proton.me",
        "fastmail.com",
        "yandex.ru",
        "yandex.kz",
        "ya.ru",
    }
)
# Providers that deliver ``name-anything@`` to ``name@``.
HYPHEN_TAGS_IGNORED = frozenset({"yahoo.com"})
# Another name of the same mailbox service.
DOMAIN_ALIASES = {"googlemail.com": "gmail.com", "ya.ru": "yandex.ru", "yandex.kz": "yandex.ru"}

IPV4_BLOCK_BITS = 24
IPV6_BLOCK_BITS = 48


@dataclass(frozen=True)
class Client:
    """What a surface knows about the client of a signing request (nothing is stored as is)."""

    address: str | None = None
    user_agent: str | None = None


def email_domain(email: str | None) -> str | None:
    """The domain of an e-mail address, lower case, without a trailing dot; None without one."""
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().rstrip(".").lower()
    return domain or None


def canonical_email(email: str | None) -> str | None:
    """One spelling per mailbox: lower case, dots and tags folded where the provider ignores them.

    ``John.Smith+petition@GoogleMail.com`` and ``johnsmith@gmail.com`` reach one mailbox, so both
    give ``johnsmith@gmail.com``. Elsewhere only case is folded (``a.b@mail.kz`` stays: most
    providers deliver ``ab@`` to someone else). None for anything without ``@``.
    """
    domain = email_domain(email)
    if domain is None:
        return None
    local = email.rsplit("@", 1)[0].strip().lower()
    if domain in PLUS_TAGS_IGNORED:
        local = local.split("+", 1)[0]
    if domain in HYPHEN_TAGS_IGNORED:
        local = local.split("-", 1)[0]
    if domain in DOTS_IGNORED:
        local = local.replace(".", "")
    domain = DOMAIN_ALIASES.get(domain, domain)
    return f"{local}@{domain}" if local else None


def parse_address(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client address as an ``ipaddress`` object (an IPv4-mapped IPv6 one unwrapped); None
    when it is missing or not an address."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed


def address_block(address: str | None) -> str | None:
    """The network an address belongs to, as text: its /24 for IPv4, its /48 for IPv6 (one
    customer's allocation, typically); None for no valid address."""
    return address_parts(address)[1]


def normal_address(address: str | None) -> str | None:
    """The address in its one canonical spelling (``::ffff:1.2.3.4`` is ``1.2.3.4``), or None."""
    return address_parts(address)[0]


def address_parts(address: str | None) -> tuple[str | None, str | None]:
    """:func:`normal_address` and :func:`address_block` of ``address``, parsing it once (every
    signature asks for both: parsing and ``ip_network`` were about 3% of its CPU)."""
    parsed = parse_address(address)
    if parsed is None:
        return None, None
    bits = IPV4_BLOCK_BITS if parsed.version == 4 else IPV6_BLOCK_BITS
    # The block's first address by masking, as ip_network(strict=False) finds it, without
    # spelling the address out and parsing it again as a network.
    mask = ((1 << bits) - 1) << (parsed.max_prefixlen - bits)
    return str(parsed), f"{type(parsed)(int(parsed) & mask)}/{bits}"


# Checked in order: the first match names the family. Bots and tools first (a headless browser
# also says "Chrome"), then browsers whose strings contain another's name (Edge and Opera say
# "Chrome", Chrome says "Safari").
_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("headless", r"HeadlessChrome|PhantomJS|Puppeteer|Playwright|Selenium|webdriver"),
        ("bot", r"bot\b|crawler|spider|slurp|bingpreview|facebookexternalhit"),
        ("curl", r"^curl/"),
        ("wget", r"^wget/"),
        ("python", r"python-requests|python-urllib|aiohttp|httpx|^python"),
        ("go", r"^Go-http-client"),
        ("java", r"^Java/|okhttp|Apache-HttpClient"),
        ("node", r"^node-fetch|^axios|^undici|^node"),
        ("postman", r"PostmanRuntime"),
        ("edge", r"\bEdg(e|A|iOS)?/"),
        ("opera", r"\bOPR/|\bOpera\b"),
        ("yandex", r"YaBrowser/"),
        ("samsung", r"SamsungBrowser/"),
        ("firefox", r"Firefox/|FxiOS/"),
        ("chrome", r"Chrome/|CriOS/|Chromium/"),
        ("safari", r"Version/[\d.]+.*Safari/|Mobile/\w+ Safari"),
    )
)
_PLATFORMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("android", r"Android"),
        ("ios", r"iPhone|iPad|iPod"),
        ("windows", r"Windows"),
        ("mac", r"Macintosh|Mac OS X"),
        ("linux", r"Linux|X11"),
    )
)
MAX_FAMILY = 40


def user_agent_family(user_agent: str | None) -> str:
    """A coarse family for a User-Agent header: ``chrome/android``, ``curl``, ``python``,
    ``headless``…; ``none`` for a missing header and ``other`` for anything unrecognised.

    Coarse on purpose: versions and device models would split one bot into many rows, and a full
    header is close to identifying a person. Tools (curl, scripts) have no platform part.
    """
    text = (user_agent or "").strip()
    if not text:
        return "none"
    # Each header costs up to 30 regex searches, and every signature asks; most signatures come
    # from the same few browser versions, so the answers are cached (in memory only, like the
    # request itself). A header longer than any browser's is not.
    if len(text) > _CACHED_AGENT_LENGTH:
        return _family(text)
    return _cached_family(text)


_CACHED_AGENT_LENGTH = 512


def _family(text: str) -> str:
    family = next((name for name, pattern in _FAMILIES if pattern.search(text)), "other")
    if family in ("headless", "bot", "curl", "wget", "python", "go", "java", "node", "postman"):
        return family
    platform = next((name for name, pattern in _PLATFORMS if pattern.search(text)), None)
    return f"{family}/{platform}"[:MAX_FAMILY] if platform else family


_cached_family = lru_cache(maxsize=4096)(_family)
