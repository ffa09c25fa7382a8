"""Fraud patterns: where signatures come from, trends per petition, bulk invalidation, shadow bans."""
