"""Web pages for signing: the signing form, confirmation links, receipts, withdrawal, paper entry."""
