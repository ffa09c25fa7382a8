"""Bodies of any country (issue 11): a body's kind is data, a district has a code.

* ``body_kinds``: a name per language, the jurisdiction, the seat rule (percent of seats elected by
  party list), whether list deputies can be recalled, and the default recall preset. The Kazakh
  levels become the seeded kinds ``mazhilis``, ``oblast_maslikhat`` and ``district_maslikhat``.
* ``bodies.level`` becomes ``bodies.kind_id``; ``bodies.jurisdiction`` (``Kazakhstan`` for every
  existing body) names the recall-rule jurisdiction the body belongs to.
* ``districts.code`` (unique per body; the number as text for existing districts), and
  ``districts.number`` becomes optional.
* ``deputies.mandate_type`` admits ``multi_member`` (one of several deputies of a district).

Downgrading refuses while a body's kind is not a Kazakh level, a district has no number or a
deputy holds a multi-member mandate: the old schema cannot hold them.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

_LEVELS = ("mazhilis", "oblast_maslikhat", "district_maslikhat")
# The seeded kinds as of this revision (recall/services/deputies/body_kinds.py keeps them current).
_KINDS = (
    ("mazhilis", {"en": "Mazhilis", "ru": "Мажилис", "kk": "Мәжіліс"}, 70,
     "kz_mazhilis_single_mandate"),
    ("oblast_maslikhat",
     {"en": "Regional maslikhat", "ru": "Областной маслихат", "kk": "Облыстық мәслихат"}, 50,
     "kz_maslikhat_single_mandate"),
    ("district_maslikhat",
     {"en": "District maslikhat", "ru": "Районный маслихат", "kk": "Аудандық мәслихат"}, 0,
     "kz_maslikhat_single_mandate"),
)  # fmt: skip
_OLD_MANDATES = ("single_mandate", "party_list")
_NEW_MANDATES = ("single_mandate", "party_list", "multi_member")
_OLD_CHECK = (
    "(mandate_type = 'single_mandate' AND district_id IS NOT NULL) OR "
    "(mandate_type = 'party_list' AND district_id IS NULL)"
)
_NEW_CHECK = (
    "(mandate_type IN ('single_mandate', 'multi_member') AND district_id IS NOT NULL) OR "
    "(mandate_type = 'party_list' AND district_id IS NULL)"
)


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _retype_mandates(old, new, old_check, new_check):
    with op.batch_alter_table("deputies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_deputies_district_matches_mandate"), type_="check")
        if _postgres():
            batch_op.drop_constraint(batch_op.f("ck_deputies_mandate_type"), type_="check")
            batch_op.create_check_constraint("mandate_type", sa.column("mandate_type").in_(new))
        else:
            # SQLite rebuilds the table; the new type carries its own CHECK constraint.
            batch_op.alter_column(
                "mandate_type",
                existing_type=_enum(old, "mandate_type"),
                type_=_enum(new, "mandate_type"),
            )
        batch_op.create_check_constraint("district_matches_mandate", sa.text(new_check))


def upgrade():
    kinds = op.create_table(
        "body_kinds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=200), nullable=False),
        sa.Column("list_seats_percent", sa.Integer(), nullable=True),
        sa.Column("list_deputies_recallable", sa.Boolean(), nullable=False),
        sa.Column("default_rule_key", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "list_seats_percent IS NULL OR (list_seats_percent >= 0 AND list_seats_percent <= 100)",
            name=op.f("ck_body_kinds_list_percent_in_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_body_kinds")),
        sa.UniqueConstraint("code", name=op.f("uq_body_kinds_code")),
    )
    now = sa.func.now() if _postgres() else sa.text("CURRENT_TIMESTAMP")
    for code, names, percent, rule in _KINDS:
        op.execute(
            kinds.insert().values(
                code=code,
                names=names,
                jurisdiction="Kazakhstan",
                list_seats_percent=percent,
                list_deputies_recallable=False,
                default_rule_key=rule,
                created_at=now,
            )
        )

    with op.batch_alter_table("bodies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("jurisdiction", sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE bodies SET jurisdiction = 'Kazakhstan', "
        "kind_id = (SELECT k.id FROM body_kinds k WHERE k.code = bodies.level)"
    )
    with op.batch_alter_table("bodies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_bodies_body_level"), type_="check")
        batch_op.drop_column("level")
        batch_op.alter_column("kind_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("jurisdiction", existing_type=sa.String(length=200), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_bodies_kind_id_body_kinds"), "body_kinds", ["kind_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_bodies_kind_id"), ["kind_id"], unique=False)

    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=120), nullable=True))
    op.execute("UPDATE districts SET code = CAST(number AS VARCHAR(120))")
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.alter_column("code", existing_type=sa.String(length=120), nullable=False)
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_districts_body_code"), ["body_id", "code"])

    _retype_mandates(_OLD_MANDATES, _NEW_MANDATES, _OLD_CHECK, _NEW_CHECK)


def downgrade():
    bind = op.get_bind()
    blockers = {
        "bodies of a kind that is not a Kazakh level": "SELECT count(*) FROM bodies b "
        "JOIN body_kinds k ON k.id = b.kind_id WHERE k.code NOT IN "
        "('mazhilis', 'oblast_maslikhat', 'district_maslikhat')",
        "districts without a number": "SELECT count(*) FROM districts WHERE number IS NULL",
        "multi-member deputies": "SELECT count(*) FROM deputies WHERE mandate_type = 'multi_member'",
    }
    for what, query in blockers.items():
        n = bind.scalar(sa.text(query))
        if n:
            raise RuntimeError(f"{n} {what}: the old schema cannot hold them; remove them first")
    _retype_mandates(_NEW_MANDATES, _OLD_MANDATES, _NEW_CHECK, _OLD_CHECK)

    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_districts_body_code"), type_="unique")
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("code")

    with op.batch_alter_table("bodies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("level", _enum(_LEVELS, "body_level"), nullable=True))
    op.execute(
        "UPDATE bodies SET level = (SELECT k.code FROM body_kinds k WHERE k.id = bodies.kind_id)"
    )
    with op.batch_alter_table("bodies", schema=None) as batch_op:
        batch_op.alter_column("level", existing_type=_enum(_LEVELS, "body_level"), nullable=False)
        batch_op.drop_index(batch_op.f("ix_bodies_kind_id"))
        batch_op.drop_constraint(batch_op.f("fk_bodies_kind_id_body_kinds"), type_="foreignkey")
        batch_op.drop_column("jurisdiction")
        batch_op.drop_column("kind_id")
    op.drop_table("body_kinds")
