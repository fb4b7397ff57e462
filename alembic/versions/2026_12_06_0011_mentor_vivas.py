"""Mentor questions survive a crash: a heartbeat and the group placeholder of pending ones.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-06 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("mensagens", sa.Column("vivo_em", sa.DateTime(timezone=True), nullable=True))
    op.add_column("mensagens", sa.Column("marcador_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_mensagens_pendentes",
        "mensagens",
        ["id"],
        unique=False,
        postgresql_where=sa.text("estado = 'pendente'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_mensagens_pendentes",
        table_name="mensagens",
        postgresql_where=sa.text("estado = 'pendente'"),
    )
    op.drop_column("mensagens", "marcador_id")
    op.drop_column("mensagens", "vivo_em")
