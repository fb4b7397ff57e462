"""Mentor: mensagens (conversation memory and summaries), mentor_uso (tokens), mentor_acoes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mensagens",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("usuario_id", sa.BigInteger(), nullable=True),
        sa.Column("papel", sa.String(length=16), nullable=False),
        sa.Column("texto", sa.Text(), nullable=False),
        sa.Column("estado", sa.String(length=16), server_default="ok", nullable=False),
        sa.Column("processo_id", sa.BigInteger(), nullable=True),
        sa.Column("resume_ate", sa.BigInteger(), nullable=True),
        sa.Column(
            "criado_em", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "papel IN ('usuario', 'mentor', 'resumo')", name=op.f("ck_mensagens_papel")
        ),
        sa.CheckConstraint(
            "estado IN ('pendente', 'ok', 'parcial', 'falhou')", name=op.f("ck_mensagens_estado")
        ),
        sa.ForeignKeyConstraint(
            ["processo_id"],
            ["processos.id"],
            name=op.f("fk_mensagens_processo_id_processos"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["usuario_id"],
            ["usuarios.id"],
            name=op.f("fk_mensagens_usuario_id_usuarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mensagens")),
    )
    op.create_index(op.f("ix_mensagens_chat_id_id"), "mensagens", ["chat_id", "id"])
    op.create_index(
        op.f("ix_mensagens_usuario_id_criado_em"), "mensagens", ["usuario_id", "criado_em"]
    )
    op.create_index(
        "ix_mensagens_resumos",
        "mensagens",
        ["chat_id", "id"],
        postgresql_where=sa.text("papel = 'resumo'"),
    )
    op.create_table(
        "mentor_uso",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("usuario_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("modelo", sa.String(length=128), nullable=False),
        sa.Column("tokens_entrada", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("tokens_saida", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "criado_em", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["usuario_id"],
            ["usuarios.id"],
            name=op.f("fk_mentor_uso_usuario_id_usuarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_uso")),
    )
    op.create_index(
        op.f("ix_mentor_uso_usuario_id_criado_em"), "mentor_uso", ["usuario_id", "criado_em"]
    )
    op.create_index(op.f("ix_mentor_uso_criado_em"), "mentor_uso", ["criado_em"])
    op.create_table(
        "mentor_acoes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("usuario_id", sa.BigInteger(), nullable=False),
        sa.Column("tipo", sa.String(length=32), nullable=False),
        sa.Column("dados", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("estado", sa.String(length=16), server_default="proposta", nullable=False),
        sa.Column(
            "criado_em", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "estado IN ('proposta', 'feita', 'recusada')", name=op.f("ck_mentor_acoes_estado")
        ),
        sa.ForeignKeyConstraint(
            ["usuario_id"],
            ["usuarios.id"],
            name=op.f("fk_mentor_acoes_usuario_id_usuarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_acoes")),
    )
    op.create_index(
        op.f("ix_mentor_acoes_usuario_id_criado_em"), "mentor_acoes", ["usuario_id", "criado_em"]
    )


def downgrade() -> None:
    op.drop_table("mentor_acoes")
    op.drop_table("mentor_uso")
    op.drop_table("mensagens")
