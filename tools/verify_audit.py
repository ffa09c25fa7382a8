#!/usr/bin/env python3
"""Check recall's public audit log from outside, trusting nothing but this file.

Standard library only (Python 3.8+). It pages through ``GET /api/v1/audit/entries``, recomputes
every entry's hash from its published fields and checks that each entry names the hash of the
one before it, then compares the chain with heads you saved earlier:

    python verify_audit.py https://recall.example.kz                   # recompute the chain
    python verify_audit.py https://recall.example.kz --save heads.jsonl  # ... and keep its hashes
    python verify_audit.py https://recall.example.kz --heads heads.jsonl # ... compare with them

A chain that is whole but was rewritten (an entry deleted, the rest renumbered and rehashed) only
shows against hashes saved before the rewrite: keep a copy (``--save``, the daily head sent to
followers and webhooks, or ``/api/v1/audit/head``) and check against it. The heads file holds
JSON: one object per line or a list; each object with ``seq`` and ``hash`` is a saved head
(objects nested under ``head``, ``event``, ``payload`` or ``items`` are found too).

The hash (docs/verification.md, "Audit trail"): ``hash = sha256(prev_hash + canonical)`` in hex,
where ``canonical`` is the JSON of the entry's fields ``seq, created_at, actor_id, action,
subject_type, subject_id, body_id, payload`` with sorted keys, separators ``,`` and ``:`` and no
ASCII escaping, encoded as UTF-8; the first entry's ``prev_hash`` is 64 zeros.

Exit status: 0 when everything checks, 1 on the first problem (printed), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.parse
import urllib.request

GENESIS = "0" * 64
FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "body_id",
    "payload",
)


def entry_hash(prev_hash, entry):
    """Recompute one entry's hash from its published fields."""
    fields = {name: entry[name] for name in FIELDS}
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def fetch_json(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read().decode("utf-8"))


def fetch_entries(base_url):
    """Every published entry in sequence order, and the head the server reports."""
    entries, from_seq, head = [], 1, None
    while from_seq is not None:
        query = urllib.parse.urlencode({"from_seq": from_seq})
        page = fetch_json(f"{base_url.rstrip('/')}/api/v1/audit/entries?{query}")
        entries.extend(page["items"])
        head = page.get("head")
        from_seq = page["meta"]["next_from_seq"]
    return entries, head


def check_chain(entries, head):
    """The first problem of the chain itself, or None."""
    prev_hash, prev_seq = GENESIS, 0
    for entry in entries:
        if entry["seq"] != prev_seq + 1:
            return f"entry {entry['seq']}: sequence jumps from {prev_seq} to {entry['seq']}"
        if entry["prev_hash"] != prev_hash:
            return f"entry {entry['seq']}: prev_hash is not the hash of entry {prev_seq}"
        if entry_hash(prev_hash, entry) != entry["hash"]:
            return f"entry {entry['seq']}: its fields do not give its hash (edited)"
        prev_hash, prev_seq = entry["hash"], entry["seq"]
    if head is not None and (head["seq"], head["hash"]) != (prev_seq, prev_hash):
        return f"the server's head (entry {head['seq']}) is not the last entry ({prev_seq})"
    return None


def saved_heads(value, found=None):
    """Every ``{"seq", "hash"}`` object in a parsed JSON value, however nested."""
    found = {} if found is None else found
    if isinstance(value, list):
        for item in value:
            saved_heads(item, found)
    elif isinstance(value, dict):
        if isinstance(value.get("seq"), int) and isinstance(value.get("hash"), str):
            found[value["seq"]] = value["hash"]
        for key in ("head", "payload", "items", "event"):
            if key in value:
                saved_heads(value[key], found)
    return found


def read_heads(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        return saved_heads(json.loads(text))
    except json.JSONDecodeError:
        found = {}
        for line in text.splitlines():
            if line.strip():
                saved_heads(json.loads(line), found)
        return found


def compare_heads(entries, heads):
    """The first saved head the published chain contradicts, described, or None."""
    published = {entry["seq"]: entry["hash"] for entry in entries}
    matched = 0
    for seq in sorted(heads):
        now = published.get(seq)
        if now == heads[seq]:
            matched = seq
            continue
        if now is None:
            return (
                f"you saved entry {seq}, but the published log ends at entry {len(entries)}: "
                f"entries after {matched} were removed or changed"
            )
        where = (
            f"entry {seq}"
            if matched == seq - 1
            else f"one of entries {matched + 1}..{seq} (the first saved head that differs is {seq})"
        )
        return f"the log differs from your saved copy at {where}: saved {heads[seq]}, now {now}"
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base_url", help="the site, e.g. https://recall.example.kz")
    parser.add_argument("--heads", help="a file of heads saved earlier to compare with")
    parser.add_argument("--save", help="append every entry's seq and hash to this file")
    args = parser.parse_args(argv)

    entries, head = fetch_entries(args.base_url)
    problem = check_chain(entries, head)
    if problem is None and args.heads:
        problem = compare_heads(entries, read_heads(args.heads))
    if problem is not None:
        print(f"BROKEN: {problem}")
        return 1
    if args.save:
        with open(args.save, "a", encoding="utf-8") as handle:
            for entry in entries:
                handle.write(json.dumps({"seq": entry["seq"], "hash": entry["hash"]}) + "\n")
    last = entries[-1]["hash"] if entries else GENESIS
    print(f"OK: {len(entries)} entries, head {last}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
