"""Commission verification: voter roll, automatic checks, manual review, random sample, report,
certification, export and privacy purge (one module each; the map is in docs/verification.md)."""
