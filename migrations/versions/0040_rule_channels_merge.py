"""One list of signing channels per rule (issue 10): schema 3's ``identity_providers`` folded in.

A schema-3 rule version listed ``signing_channels`` and, separately, the ``identity_providers``
an online signature could be confirmed by (``email_link``, ``online_strong``); an online channel
was usable only when both lists allowed it. Schema 4 has the channel list alone, the online
channels saying how identity is confirmed (``online_email``, ``online_strong``).

Upgrade rewrites every schema-3 row with ``rule_data_to_schema_4``, the mapping
``RecallRule.from_dict`` applies to older data: each channel a voter could actually use is kept,
in the rule's order; ``online_email`` goes when ``email_link`` was not a provider, and
``online_strong`` when ``online_strong`` was not; a rule left with no channel at all (only
online channels, none with its provider: nobody could sign) gets the online channels its providers
name; ``identity_providers`` in ``unverified_fields`` becomes ``signing_channels``. Schema 1 and 2
rows are left alone: they named neither list and read as e-mail and paper, as before.

Downgrade writes every schema-4 row back as schema 3 (``rule_data_to_schema_3``): the providers of
the online channels listed (both when none is listed), so the same channels stay usable.

Rule versions are otherwise never rewritten. A copy's ``rules.version_created`` audit entry holds
the SHA-256 of the schema-3 JSON it was stored with, which this rewrite does not keep: the
downgrade gives back a schema-3 form allowing the same channels, not always the same bytes
(docs/petitions.md, "Stored versions").

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

from recall.rules.recall_rules import rule_data_to_schema_3, rule_data_to_schema_4

# revision identifiers, used by Alembic.
revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None

_versions = sa.table(
    "recall_rule_versions", sa.column("id", sa.Integer), sa.column("data", sa.JSON)
)


def _rewrite(convert) -> None:
    conn = op.get_bind()
    for row_id, data in conn.execute(sa.select(_versions.c.id, _versions.c.data)).all():
        new = convert(data)
        if new != data:
            conn.execute(_versions.update().where(_versions.c.id == row_id).values(data=new))


def upgrade():
    _rewrite(rule_data_to_schema_4)


def downgrade():
    _rewrite(rule_data_to_schema_3)
