"""State replicas share: the mentor's per-person queue, the Bot API methods refused, and the
owner of each inbox update.

The first two lived in each process's memory: with two replicas, one person's second question
could be answered beside the first, a ⏹ pressed on the other replica found nothing to stop, and
every replica paid its own refused call to learn that the server has no rich messages. And a
replica starting replayed every unfinished update, the ones a live replica was handling too:
`updates_recebidos.dono` names the process that holds each (`bot.entrada.presenca`).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 11:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("updates_recebidos", sa.Column("dono", sa.Integer(), nullable=True))
    op.create_table(
        "mentor_fila",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("pergunta_id", sa.BigInteger(), nullable=True),
        sa.Column("parar", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "vivo_em", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "criado_em", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_fila")),
    )
    op.create_index(
        op.f("ix_mentor_fila_chat_id_telegram_id_id"),
        "mentor_fila",
        ["chat_id", "telegram_id", "id"],
        unique=False,
    )
    op.create_table(
        "bot_api_recursos",
        sa.Column("nome", sa.String(length=64), nullable=False),
        sa.Column(
            "recusado_em",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("nome", name=op.f("pk_bot_api_recursos")),
    )


def downgrade() -> None:
    op.drop_table("bot_api_recursos")
    op.drop_index(op.f("ix_mentor_fila_chat_id_telegram_id_id"), table_name="mentor_fila")
    op.drop_table("mentor_fila")
    op.drop_column("updates_recebidos", "dono")
