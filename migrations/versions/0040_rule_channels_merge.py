"""One list of signing channels per rule (issue 10): schema 3's ``identity_providers`` folded in.

A schema-3 rule version listed ``signing_channels`` and, separately, the ``identity_providers``
an online signature could be confirmed by (``email_link``, ``online_strong``); an online channel
was usable only when both lists allowed it. Schema 4 has the channel list alone, the online
channels saying how identity is confirmed (``online_email``, ``online_strong``).

Stored rule versions are NOT rewritten: a rule version is the evidence of the law a petition was
registered and counted under, and a copy's ``rules.version_created`` audit entry holds the SHA-256
of the JSON it was stored with; rewriting it (as this revision first did) broke that digest and
could not give back the same bytes on downgrade. ``RecallRule.from_dict`` reads schema-3 rows
through ``rule_data_to_schema_4`` instead, so every reader (signing, the API, the rule pages) sees
one channel list while the stored row stays as written. This revision is kept, empty, so that the
chain of revisions databases have already recorded stays linear.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-03

"""

# revision identifiers, used by Alembic.
revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
