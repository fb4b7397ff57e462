"""Knowledge base: documentos and trechos, and `cogep_lexico` for pt-BR stemming without accents.

Snowball's Portuguese stemmer was written for accented words: it stems `avaliação` to `avali`
but `avaliacao` (as people type it) to `avaliaca`, and never joins `trimestral` and
`trimestrais`. `cogep_lexico` folds accents and case, writes hyphenated words joined too (as
`cogep_indexavel` does), then puts back what the stemmer needs: plurals to singular (`-ais` ->
`-al`, `-eis` -> `-el`, `-ões`/`-ães` -> `-ão`), the accents of `-ção`, `-ão`, `-ável`, `-ível`.
Both sides (indexed text and query) go through the same function, so spelling with or without
accents can never change a match; the rules only decide how many words share a stem.

Folding is `cogep_dobrar`: NFD, then the combining marks dropped. It does what `cogep_unaccent`
does for pt-BR, 3.5x faster: `translate` with a 50-character map was the single largest cost of
indexing (15.7 MB: translate 3.5 s, NFD + regexp 1.1 s, to_tsvector 2.0 s). Plain SQL, so both
servers (with and without `unaccent`) behave the same.

The embeddings table is not created here: its vector dimension is the model's, known at the
first embedding (see bot.conhecimento.vetores), and pgvector exists on one server only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REGRAS = (  # (pattern, replacement), applied in order to folded, lowercased words
    (r"(\w\w\w)(a|e)is\M", r"\1\2l"),
    (r"(\w\w)c(ao|oes)\M", r"\1ção"),
    (r"(\w)(ao|oes|aes)\M", r"\1ão"),
    (r"(\w)avel\M", r"\1ável"),
    (r"(\w)ivel\M", r"\1ível"),
)


DOBRAR = (
    "CREATE FUNCTION cogep_dobrar(text) RETURNS text"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
    r" AS $$ SELECT regexp_replace(normalize($1, NFD), '[\u0300-\u036f]', '', 'g') $$"
)
HIFENS = (r"(\w+)-(\w+)", r"\1-\2 \1\2")  # `e-mail` is also `email`


def _lexico() -> str:
    corpo = f"regexp_replace(lower(cogep_dobrar($1)), '{HIFENS[0]}', '{HIFENS[1]}', 'g')"
    for padrao, troca in REGRAS:
        corpo = f"regexp_replace({corpo}, '{padrao}', '{troca}', 'g')"
    return (
        "CREATE FUNCTION cogep_lexico(text) RETURNS text"
        " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
        f" AS $$ SELECT {corpo} $$"
    )


def upgrade() -> None:
    op.execute(DOBRAR)
    op.execute(_lexico())
    op.create_table(
        "documentos",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("titulo", sa.String(length=300), nullable=False),
        sa.Column("origem", sa.String(length=16), nullable=False),
        sa.Column("referencia", sa.Text(), nullable=False),
        sa.Column("nome_arquivo", sa.String(length=255), nullable=True),
        sa.Column("mime", sa.String(length=128), nullable=True),
        sa.Column("tamanho", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="pendente", nullable=False),
        sa.Column("erro", sa.Text(), nullable=True),
        sa.Column("privado", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("enviado_por_id", sa.BigInteger(), nullable=True),
        sa.Column("paginas", sa.Integer(), nullable=True),
        sa.Column("caracteres", sa.Integer(), nullable=True),
        sa.Column("total_trechos", sa.Integer(), nullable=True),
        sa.Column("tentativas", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("tomado_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processado_em", sa.DateTime(timezone=True), nullable=True),
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
            "origem IN ('telegram', 'url', 'arquivo')", name=op.f("ck_documentos_origem")
        ),
        sa.CheckConstraint(
            "status IN ('pendente', 'processando', 'pronto', 'falhou')",
            name=op.f("ck_documentos_status"),
        ),
        sa.ForeignKeyConstraint(
            ["enviado_por_id"], ["usuarios.id"], name=op.f("fk_documentos_enviado_por_id_usuarios")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documentos")),
    )
    op.create_index(op.f("ix_documentos_criado_em"), "documentos", ["criado_em"], unique=False)
    op.create_index(
        "ix_documentos_em_andamento",
        "documentos",
        ["id"],
        unique=False,
        postgresql_where=sa.text("status IN ('pendente', 'processando')"),
    )
    op.create_index(
        op.f("ix_documentos_enviado_por_id_status"),
        "documentos",
        ["enviado_por_id", "status"],
        unique=False,
    )
    op.create_index(
        "uq_documentos_sha256_equipe",
        "documentos",
        ["sha256"],
        unique=True,
        postgresql_where=sa.text("NOT privado"),
    )
    op.create_index(
        "uq_documentos_sha256_privado",
        "documentos",
        ["sha256", "enviado_por_id"],
        unique=True,
        postgresql_where=sa.text("privado"),
    )
    op.create_table(
        "trechos",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("documento_id", sa.BigInteger(), nullable=False),
        sa.Column("posicao", sa.Integer(), nullable=False),
        sa.Column("secao", sa.Text(), nullable=True),
        sa.Column("pagina", sa.Integer(), nullable=True),
        sa.Column("texto", sa.Text(), nullable=False),
        sa.Column(
            "busca",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('portuguese'::regconfig, cogep_lexico(coalesce(secao, '') || ' ' || texto))",
                persisted=True,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["documento_id"],
            ["documentos.id"],
            name=op.f("fk_trechos_documento_id_documentos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trechos")),
    )
    op.create_index(
        op.f("ix_trechos_busca"), "trechos", ["busca"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        op.f("ix_trechos_documento_id_posicao"),
        "trechos",
        ["documento_id", "posicao"],
        unique=True,
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS trecho_vetores")  # created at run time, with pgvector
    op.drop_table("trechos")
    op.drop_table("documentos")
    op.execute("DROP FUNCTION cogep_lexico(text)")
    op.execute("DROP FUNCTION cogep_dobrar(text)")
