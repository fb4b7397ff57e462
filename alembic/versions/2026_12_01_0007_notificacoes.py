"""Notices: the notificacoes outbox, lembretes, avisos, and the /notificacoes preferences.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "avisos",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("autor_id", sa.BigInteger(), nullable=False),
        sa.Column("texto", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="rascunho", nullable=False),
        sa.Column("total", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("mensagem_id", sa.BigInteger(), nullable=True),
        sa.Column("acompanhado_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "criado_em", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "atualizado_em",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('rascunho', 'enviando', 'concluido', 'cancelado')",
            name=op.f("ck_avisos_status"),
        ),
        sa.ForeignKeyConstraint(
            ["autor_id"],
            ["usuarios.id"],
            name=op.f("fk_avisos_autor_id_usuarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_avisos")),
    )
    op.create_table(
        "notificacoes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("chave", sa.String(length=200), nullable=False),
        sa.Column("tipo", sa.String(length=16), nullable=False),
        sa.Column("usuario_id", sa.BigInteger(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("texto", sa.Text(), nullable=False),
        sa.Column("formato", sa.String(length=12), server_default="html", nullable=False),
        sa.Column("entidades", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("teclado", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("prioridade", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="pendente", nullable=False),
        sa.Column(
            "devido_em", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("tentativas", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "partes_enviadas", sa.SmallInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("motivo", sa.Text(), nullable=True),
        sa.Column("aviso_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "criado_em", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("enviada_em", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "formato IN ('html', 'entidades')", name=op.f("ck_notificacoes_formato")
        ),
        sa.CheckConstraint(
            "status IN ('pendente', 'enviando', 'enviada', 'falhou', 'descartada')",
            name=op.f("ck_notificacoes_status"),
        ),
        sa.CheckConstraint(
            "tipo IN ('resposta', 'processo', 'acesso', 'lembrete', 'prazo', 'resumo', 'parados', 'saude', 'aviso', 'outro')",
            name=op.f("ck_notificacoes_tipo"),
        ),
        sa.ForeignKeyConstraint(
            ["aviso_id"],
            ["avisos.id"],
            name=op.f("fk_notificacoes_aviso_id_avisos"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["usuario_id"],
            ["usuarios.id"],
            name=op.f("fk_notificacoes_usuario_id_usuarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notificacoes")),
        sa.UniqueConstraint("chave", name=op.f("uq_notificacoes_chave")),
    )
    op.create_index(
        op.f("ix_notificacoes_aviso_id_status"),
        "notificacoes",
        ["aviso_id", "status"],
        unique=False,
        postgresql_where=sa.text("aviso_id IS NOT NULL"),
    )
    op.create_index(
        op.f("ix_notificacoes_chat_id_id"),
        "notificacoes",
        ["chat_id", "id"],
        unique=False,
        postgresql_where=sa.text("status IN ('pendente', 'enviando')"),
    )
    op.create_index(op.f("ix_notificacoes_criado_em"), "notificacoes", ["criado_em"], unique=False)
    op.create_index(
        op.f("ix_notificacoes_prioridade_devido_em"),
        "notificacoes",
        ["prioridade", "devido_em"],
        unique=False,
        postgresql_where=sa.text("status IN ('pendente', 'enviando')"),
    )
    op.create_table(
        "lembretes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("usuario_id", sa.BigInteger(), nullable=False),
        sa.Column("texto", sa.Text(), nullable=False),
        sa.Column("quando", sa.DateTime(timezone=True), nullable=False),
        sa.Column("regra", sa.String(length=32), nullable=True),
        sa.Column("processo_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=12), server_default="ativo", nullable=False),
        sa.Column("disparos", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "criado_em", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "atualizado_em",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('ativo', 'concluido', 'cancelado')", name=op.f("ck_lembretes_status")
        ),
        sa.CheckConstraint(
            "char_length(texto) BETWEEN 1 AND 1000", name=op.f("ck_lembretes_texto")
        ),
        sa.ForeignKeyConstraint(
            ["processo_id"],
            ["processos.id"],
            name=op.f("fk_lembretes_processo_id_processos"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["usuario_id"],
            ["usuarios.id"],
            name=op.f("fk_lembretes_usuario_id_usuarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lembretes")),
    )
    op.create_index(
        op.f("ix_lembretes_quando"),
        "lembretes",
        ["quando"],
        unique=False,
        postgresql_where=sa.text("status = 'ativo'"),
    )
    op.create_index(
        op.f("ix_lembretes_usuario_id"),
        "lembretes",
        ["usuario_id"],
        unique=False,
        postgresql_where=sa.text("status = 'ativo'"),
    )
    op.add_column(
        "usuarios",
        sa.Column("notif_processos", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.add_column(
        "usuarios",
        sa.Column("notif_prazos", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.add_column(
        "usuarios",
        sa.Column("notif_resumo", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.add_column(
        "usuarios",
        sa.Column("notif_parados", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.add_column(
        "usuarios",
        sa.Column("notif_saude", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "usuarios",
        sa.Column(
            "silencio_inicio", sa.SmallInteger(), server_default=sa.text("22"), nullable=False
        ),
    )
    op.add_column(
        "usuarios",
        sa.Column("silencio_fim", sa.SmallInteger(), server_default=sa.text("8"), nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_usuarios_silencio"),
        "usuarios",
        "silencio_inicio BETWEEN 0 AND 23 AND silencio_fim BETWEEN 0 AND 23",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_usuarios_silencio"), "usuarios", type_="check")
    op.drop_column("usuarios", "silencio_fim")
    op.drop_column("usuarios", "silencio_inicio")
    op.drop_column("usuarios", "notif_saude")
    op.drop_column("usuarios", "notif_parados")
    op.drop_column("usuarios", "notif_resumo")
    op.drop_column("usuarios", "notif_prazos")
    op.drop_column("usuarios", "notif_processos")
    op.drop_index(
        op.f("ix_lembretes_usuario_id"),
        table_name="lembretes",
        postgresql_where=sa.text("status = 'ativo'"),
    )
    op.drop_index(
        op.f("ix_lembretes_quando"),
        table_name="lembretes",
        postgresql_where=sa.text("status = 'ativo'"),
    )
    op.drop_table("lembretes")
    op.drop_index(
        op.f("ix_notificacoes_prioridade_devido_em"),
        table_name="notificacoes",
        postgresql_where=sa.text("status IN ('pendente', 'enviando')"),
    )
    op.drop_index(op.f("ix_notificacoes_criado_em"), table_name="notificacoes")
    op.drop_index(
        op.f("ix_notificacoes_chat_id_id"),
        table_name="notificacoes",
        postgresql_where=sa.text("status IN ('pendente', 'enviando')"),
    )
    op.drop_index(
        op.f("ix_notificacoes_aviso_id_status"),
        table_name="notificacoes",
        postgresql_where=sa.text("aviso_id IS NOT NULL"),
    )
    op.drop_table("notificacoes")
    op.drop_table("avisos")
