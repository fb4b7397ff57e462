"""The mentor's usage counts voice: seconds of audio each transcription heard.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 11:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "mentor_uso",
        sa.Column("segundos_de_audio", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("mentor_uso", "segundos_de_audio")
