"""The public audit log under ``/api/v1/audit``: every entry and every past head, for outsiders.

Anyone can page through the chain from any sequence number and recompute each hash with their
own script (docs/verification.md, ``tools/verify_audit.py``); nothing here needs an account.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from recall.api import bp
from recall.api import openapi_schemas as s
from recall.api.openapi import documented
from recall.errors import Invalid, NotFound
from recall.security import public
from recall.services import audit
from recall.services.pagination import MAX_ROW_ID


def _seq_arg(name: str, default: int | None) -> int | None:
    """A sequence number from the query string: absent gives ``default``, anything else 422."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ROW_ID:
        raise Invalid(_("%(name)s must be a positive whole number.", name=name), field=name)
    return int(raw)


@bp.get("/audit/entries")
@documented(
    "Audit log entries from a sequence number",
    tags=("audit",),
    response=s.AuditEntries,
    query=s.AuditEntriesQuery,
    errors=(422,),
)
@public
def audit_entries():
    """Entries with ``seq >= from_seq`` (default 1), ``per_page`` at a time (default and most 500)."""
    from_seq = _seq_arg("from_seq", 1)
    per_page = _seq_arg("per_page", audit.MAX_ENTRIES_PAGE)
    entries = audit.entries_from(from_seq, per_page)
    head = audit.audit_head_info()
    last = entries[-1].seq if entries else None
    more = last is not None and head is not None and last < head["seq"]
    return {
        "items": [audit.public_entry(entry) for entry in entries],
        "meta": {
            "from_seq": from_seq,
            "per_page": min(per_page, audit.MAX_ENTRIES_PAGE),
            "total": head["seq"] if head else 0,
            "next_from_seq": last + 1 if more else None,
        },
        "head": head,
    }


@bp.get("/audit/head")
@documented(
    "The head of the audit hash chain (now, or after entry seq)",
    tags=("audit",),
    response=s.AuditHead,
    query=s.AuditHeadQuery,
    errors=(404, 422),
)
@public
def audit_head():
    """The newest head, or with ``?seq=N`` the head the chain had right after entry N."""
    seq = _seq_arg("seq", None)
    if seq is None:
        return {"head": audit.audit_head_info()}
    head = audit.head_at(seq)
    if head is None:
        raise NotFound(_("The audit log has no entry %(seq)s.", seq=seq))
    return {"head": head}
