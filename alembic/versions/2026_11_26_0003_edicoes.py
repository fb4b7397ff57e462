"""Edits: history events for a processo's title and description; one contact per e-mail.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 04:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANTES = ("criado", "status", "comentario", "responsavel", "prazo", "contato", "prioridade")
DEPOIS = (*ANTES, "titulo", "descricao")
NOME = "ck_processo_eventos_tipo"


def _tipos(tipos: tuple[str, ...]) -> str:
    return f"tipo IN ({', '.join(repr(t) for t in tipos)})"


def upgrade() -> None:
    op.drop_constraint(op.f(NOME), "processo_eventos", type_="check")
    op.create_check_constraint(op.f(NOME), "processo_eventos", _tipos(DEPOIS))
    op.create_index("uq_contatos_email_lower", "contatos", [sa.text("lower(email)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_contatos_email_lower", table_name="contatos")
    op.execute("DELETE FROM processo_eventos WHERE tipo IN ('titulo', 'descricao')")
    op.drop_constraint(op.f(NOME), "processo_eventos", type_="check")
    op.create_check_constraint(op.f(NOME), "processo_eventos", _tipos(ANTES))
