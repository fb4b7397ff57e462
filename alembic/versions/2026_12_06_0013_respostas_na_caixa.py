"""Held-back replies join the outbox: one send-later queue.

Replies Telegram kept refusing with 429 waited in `respostas_adiadas`, with their own loop,
lease and failure rules, beside the outbox that already had a `resposta` kind for the same job.
Pending ones become outbox rows (kind `resposta`, priority 0, due when they were), so an
upgrade loses none of them; then the table goes. A downgrade recreates the empty table and
leaves the moved replies in the outbox, where they are sent anyway.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The stored keyboard was `InlineKeyboardMarkup.to_dict()`; the outbox keeps its rows.
    op.execute(
        """
        INSERT INTO notificacoes (chave, tipo, chat_id, texto, formato, teclado, prioridade,
                                  status, devido_em, criado_em)
        SELECT 'resposta:adiada:' || id, 'resposta', chat_id, html, 'html',
               teclado -> 'inline_keyboard', 0, 'pendente', enviar_apos, criado_em
          FROM respostas_adiadas
        ON CONFLICT (chave) DO NOTHING
        """
    )
    op.drop_table("respostas_adiadas")


def downgrade() -> None:
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
