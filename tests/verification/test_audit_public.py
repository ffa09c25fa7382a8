"""The public audit log: every entry and past head over the API, and an outsider's script that
recomputes the chain and catches a rewrite (an entry deleted, the rest renumbered and rehashed)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from recall.extensions import db
from recall.models import AuditEntry
from recall.models.audit import GENESIS_HASH, AuditChainHead
from recall.services import audit
from recall.services.verification import review

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "verify_audit.py"


@pytest.fixture
def decided(reviewed):
    """A roll import, the checks, a rejection and two accepted test actions: five entries."""
    review.decide(reviewed.commissioner, reviewed.odd.id, accept=False, reason_code="other")
    audit.append_audit("test.action", None, "petition", reviewed.petition.id, None, {"k": "ä"})
    audit.append_audit("test.action", reviewed.commissioner.id, "petition", 1, 1, {"n": [1, 2]})
    db.session.commit()
    return reviewed


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-I", str(SCRIPT), *args], capture_output=True, text=True, timeout=60
    )


def test_entries_are_published_in_pages_from_any_sequence_number(decided, client):
    everything = client.get("/api/v1/audit/entries").get_json()
    items = everything["items"]
    assert [item["seq"] for item in items] == [1, 2, 3, 4, 5]
    assert [item["action"] for item in items[:3]] == [
        "voter_roll.import",
        "verification.run_checks",
        "verification.decision",
    ]
    assert set(items[2]) == {*audit.HASHED_FIELDS, "prev_hash", "hash", "keyed_hash"}
    assert items[2]["payload"]["reason_code"] == "other"
    assert items[0]["prev_hash"] == GENESIS_HASH and items[1]["prev_hash"] == items[0]["hash"]
    assert everything["meta"] == {"from_seq": 1, "per_page": 500, "total": 5, "next_from_seq": None}
    assert everything["head"]["hash"] == items[-1]["hash"]
    # No signer's name, IIN or e-mail anywhere in the published log.
    text = json.dumps(everything, ensure_ascii=False)
    for secret in (*decided.iins, "Marat", "Aigerim", decided.odd.email or "@"):
        assert secret not in text

    page = client.get("/api/v1/audit/entries?from_seq=2&per_page=2").get_json()
    assert [item["seq"] for item in page["items"]] == [2, 3]
    assert page["meta"]["next_from_seq"] == 4
    assert page["items"] == items[1:3]
    last = client.get("/api/v1/audit/entries?from_seq=5&per_page=2").get_json()
    assert [i["seq"] for i in last["items"]] == [5] and last["meta"]["next_from_seq"] is None
    assert client.get("/api/v1/audit/entries?from_seq=9").get_json()["items"] == []


@pytest.mark.parametrize("query", ["from_seq=0", "from_seq=-1", "from_seq=x", "per_page=1.5"])
def test_a_bad_sequence_number_is_refused(decided, client, query):
    response = client.get(f"/api/v1/audit/entries?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == query.split("=")[0]


def test_any_past_head(decided, client):
    second = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.seq == 2))
    head = client.get("/api/v1/audit/head?seq=2").get_json()["head"]
    assert (head["seq"], head["hash"]) == (2, second.hash)
    assert client.get("/api/v1/audit/head").get_json()["head"]["seq"] == 5
    missing = client.get("/api/v1/audit/head?seq=6")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/audit/head?seq=abc").status_code == 422


def test_a_payload_with_personal_data_is_refused(world):
    with pytest.raises(ValueError, match="personal data"):
        audit.append_audit("test.action", None, "petition", 1, None, {"x": [{"email": "a@b.c"}]})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def _rewrite_without(seq: int) -> None:
    """What the database administrator did: delete one entry, renumber and rehash the rest."""
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.seq == seq))
    prev = db.session.scalar(sa.select(AuditEntry.hash).where(AuditEntry.seq == seq - 1))
    later = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.seq > seq).order_by(AuditEntry.seq)
    ).all()
    for entry in later:
        entry.seq -= 1
        entry.prev_hash = prev
        entry.hash = prev = audit.compute_hash(prev, audit.entry_fields(entry))
        db.session.flush()
    head = db.session.get(AuditChainHead, 1)
    head.seq, head.hash = later[-1].seq, prev
    db.session.commit()


def test_outsider_script_recomputes_the_chain_and_catches_a_rewrite(decided, live_server, tmp_path):
    saved = tmp_path / "heads.jsonl"
    first = _script(live_server, "--save", str(saved))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "OK: 5 entries" in first.stdout
    assert len(saved.read_text().splitlines()) == 5

    _rewrite_without(3)  # the commission's decision disappears
    # The rewritten chain is whole: a fresh outsider cannot see it (only the keyed chain, which
    # needs AUDIT_KEY, tests/verification/test_audit_keyed.py) ...
    assert audit.verify_chain(keyed=False).problem == ""
    assert _script(live_server).returncode == 0
    # ... but the hashes saved before the rewrite do, and name the entry.
    caught = _script(live_server, "--heads", str(saved))
    assert caught.returncode == 1
    assert "differs from your saved copy at entry 3" in caught.stdout

    # Only the daily head of entry 5 was kept, and the log went on: the script names the span.
    audit.append_audit("test.action", None, "petition", 1, None, {"later": True})
    db.session.commit()
    head_only = tmp_path / "head.json"
    head_only.write_text(json.dumps([json.loads(saved.read_text().splitlines()[-1])]))
    assert "one of entries 1..5" in _script(live_server, "--heads", str(head_only)).stdout


def test_outsider_script_catches_an_edit(decided, live_server):
    db.session.execute(
        sa.text("UPDATE audit_entries SET payload = :p WHERE seq = 3"),
        {"p": '{"decision": "accept"}'},
    )
    db.session.commit()
    result = _script(live_server)
    assert result.returncode == 1
    assert "entry 3: its fields do not give its hash (edited)" in result.stdout
