"""Initial schema: usuarios, contatos, processos, processo_eventos, fluxos.

The old `cogep_db` holds only `alembic_version`, so this is the first revision of the history.
`cogep_unaccent` stands in for the `unaccent` extension, which the embedded PostgreSQL lacks;
it is IMMUTABLE so generated tsvector columns and their GIN indexes can use it.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 11:27:34.935719+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ACCENTED = "áàâãäåÁÀÂÃÄÅéèêëÉÈÊËíìîïÍÌÎÏóòôõöÓÒÔÕÖúùûüÚÙÛÜçÇñÑ"
PLAIN = "aaaaaaAAAAAAeeeeEEEEiiiiIIIIoooooOOOOOuuuuUUUUcCnN"


def upgrade() -> None:
    op.execute(
        "CREATE FUNCTION cogep_unaccent(text) RETURNS text"
        " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
        f" AS $$ SELECT translate($1, '{ACCENTED}', '{PLAIN}') $$"
    )
    op.execute("CREATE SEQUENCE processos_sequencia_seq")
    op.create_table(
        "fluxos",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("nome", sa.String(length=32), nullable=False),
        sa.Column("passo", sa.String(length=32), nullable=False),
        sa.Column(
            "dados",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "atualizado_em",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("chat_id", "telegram_id", name=op.f("pk_fluxos")),
    )
    op.create_table(
        "usuarios",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("nome", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("papel", sa.String(length=16), server_default="membro", nullable=False),
        sa.Column("ativo", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "fuso_horario", sa.String(length=64), server_default="America/Sao_Paulo", nullable=False
        ),
        sa.Column(
            "notificacoes_ativas", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column("hora_resumo", sa.SmallInteger(), server_default=sa.text("8"), nullable=False),
        sa.Column("origem", sa.String(length=64), nullable=True),
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
            "papel IN ('membro', 'gestor', 'admin')", name=op.f("ck_usuarios_papel")
        ),
        sa.CheckConstraint("hora_resumo BETWEEN 0 AND 23", name=op.f("ck_usuarios_hora_resumo")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usuarios")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_usuarios_telegram_id")),
    )
    op.create_table(
        "contatos",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("nome", sa.String(length=128), nullable=False),
        sa.Column("empresa", sa.String(length=128), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("telefone", sa.String(length=32), nullable=True),
        sa.Column("notas", sa.Text(), nullable=True),
        sa.Column("criado_por_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "busca",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('portuguese'::regconfig, cogep_unaccent(nome || ' ' || coalesce(empresa, '') || ' ' || coalesce(email, '')))",
                persisted=True,
            ),
            nullable=False,
        ),
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
            ["criado_por_id"], ["usuarios.id"], name=op.f("fk_contatos_criado_por_id_usuarios")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contatos")),
    )
    op.create_index(
        op.f("ix_contatos_busca"), "contatos", ["busca"], unique=False, postgresql_using="gin"
    )
    op.create_table(
        "processos",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("sequencia", sa.BigInteger(), nullable=False),
        sa.Column("numero", sa.String(length=16), nullable=False),
        sa.Column("titulo", sa.String(length=200), nullable=False),
        sa.Column("descricao", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="aberto", nullable=False),
        sa.Column("prioridade", sa.String(length=16), server_default="normal", nullable=False),
        sa.Column("solicitante_id", sa.BigInteger(), nullable=False),
        sa.Column("responsavel_id", sa.BigInteger(), nullable=True),
        sa.Column("contato_id", sa.BigInteger(), nullable=True),
        sa.Column("prazo", sa.DateTime(timezone=True), nullable=True),
        sa.Column("concluido_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "busca",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('portuguese'::regconfig, cogep_unaccent(numero || ' ' || titulo || ' ' || coalesce(descricao, '')))",
                persisted=True,
            ),
            nullable=False,
        ),
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
            "prioridade IN ('baixa', 'normal', 'alta', 'urgente')",
            name=op.f("ck_processos_prioridade"),
        ),
        sa.CheckConstraint(
            "status IN ('aberto', 'em_andamento', 'aguardando', 'concluido', 'cancelado')",
            name=op.f("ck_processos_status"),
        ),
        sa.CheckConstraint(
            "char_length(titulo) BETWEEN 1 AND 200", name=op.f("ck_processos_titulo")
        ),
        sa.ForeignKeyConstraint(
            ["contato_id"], ["contatos.id"], name=op.f("fk_processos_contato_id_contatos")
        ),
        sa.ForeignKeyConstraint(
            ["responsavel_id"], ["usuarios.id"], name=op.f("fk_processos_responsavel_id_usuarios")
        ),
        sa.ForeignKeyConstraint(
            ["solicitante_id"], ["usuarios.id"], name=op.f("fk_processos_solicitante_id_usuarios")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processos")),
        sa.UniqueConstraint("numero", name=op.f("uq_processos_numero")),
        sa.UniqueConstraint("sequencia", name=op.f("uq_processos_sequencia")),
    )
    op.create_index(
        op.f("ix_processos_busca"), "processos", ["busca"], unique=False, postgresql_using="gin"
    )
    op.create_index(op.f("ix_processos_contato_id"), "processos", ["contato_id"], unique=False)
    op.create_index(op.f("ix_processos_criado_em"), "processos", ["criado_em"], unique=False)
    op.create_index(
        op.f("ix_processos_prazo"),
        "processos",
        ["prazo"],
        unique=False,
        postgresql_where=sa.text("status IN ('aberto', 'em_andamento', 'aguardando')"),
    )
    op.create_index(
        op.f("ix_processos_responsavel_id_criado_em"),
        "processos",
        ["responsavel_id", "criado_em"],
        unique=False,
    )
    op.create_index(
        op.f("ix_processos_solicitante_id_criado_em"),
        "processos",
        ["solicitante_id", "criado_em"],
        unique=False,
    )
    op.create_table(
        "processo_eventos",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("processo_id", sa.BigInteger(), nullable=False),
        sa.Column("autor_id", sa.BigInteger(), nullable=True),
        sa.Column("tipo", sa.String(length=16), nullable=False),
        sa.Column("de", sa.Text(), nullable=True),
        sa.Column("para", sa.Text(), nullable=True),
        sa.Column("texto", sa.Text(), nullable=True),
        sa.Column(
            "criado_em", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "busca",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('portuguese'::regconfig, cogep_unaccent(coalesce(texto, '')))",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "tipo IN ('criado', 'status', 'comentario', 'responsavel', 'prazo', 'contato', 'prioridade')",
            name=op.f("ck_processo_eventos_tipo"),
        ),
        sa.ForeignKeyConstraint(
            ["autor_id"], ["usuarios.id"], name=op.f("fk_processo_eventos_autor_id_usuarios")
        ),
        sa.ForeignKeyConstraint(
            ["processo_id"],
            ["processos.id"],
            name=op.f("fk_processo_eventos_processo_id_processos"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processo_eventos")),
    )
    op.create_index(
        op.f("ix_processo_eventos_busca"),
        "processo_eventos",
        ["busca"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        op.f("ix_processo_eventos_processo_id_id"),
        "processo_eventos",
        ["processo_id", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_processo_eventos_processo_id_id"), table_name="processo_eventos")
    op.drop_index(
        op.f("ix_processo_eventos_busca"), table_name="processo_eventos", postgresql_using="gin"
    )
    op.drop_table("processo_eventos")
    op.drop_index(op.f("ix_processos_solicitante_id_criado_em"), table_name="processos")
    op.drop_index(op.f("ix_processos_responsavel_id_criado_em"), table_name="processos")
    op.drop_index(
        op.f("ix_processos_prazo"),
        table_name="processos",
        postgresql_where=sa.text("status IN ('aberto', 'em_andamento', 'aguardando')"),
    )
    op.drop_index(op.f("ix_processos_criado_em"), table_name="processos")
    op.drop_index(op.f("ix_processos_contato_id"), table_name="processos")
    op.drop_index(op.f("ix_processos_busca"), table_name="processos", postgresql_using="gin")
    op.drop_table("processos")
    op.drop_index(op.f("ix_contatos_busca"), table_name="contatos", postgresql_using="gin")
    op.drop_table("contatos")
    op.drop_table("usuarios")
    op.drop_table("fluxos")
    op.execute("DROP SEQUENCE processos_sequencia_seq")
    op.execute("DROP FUNCTION cogep_unaccent(text)")
