"""usuarios.acesso: newcomers can wait for an admin's approval; access can be revoked.

Everyone already registered keeps their access ('liberado').

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 04:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "usuarios",
        sa.Column("acesso", sa.String(length=16), server_default="liberado", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_usuarios_acesso"), "usuarios", "acesso IN ('pendente', 'liberado', 'recusado')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_usuarios_acesso"), "usuarios", type_="check")
    op.drop_column("usuarios", "acesso")
