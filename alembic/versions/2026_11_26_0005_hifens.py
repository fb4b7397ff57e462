"""Search vectors also index hyphenated words joined: `e-mail` is found by `email` too.

`cogep_indexavel` = `cogep_unaccent` plus, for each `a-b`, the joined `ab` beside it (so
`e-mail`, `e`, `mail` and `email` are all in the vector). Queries keep `cogep_unaccent`: only
the indexed side grows. Generated columns cannot change their expression, so each `busca` is
dropped and added again (the table is rewritten and its GIN index rebuilt).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 04:55:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VETORES = {
    "processos": "numero || ' ' || titulo || ' ' || coalesce(descricao, '')",
    "processo_eventos": "coalesce(texto, '')",
    "contatos": "nome || ' ' || coalesce(empresa, '') || ' ' || coalesce(email, '')",
}


def _recriar(funcao: str) -> None:
    for tabela, expressao in VETORES.items():
        op.drop_column(tabela, "busca")  # its GIN index goes with it
        op.add_column(
            tabela,
            sa.Column(
                "busca",
                postgresql.TSVECTOR(),
                sa.Computed(
                    f"to_tsvector('portuguese'::regconfig, {funcao}({expressao}))", persisted=True
                ),
                nullable=True,
            ),
        )
        op.create_index(
            op.f(f"ix_{tabela}_busca"), tabela, ["busca"], unique=False, postgresql_using="gin"
        )


def upgrade() -> None:
    op.execute(
        "CREATE FUNCTION cogep_indexavel(text) RETURNS text"
        " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
        r" AS $$ SELECT regexp_replace(cogep_unaccent($1), '(\w+)-(\w+)', '\1-\2 \1\2', 'g') $$"
    )
    _recriar("cogep_indexavel")


def downgrade() -> None:
    _recriar("cogep_unaccent")
    op.execute("DROP FUNCTION cogep_indexavel(text)")
