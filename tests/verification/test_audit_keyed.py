"""The keyed chain (AUDIT_KEY) and ``flask audit verify --heads``: a rewrite by someone without
the key is named at its first entry; saved heads catch what the key cannot (issue 19)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import AuditEntry
from recall.models.audit import AuditChainHead
from recall.services import audit
from tests.verification.test_audit_public import _rewrite_without


@pytest.fixture
def five(world):
    for i in range(5):
        audit.append_audit("test.action", None, "petition", world.petition.id, None, {"i": i})
    db.session.commit()
    return world


def _verify(runner, *args):
    return runner.invoke(args=["audit", "verify", *args])


def test_every_entry_is_keyed_and_a_rewrite_without_the_key_is_named(five, runner):
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
    key = b"test-audit-key"
    prev = "0" * 64
    for entry in entries:
        assert entry.keyed_hash == audit.compute_keyed_hash(prev, entry.hash, key)
        prev = entry.keyed_hash
    assert db.session.get(AuditChainHead, 1).keyed_hash == prev
    _rewrite_without(3)
    assert audit.verify_chain(keyed=False).problem == ""  # the plain chain is whole again
    result = _verify(runner)
    assert result.exit_code == 1
    assert "BROKEN at entry 3" in result.output and "rewritten without AUDIT_KEY" in result.output


@pytest.mark.parametrize("app_config", [{"AUDIT_KEY": "another-key"}])
def test_a_different_key_does_not_verify(five, runner):
    db.session.execute(sa.text("UPDATE audit_entries SET keyed_hash = repeat('a', 64)"))
    db.session.commit()
    assert "BROKEN at entry 1" in _verify(runner).output


@pytest.mark.parametrize("app_config", [{"AUDIT_KEY": ""}])
def test_no_key_no_append(world):
    with pytest.raises(RuntimeError, match="AUDIT_KEY"):
        audit.append_audit("test.action", None, "petition", 1, None, {})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_entries_from_before_the_key_are_keyed_once(five, runner):
    db.session.execute(sa.text("UPDATE audit_entries SET keyed_hash = NULL"))
    db.session.execute(sa.text("UPDATE audit_chain_head SET keyed_hash = NULL"))
    db.session.commit()
    before = _verify(runner)
    assert before.exit_code == 1 and "key-existing" in before.output
    keyed = runner.invoke(args=["audit", "key-existing"])
    assert keyed.exit_code == 0 and "Keyed 5 entries." in keyed.output
    assert _verify(runner).exit_code == 0
    assert runner.invoke(args=["audit", "key-existing"]).output.strip() == "Keyed 0 entries."


def test_an_append_keys_older_entries_first(five):
    db.session.execute(sa.text("UPDATE audit_entries SET keyed_hash = NULL WHERE seq <= 2"))
    db.session.execute(sa.text("UPDATE audit_chain_head SET keyed_hash = NULL"))
    db.session.commit()
    audit.append_audit("test.action", None, "petition", 1, None, {"i": 9})
    db.session.commit()
    assert audit.verify_chain().problem == ""


def test_a_broken_chain_is_never_keyed(five, runner):
    db.session.execute(sa.text("UPDATE audit_entries SET keyed_hash = NULL"))
    db.session.execute(sa.text("UPDATE audit_entries SET action = 'x' WHERE seq = 2"))
    db.session.commit()
    result = runner.invoke(args=["audit", "key-existing"])
    assert result.exit_code == 1 and "broken at entry 2" in result.output
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.keyed_hash.is_not(None))) == 0
    )


def test_saved_heads_in_every_shape_and_the_first_that_differs(five, runner, client, tmp_path):
    page = client.get("/api/v1/audit/entries").get_data(as_text=True)
    head2 = client.get("/api/v1/audit/head?seq=2").get_data(as_text=True)
    (tmp_path / "page.json").write_text(page)
    (tmp_path / "heads.jsonl").write_text(head2 + "\n\n" + json.dumps({"seq": 4, "hash": "f" * 64}))
    ok = _verify(runner, "--heads", str(tmp_path / "page.json"))
    assert ok.exit_code == 0 and "5 saved head(s) match." in ok.output
    wrong = _verify(runner, "--heads", str(tmp_path / "heads.jsonl"))
    assert wrong.exit_code == 1
    assert "BROKEN at entry 3" in wrong.output and "entries 3..4" in wrong.output

    (tmp_path / "beyond.json").write_text(json.dumps({"head": {"seq": 9, "hash": "0" * 64}}))
    beyond = _verify(runner, "--heads", str(tmp_path / "beyond.json"))
    assert beyond.exit_code == 1 and "the log ends at entry 5" in beyond.output


@pytest.mark.parametrize("text", ["", "not json\n", '{"seq": "1", "hash": 2}', "[1, 2]"])
def test_an_unreadable_heads_file_is_refused_clearly(five, runner, tmp_path, text):
    path = tmp_path / "heads.txt"
    path.write_text(text)
    result = _verify(runner, "--heads", str(path))
    assert result.exit_code == 1 and "heads.txt" in result.output
    assert "BROKEN" not in result.output
