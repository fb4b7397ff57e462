"""The text functions that call one another name their schema, so a pg_dump restores.

pg_restore runs with an empty search_path; a generated column computed with `cogep_indexavel`
(or `cogep_lexico`) inlines it, and its unqualified call to `cogep_unaccent` (or `cogep_dobrar`)
is then not found: every restore of a Cogep database failed at `CREATE TABLE contatos`. The
bodies are rewritten with the schema they live in; nothing else about them changes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:00:00+00:00
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each function, and the functions of ours it calls.
CHAMADAS = {"cogep_indexavel": "cogep_unaccent", "cogep_lexico": "cogep_dobrar"}


def _reescrever(qualificar: bool) -> None:
    conexao = op.get_bind()
    esquema = conexao.execute(sa.text("SELECT current_schema()")).scalar_one()
    for funcao, chamada in CHAMADAS.items():
        corpo = conexao.execute(
            sa.text("SELECT prosrc FROM pg_proc WHERE proname = :nome"), {"nome": funcao}
        ).scalar_one()
        if qualificar:
            novo = re.sub(rf"(?<![.\w]){chamada}\(", f"{esquema}.{chamada}(", corpo)
        else:
            novo = corpo.replace(f"{esquema}.{chamada}(", f"{chamada}(")
        op.execute(
            f"CREATE OR REPLACE FUNCTION {funcao}(text) RETURNS text"
            " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
            f" AS $cogep${novo}$cogep$"
        )


def upgrade() -> None:
    _reescrever(qualificar=True)


def downgrade() -> None:
    _reescrever(qualificar=False)
