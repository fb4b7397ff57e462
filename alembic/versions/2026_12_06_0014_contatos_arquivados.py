"""Contacts can be archived: `contatos.arquivado_em` (null: in use).

An archived contact keeps its row and its processos' links, and leaves /contatos, the searches
and /novo's contact question; one no processo names may be removed outright instead.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 11:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contatos", sa.Column("arquivado_em", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("contatos", "arquivado_em")
