"""Group chats: which groups the bot is in and whether a gestor authorised it to serve them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 03:40:49.772853+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grupos",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("titulo", sa.String(length=255), nullable=False),
        sa.Column("autorizado", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("autorizado_por", sa.BigInteger(), nullable=True),
        sa.Column(
            "criado_em", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "atualizado_em",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["autorizado_por"],
            ["usuarios.id"],
            name=op.f("fk_grupos_autorizado_por_usuarios"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_grupos")),
    )


def downgrade() -> None:
    op.drop_table("grupos")
