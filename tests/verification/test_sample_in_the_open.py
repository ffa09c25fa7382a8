"""After certification the sample's verdicts are public, so anyone recomputes v, d and the
projection; a signer's receipt says whether their signature was drawn (issue 19)."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models import PetitionState, Signature
from recall.models.signature import ClaimState, ReceiptDecoy
from recall.rules import sampling
from recall.services.signing import receipts
from recall.services.verification import certification, sample
from tests import factories
from tests.verification.test_sampling_audit import sampled_world  # noqa: F401 (fixture)


def _sample(client, petition_id):
    return client.get(f"/api/v1/petitions/{petition_id}/sample").get_json()


def test_verdicts_are_published_once_certified_and_give_v_d_and_the_projection(
    sampled_world,
    client,
):
    w = sampled_world
    pid = w.sampled.id
    draw = sample.draw_sample(w.commissioner, pid, seed="ceremony")
    db.session.commit()
    assert draw.outcome is not None  # every sampled signature already has a verdict
    assert _sample(client, pid)["verdicts"] is None  # not before certification

    proposal = certification.propose_certification(w.commissioner, pid)
    db.session.commit()
    certification.confirm_certification(w.commissioner2, proposal.id)
    db.session.commit()
    assert db.session.get(type(w.sampled), pid).state in (
        PetitionState.QUALIFIED,
        PetitionState.FAILED,
    )

    data = _sample(client, pid)
    verdicts = data["verdicts"]
    assert [item["id"] for item in verdicts] == data["sampled_ids"]
    invalid = [item for item in verdicts if item["verdict"] == "invalid"]
    assert all(item["reason_code"] == "not_registered" for item in invalid)
    # The outsider's recomputation, from the published data only.
    v, d = sampling.count_sample(verdicts)
    assert (v, d) == (data["v"], data["d"])
    assert sampling.project_valid(data["raw"], data["n"], v, d).projected == data["projected"]
    text = str(data)
    assert "Person" not in text and "iin" not in text


def test_a_receipt_says_whether_the_signature_was_sampled(sampled_world):
    w = sampled_world
    pid = w.sampled.id
    codes = {}
    for signature in db.session.scalars(sa.select(Signature).where(Signature.petition_id == pid)):
        code, digest = receipts.new_receipt()
        signature.receipt_hash = digest
        codes[signature.id] = code
    db.session.commit()
    some_id = next(iter(codes))
    assert receipts.lookup_receipt(codes[some_id]).in_sample is None  # nothing drawn yet

    draw = sample.draw_sample(w.commissioner, pid, seed="ceremony")
    db.session.commit()
    answers = {sid: receipts.lookup_receipt(code).in_sample for sid, code in codes.items()}
    assert {sid for sid, drawn in answers.items() if drawn} == set(draw.sampled_ids)
    assert all(drawn is False for sid, drawn in answers.items() if sid not in draw.sampled_ids)


def test_claim_and_decoy_receipts_answer_as_an_unsampled_signature_once_drawn(sampled_world):
    """A later attempt's receipt (a claim) and a decoy's must read like a signature's: once the
    sample is drawn, "not sampled" (False), never "no sample yet" (None), which would tell a
    claimant that someone else had signed with their IIN first."""
    w = sampled_world
    pid = w.sampled.id
    signature = db.session.scalar(sa.select(Signature).where(Signature.petition_id == pid))
    claim = factories.signature_claim(signature, state=ClaimState.VOID)
    claim_code, claim.receipt_hash = receipts.new_receipt()
    decoy_code, decoy_hash = receipts.new_receipt()
    db.session.add(
        ReceiptDecoy(
            petition_id=pid,
            receipt_hash=decoy_hash,
            expires_at=claim.expires_at,
            created_at=claim.created_at,
        )
    )
    db.session.commit()
    before = [receipts.lookup_receipt(code).in_sample for code in (claim_code, decoy_code)]
    assert before == [None, None]
    sample.draw_sample(w.commissioner, pid, seed="ceremony")
    db.session.commit()
    after = [receipts.lookup_receipt(code) for code in (claim_code, decoy_code)]
    assert [view.in_sample for view in after] == [False, False]
    assert after[0] == after[1]  # the same answer, field for field


def test_the_receipt_page_shows_it(sampled_world, client):
    w = sampled_world
    pid = w.sampled.id
    draw = sample.draw_sample(w.commissioner, pid, seed="ceremony")
    signature = db.session.get(Signature, draw.sampled_ids[0])
    code, signature.receipt_hash = receipts.new_receipt()
    db.session.commit()
    page = client.get("/receipts", query_string={"code": code}).get_data(as_text=True)
    assert 'class="in-sample-true">this signature was drawn in the commission' in page
    api = client.get(f"/api/v1/receipts/{code}").get_json()
    assert api["in_sample"] is True
