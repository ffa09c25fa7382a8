"""JSON shapes of petitions."""

from __future__ import annotations

from typing import Any

from recall.api.schemas import body_ref, deputy_ref, district_ref
from recall.models import Petition, User
from recall.services.petitions.electorate import threshold_basis
from recall.services.petitions.extensions import shown_extensions
from recall.services.petitions.lifecycle import signature_numbers
from recall.services.petitions.open_data import PetitionFigures, petition_figures
from recall.services.signing import channels


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def figures_json(figures: PetitionFigures) -> dict[str, Any]:
    """The published numbers of a petition: its count where the rule allows, days left while
    signing is open, and its certified result."""
    return {
        "count_public": figures.count_public,
        "signatures_confirmed": figures.confirmed,
        "days_left": figures.days_left,
        "result": figures.result,
    }


def petition_summary_json(petition: Petition, figures: PetitionFigures) -> dict[str, Any]:
    """A petition in lists (``figures`` from ``open_data.petition_figures``)."""
    return {
        "id": petition.id,
        "state": petition.state.value,
        "deputy": deputy_ref(petition.deputy),
        "district": district_ref(petition.district),
        "body": body_ref(petition.body),
        "opened_at": _iso(petition.created_at),
        "opens_at": _iso(petition.opens_at),
        "closes_at": _iso(petition.closes_at),
        "required_signatures": petition.required_signatures,
        **figures_json(figures),
    }


def petition_json(petition: Petition, viewer: User | None = None) -> dict[str, Any]:
    """One petition with its count and threshold.

    Under a rule forbidding a running count, while signing is open, ``signatures.confirmed``,
    ``signatures.per_day``, ``threshold.met`` and ``threshold.percent`` are null (except for a
    commissioner of the petition's body); ``threshold.required`` is always given once registered.
    """
    numbers = signature_numbers(petition, viewer)
    rule = petition.rule_version
    decision = rule.to_rule()  # reads older rule layouts too
    return {
        **petition_summary_json(petition, petition_figures([petition])[petition.id]),
        "district": {
            **district_ref(petition.district),
            # Frozen at registration; null before it.
            "registered_voters": petition.registered_voters,
        },
        "grounds": petition.grounds,
        # Null when the rule provides no answer; ``text`` null until one is recorded.
        "deputy_answer": answer_json(petition, decision),
        "submitted_at": _iso(petition.submitted_at),
        "registered_at": _iso(petition.registered_at),
        "closed_at": _iso(petition.closed_at),
        "rejection_reason": petition.rejection_reason,
        "rule": {
            "id": rule.id,
            "key": rule.key,
            "version": rule.version,
            "name": rule.name,
            "running_count_public": bool(rule.data.get("running_count_public")),
            "unverified_fields": list(rule.data.get("unverified_fields", [])),
            # "vote": every condition must hold; "petition": a certified petition recalls.
            "decided_by": decision.decided_by,
            "vote_conditions": [c.to_dict() for c in decision.vote_conditions],
            "signing_channels": list(decision.signing_channels),
        },
        # Whether ``POST /api/v1/petitions/<id>/signatures`` is offered, and how to sign instead.
        "signing": {
            "online": channels.signs_online(decision.signing_channels),
            "how_to_sign": channels.how_to_sign(decision.signing_channels),
        },
        "initiative_group": {
            "confirmed": sum(1 for m in petition.members if m.confirmed_at is not None),
            "required": rule.data.get("min_initiative_group"),
        },
        "signatures": {
            "count_public": numbers.visible,
            "confirmed": numbers.confirmed,
            "per_day": None
            if numbers.per_day is None
            else [{"date": day.isoformat(), "confirmed": count} for day, count in numbers.per_day],
        },
        # The commission's extensions of the signing period, oldest first (issue 10).
        "extensions": [
            {
                "days": e.days,
                "cause": e.cause,
                "description": e.description,
                "decided_at": _iso(e.created_at),
                "previous_closes_at": _iso(e.previous_closes_at),
                "closes_at": _iso(e.closes_at),
            }
            for e in shown_extensions(petition)
        ],
        "max_extension_days": decision.max_extension_days,
        "threshold": {
            "required": numbers.required,
            "met": numbers.met,
            "percent": numbers.percent,
            # How the required number was computed; null before registration.
            "basis": threshold_basis(petition, with_counts=True),
        },
    }


def answer_json(petition: Petition, rule=None) -> dict[str, Any] | None:
    """The deputy's answer beside the grounds (California EC 11023), where the rule provides it."""
    rule = rule or petition.rule_version.to_rule()
    if not rule.deputy_may_answer:
        return None
    return {
        "text": petition.deputy_answer,
        "recorded_at": _iso(petition.deputy_answer_at),
        "max_words": rule.deputy_answer_max_words,
        "days": rule.deputy_answer_days,
    }
