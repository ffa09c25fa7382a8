"""What ``/data`` lists: every download and feed, and a data dictionary of every field.

The columns named here are the columns the downloads write (``tests/api/test_data_page.py``
compares them with each CSV's header), so the dictionary cannot fall behind a download.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from recall.config import DEFAULT_DATA_LICENSE, DEFAULT_DATA_LICENSE_URL
from recall.services.verification.reason_codes import LABELS as REASON_LABELS


@dataclass(frozen=True)
class Download:
    key: str
    title: object
    endpoint: str  # url_for target
    kind: str  # CSV, JSON, Popolo JSON, OpenAPI
    description: object
    dictionary: str | None = None  # key of DICTIONARY, or None when /api/docs describes it


DOWNLOADS = (
    Download(
        "petitions",
        _l("Petitions"),
        "api.export_petitions_csv",
        "CSV",
        _l("One row per recall petition: its count where the rule allows, days left, result."),
        "petitions",
    ),
    Download(
        "daily_counts",
        _l("Signatures per day"),
        "api.export_daily_counts_csv",
        "CSV",
        _l("Confirmed signatures per petition, district and day (sealed counts left out)."),
        "daily_counts",
    ),
    Download(
        "promises",
        _l("Promises"),
        "api.export_promises_csv",
        "CSV",
        _l("One row per promise with its status history (the list's filters apply)."),
        "promises",
    ),
    Download(
        "popolo",
        _l("Deputies (Popolo)"),
        "api.popolo_json",
        "Popolo JSON",
        _l("Bodies, districts, parties, deputies and their mandates; re-importable."),
        "popolo",
    ),
    Download(
        "api",
        _l("JSON API"),
        "api_docs.reference_page",
        "OpenAPI 3.1",
        _l("Deputies, promises, petitions, results, samples and the audit log as JSON."),
    ),
    Download(
        "audit",
        _l("Audit log"),
        "api.audit_entries",
        "JSON",
        _l("Every recorded action of the commission, hash-chained, for anyone to verify."),
    ),
)

FEEDS = (
    (
        _l("Webhooks"),
        _l(
            "Organizations register an address on the webhooks page and receive every event "
            "they follow (petition opened, milestones, results) as signed JSON."
        ),
    ),
)

DICTIONARY: dict[str, tuple[tuple[str, object], ...]] = {
    "petitions": (
        ("petition_id", _l("The petition's number (as in /petitions/<id>).")),
        (
            "state",
            _l(
                "Stage: gathering_group, submitted, rejected, collecting, closed, under_verification, qualified, failed, recalled, not_recalled."
            ),
        ),
        ("deputy_id", _l("The deputy's number.")),
        ("deputy_name", _l("The deputy's name.")),
        ("body_slug", _l("The body (Mazhilis, maslikhat) the deputy sits in.")),
        ("district_id", _l("The district's number in this site.")),
        ("district_number", _l("The district's official number.")),
        ("district_name", _l("The district's name.")),
        ("opened_at", _l("When the petition was started (ISO 8601, UTC).")),
        ("opens_at", _l("When signing opened; empty before registration.")),
        ("closes_at", _l("When signing closes.")),
        ("days_left", _l("Whole days until signing closes; empty unless signing is open.")),
        ("registered_voters", _l("Voters of the district, frozen at registration.")),
        ("required_signatures", _l("Signatures the rule requires.")),
        ("count_public", _l("false while the rule seals the running count.")),
        ("signatures_confirmed", _l("Confirmed signatures; empty while sealed.")),
        ("certified_at", _l("When the commission confirmed the result.")),
        ("outcome", _l("qualified (enough valid signatures) or failed.")),
        ("method", _l("full_count (every signature checked) or sample.")),
        ("filed", _l("Signatures filed with the commission.")),
        ("valid", _l("Valid signatures (checked, or in the sample).")),
        ("invalid", _l("Invalid signatures.")),
        ("invalid_by_reason", _l("Invalid signatures by reason code, code:count separated by ;.")),
        ("sample_size", _l("Signatures in the random sample, when one was drawn.")),
        ("sample_valid", _l("Valid signatures in the sample.")),
        ("sample_duplicates", _l("Duplicates found in the sample.")),
        ("projected_valid", _l("Valid signatures projected from the sample.")),
    ),
    "daily_counts": (
        ("petition_id", _l("The petition's number.")),
        ("district_id", _l("The district's number in this site.")),
        ("district_number", _l("The district's official number.")),
        ("date", _l("The signing day (local date, ISO 8601).")),
        ("confirmed", _l("Signatures confirmed that were signed that day.")),
    ),
    "promises": (
        ("id", _l("The promise's number.")),
        ("deputy_id", _l("The deputy's number.")),
        ("deputy", _l("The deputy's name.")),
        ("body", _l("The body the deputy sits in.")),
        ("party", _l("The deputy's party.")),
        ("district", _l("The deputy's district, if any.")),
        ("title", _l("A short title.")),
        ("statement", _l("What was promised.")),
        ("made_on", _l("When it was promised.")),
        ("topic", _l("Topic slug.")),
        ("level", _l("national, regional or local.")),
        ("status", _l("not_yet_rated, in_the_works, stalled, compromise, kept, broken.")),
        (
            "broken_reason",
            _l(
                "Why it was broken: no_priority, changed_position, no_majority, outside_powers, other."
            ),
        ),
        ("status_changed_at", _l("When the status last changed.")),
        ("source_url", _l("Where the promise was made.")),
        ("quotation", _l("The words of the promise, quoted.")),
        ("sources", _l("Every source, separated by spaces.")),
        ("history", _l("Each rating: date, status, evidence, separated by |.")),
        ("open_disputes", _l("Ratings disputed and not yet resolved.")),
    ),
    "popolo": (
        (
            "organizations",
            _l("Bodies (legislature: slug, level, seats, party_list_seats, region) and parties."),
        ),
        (
            "areas",
            _l(
                "Regions and districts (identifier is the number; registered_voters, voters_as_of)."
            ),
        ),
        ("posts", _l("The seat of each district.")),
        ("persons", _l("Deputies: name, and other_names by language.")),
        (
            "memberships",
            _l(
                "Mandates: start_date, end_date, party (on_behalf_of_id), end_reason (recalled, resigned, term_ended)."
            ),
        ),
    ),
}


def reason_codes() -> list[tuple[str, object]]:
    """The reason codes a signature can be found invalid for, with their labels."""
    return sorted(REASON_LABELS.items())


def licence(config) -> tuple[str, str | None]:
    """The data licence's name and address: ``DATA_LICENSE`` / ``DATA_LICENSE_URL``, else
    CC BY 4.0."""
    name = config.get("DATA_LICENSE") or DEFAULT_DATA_LICENSE
    url = config.get("DATA_LICENSE_URL")
    return name, url or (DEFAULT_DATA_LICENSE_URL if name == DEFAULT_DATA_LICENSE else None)
