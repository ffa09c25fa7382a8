"""Commission verification: voter roll, automatic checks, manual review, certification, privacy purge."""
