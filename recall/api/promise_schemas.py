"""JSON shapes of promises, their history, sources and disputes, and scorecards."""

from __future__ import annotations

from typing import Any

from recall.models.promise import Dispute, Promise, PromiseStatusChange
from recall.rules.scorecard import Scorecard


def _org(org) -> dict[str, Any] | None:
    return None if org is None else {"id": org.id, "name": org.name}


def status_change_json(change: PromiseStatusChange) -> dict[str, Any]:
    return {
        "id": change.id,
        "status": change.status.value,
        "previous_status": change.previous_status.value,
        "broken_reason": change.broken_reason.value if change.broken_reason else None,
        "date": change.changed_on.isoformat(),
        "explanation": change.explanation,
        "evidence": list(change.evidence),
        "monitor": change.monitor.display_name if change.monitor else None,
        "organization": _org(change.organization),
        "corrects_id": change.corrects_id,
        "recorded_at": change.created_at.isoformat(),
    }


def dispute_json(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": dispute.id,
        "status_change_id": dispute.status_change_id,
        "state": dispute.state.value,
        "reason": dispute.reason,
        "evidence": list(dispute.evidence),
        "raised_by_organization": _org(dispute.raised_by_organization),
        "raised_at": dispute.created_at.isoformat(),
        "resolution": dispute.resolution,
        "resolved_by_organization": _org(dispute.resolved_by_organization),
        "resolved_at": dispute.resolved_at.isoformat() if dispute.resolved_at else None,
    }


def promise_json(promise: Promise) -> dict[str, Any]:
    """A promise with its sources, full history and disputes."""
    deputy = promise.deputy
    return {
        "id": promise.id,
        "deputy": {
            "id": deputy.id,
            "full_name": deputy.full_name,
            "body_id": deputy.body_id,
            "party_id": deputy.party_id,
            "district_id": deputy.district_id,
        },
        "title": promise.title,
        "statement": promise.statement,
        "made_on": promise.made_on.isoformat(),
        "topic": promise.topic.slug,
        "level": promise.level.value,
        "status": promise.status.value,
        "broken_reason": promise.broken_reason.value if promise.broken_reason else None,
        "status_changed_at": promise.status_changed_at.isoformat()
        if promise.status_changed_at
        else None,
        "sources": [{"url": promise.source_url, "quotation": promise.quotation}]
        + [{"url": s.url, "quotation": s.quotation} for s in promise.sources],
        "history": [status_change_json(c) for c in promise.history],
        "disputes": [dispute_json(d) for d in promise.disputes],
        "merged_into_id": promise.merged_into_id,
        "is_demo": promise.is_demo,
    }


def scorecard_json(card: Scorecard) -> dict[str, Any]:
    return {
        "counts": dict(card.counts),
        "total": card.total,
        "rated": card.rated,
        "kept": card.kept,
        "kept_share": float(card.kept_share) if card.kept_share is not None else None,
        "formula": "kept_share = kept / rated; rated = all statuses except not_yet_rated",
    }
