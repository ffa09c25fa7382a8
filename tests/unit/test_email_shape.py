"""The plain-address fast path (recall.rules.email_shape) answers exactly as email_validator does:
``normalise_email`` used to send every address through
``validate_email(..., check_deliverability=False)``, and an address must be accepted, rejected and
normalised as before whichever path it takes."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from recall.errors import Invalid
from recall.rules.email_shape import plain_email
from recall.services.accounts.users import normalise_email


def _library(raw: str) -> str | None:
    """What normalise_email returned before the fast path: the lower-cased normalised address,
    or None where it raised ``Invalid``."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _normalised(raw: str) -> str | None:
    try:
        return normalise_email(raw)
    except Invalid:
        return None


def _check_against_library(raw: str) -> None:
    expected = _library(raw)
    fast = plain_email(raw.strip())
    assert fast is None or fast == expected, (raw, fast, expected)
    assert _normalised(raw) == expected, raw


_ATEXT = "abcxyzABCXYZ0189!#$%&'*+/=?^_`{|}~-"
_atom = st.text(alphabet=_ATEXT, min_size=1, max_size=8)
_host_label = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?", fullmatch=True)
_TOPS = ["com", "ORG", "kz", "1c", "x", "example"]
_ODD_TOPS = ["c1", "7", "a-", "-a", "xn--p1ai", "ab--c"]
_SPECIAL_USE = ["test", "local", "localhost", "invalid", "onion", "arpa", "Test", "LOCAL"]
# Characters put into or over a plain address: dots and hyphens make stray, doubled and misplaced
# ones; the Kelvin sign and the long s match [a-z] under re.IGNORECASE.
_ODD = '..--@"_ []<>,\u00e9\u0130\u212a\u017f\u00a0\u0301\n'
_SPACES = [" ", "\t", "\n", " \r\n", "\u00a0", "\u2003", "\u200b"]
_EDGES = ["none", "character", "character", "character", "label", "hyphen", "top", "special"]
_EDGES += ["local", "fold", "total", "space", "form"]


def _change_parts(draw, edge, local, labels, top):
    """The local part, domain labels and top-level label with ``edge`` pushed to or over its limit."""
    where = draw(st.integers(0, len(labels) - 1))
    if edge == "label":  # 63 characters at most
        labels[where] = "b" * draw(st.sampled_from([62, 63, 64, 65]))
    elif edge == "hyphen":  # not first or last in a label; "--" only in Punycode
        labels[where] = draw(st.sampled_from(["-{}", "{}-", "{}--x", "xn--{}"])).format(
            labels[where]
        )
    elif edge == "fold":  # letters that IDNA or str.lower() fold to ASCII, in the domain
        labels[where] += draw(st.sampled_from(["\u017f", "\u212a", "\uff21"]))
    elif edge == "top":
        top = draw(st.sampled_from(_ODD_TOPS))
    elif edge == "special":
        top = draw(st.sampled_from(_SPECIAL_USE))
    elif edge == "local":  # 64 characters at most on the fast path
        local = "a" * draw(st.integers(62, 66))
    elif edge == "total":  # 254 characters at most: 64 + 1 + 63.63.N.org
        local = "a" * draw(st.sampled_from([63, 64]))
        size = draw(st.sampled_from([254, 255])) - len(local) - 1 - 132
        labels, top = ["d" * 63, "d" * 63, "d" * size], "org"
    return local, labels, top


def _change_whole(draw, edge, address):
    """``address`` with one odd character, surrounding whitespace or another form, by ``edge``."""
    local, _, domain = address.partition("@")
    if edge == "character":  # put in, or over the next one
        where, over = draw(st.integers(0, len(address))), draw(st.integers(0, 1))
        return address[:where] + draw(st.sampled_from(_ODD)) + address[where + over :]
    if edge == "space":
        return draw(st.sampled_from(["", *_SPACES])) + address + draw(st.sampled_from(_SPACES))
    if edge == "form":
        forms = [f'"{local}"@{domain}', f"Name <{address}>", f"{local}@@{domain}"]
        return draw(st.sampled_from([*forms, f"{local}@[127.0.0.1]", f"{local}@[IPv6:::1]"]))
    return address


@st.composite
def _near_plain(draw) -> str:
    """A plain address, mostly with one thing changed to probe one edge of the plain shape."""
    local = ".".join(draw(st.lists(_atom, min_size=1, max_size=3)))
    labels = draw(st.lists(_host_label, min_size=1, max_size=3))
    edge = draw(st.sampled_from(_EDGES))
    local, labels, top = _change_parts(draw, edge, local, labels, draw(st.sampled_from(_TOPS)))
    return _change_whole(draw, edge, f"{local}@{'.'.join([*labels, top])}")


@settings(max_examples=1000, deadline=None)
@given(raw=st.one_of(_near_plain(), _near_plain(), _near_plain(), st.emails(), st.text()))
@example(raw="Signer@Example.ORG")
def test_the_fast_path_gives_email_validators_answer(raw):
    _check_against_library(raw)


_ordinary = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[a-zA-Z0-9_+]{1,20}(\.[a-z0-9]{1,10})?", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True),
    st.sampled_from(["com", "org", "kz", "RU", "net", "example"]),
)


@settings(max_examples=300, deadline=None)
@given(raw=_ordinary)
def test_ordinary_addresses_take_the_fast_path(raw):
    assert "--" in raw or plain_email(raw) == raw.lower() == _library(raw)


_B63, _C63 = "b" * 63, "c" * 63
# (address, what normalise_email returns or None for Invalid, whether the fast path answers)
CASES = [
    ("signer@example.org", "signer@example.org", True),
    ("  Aigerim.Q+petitions@Mail.Example.KZ \n", "aigerim.q+petitions@mail.example.kz", True),
    ("INFO@example.org", "info@example.org", True),
    ("o'brien@example.ie", "o'brien@example.ie", True),
    ("a@b.1c", "a@b.1c", True),  # a top-level label may start with a digit...
    ("a@b.c1", None, False),  # ...but must end with a letter
    ("a@example", None, False),  # no period
    ("a@test.example.com", "a@test.example.com", True),  # special-use only at the end
    ("a@b.example", "a@b.example", True),
    ("a@mail.test", None, False),
    ("a@x.local", None, False),
    ("a@x.localhost", None, False),
    ("a@localhost", None, False),
    ("a@x.invalid", None, False),
    ("a@x.onion", None, False),
    ("a@1.0.0.127.in-addr.ARPA", None, False),
    ("a..b@example.org", None, False),
    (".a@example.org", None, False),
    ("a.@example.org", None, False),
    ("a b@example.org", None, False),
    ("a@-b.org", None, False),
    ("a@b-.org", None, False),
    ("a@b..org", None, False),
    ("a@b.org.", None, False),
    ("a@b_c.org", None, False),
    (f"a@{_B63}.org", f"a@{_B63}.org", True),
    (f"a@{_B63}b.org", None, False),
    ("a@ab--c.org", None, False),  # an R-LDH label
    ("a@a--b.org", "a@a--b.org", False),  # valid, left to the library with every "--"
    ("a@xn--80ak6aa92e.com", "a@\u0430\u0440\u0440\u04cf\u0435.com", False),  # Punycode
    ("a@\u212aelvin.org", "a@kelvin.org", False),  # the Kelvin sign folds to k
    ("\u0410\u0439\u0433\u0435\u0440\u0438\u043c@Example.kz", "айгерим@example.kz", False),
    ("a\u200b@example.org", None, False),
    ('"quoted"@example.org', None, False),
    ("a@[127.0.0.1]", None, False),
    ("Name <a@example.org>", None, False),
    ("a" * 64 + "@example.org", "a" * 64 + "@example.org", True),
    ("a" * 65 + "@example.org", "a" * 65 + "@example.org", False),  # only strict mode limits it
    (f"{'a' * 64}@{_B63}.{_C63}.{'d' * 57}.org", f"{'a' * 64}@{_B63}.{_C63}.{'d' * 57}.org", True),
    (f"{'a' * 64}@{_B63}.{_C63}.{'d' * 58}.org", None, False),  # 255 characters
    ("", None, False),
    ("@example.org", None, False),
    ("a@", None, False),
    ("a@@example.org", None, False),
]


@pytest.mark.parametrize(("raw", "expected", "fast"), CASES)
def test_hand_picked_addresses(raw, expected, fast):
    assert _library(raw) == expected
    assert _normalised(raw) == expected
    assert plain_email(raw.strip()) == (expected if fast else None)
