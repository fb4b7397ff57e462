"""Durable inbox of Telegram updates, and replies waiting out a flood limit.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "updates_recebidos",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("dados", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "recebido_em",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("efetivado_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column("referencia", sa.String(length=200), nullable=True),
        sa.Column("concluido_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tentativas", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_updates_recebidos")),
    )
    op.create_index(op.f("ix_updates_recebidos_recebido_em"), "updates_recebidos", ["recebido_em"])
    op.create_index(
        "ix_updates_recebidos_pendentes",
        "updates_recebidos",
        ["update_id"],
        postgresql_where=sa.text("concluido_em IS NULL"),
    )
    op.create_table(
        "respostas_adiadas",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("teclado", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("enviar_apos", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tentativas", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "criado_em",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_respostas_adiadas")),
    )
    op.create_index(op.f("ix_respostas_adiadas_enviar_apos"), "respostas_adiadas", ["enviar_apos"])


def downgrade() -> None:
    op.drop_table("respostas_adiadas")
    op.drop_table("updates_recebidos")
