"""recall: hold elected deputies to their word."""
