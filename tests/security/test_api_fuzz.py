"""Property-based: whatever query string or JSON body a client sends, the API answers without a 5xx.

Hypothesis draws query parameters (page numbers past 64 bits, negative and fractional numbers,
filter strings with NUL and other control characters, any Unicode) for every list of the JSON API,
and arbitrary JSON (and JSON-shaped nonsense) for the signing and withdrawal endpoints.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall.extensions import db

# The fixtures (app, client, petition) are built once per test and shared by its examples: every
# example only reads, or is refused, or signs one more signature, which the next one tolerates.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,  # nothing written to .hypothesis/ in the worktree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LISTS = [
    "/api/v1/deputies",
    "/api/v1/promises",
    "/api/v1/petitions",
    "/api/v1/bodies",
    "/api/v1/promises.csv",
    "/api/v1/deputies/{deputy}/promises",
]
PARAMS = [
    "page",
    "per_page",
    "q",
    "body",
    "region",
    "district",
    "party",
    "mandate_type",
    "status",
    "topic",
    "deputy",
    "from",
    "to",
    "sort",
    "state",
]

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["99999999999999999999", "-1", "0", "1e9", "0x10", "1.5", " 2", "٣", "NaN"]),
)
nul_text = st.builds(lambda a, b: f"{a}\x00{b}", text, text)
values = st.one_of(text, numbers, nul_text)
queries = st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=6)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | text
    | nul_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)
signing_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "full_name": json_values,
            "iin": st.one_of(json_values, st.from_regex(r"\A[0-9]{12}\Z")),
            "email": json_values,
            "district_id": json_values,
            "consent": json_values,
            "receipt": json_values,
        },
    ),
)


def _no_server_error(response) -> None:
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])


def test_lists_never_answer_5xx(client, make):
    deputy = make.deputy()
    db.session.commit()

    @FUZZ
    @given(path=st.sampled_from(LISTS), query=queries)
    def check(path, query):
        url = path.format(deputy=deputy.id) + "?" + urlencode(query, encoding="utf-8")
        _no_server_error(client.get(url))

    check()


def test_signing_and_receipts_never_answer_5xx(client, collecting_petition):
    petition = collecting_petition()

    @FUZZ
    @given(
        body=signing_bodies,
        target=st.sampled_from(["sign", "withdraw", "elsewhere"]),
        code=st.one_of(text, nul_text),
    )
    def check(body, target, code):
        path = {
            "sign": f"/api/v1/petitions/{petition.id}/signatures",
            "withdraw": "/api/v1/signatures/withdraw",
            "elsewhere": "/api/v1/petitions/99999999999999999999/signatures",
        }[target]
        _no_server_error(client.post(path, data=json.dumps(body), content_type="application/json"))
        _no_server_error(client.get("/api/v1/receipts/" + urlencode({"c": code})[2:]))

    check()
