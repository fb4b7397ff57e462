"""Who talks to the bot: `usuarios`."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Timestamps, one_of

PAPEIS = ("membro", "gestor", "admin")
ACESSOS = ("pendente", "liberado", "recusado")  # recusado: refused at sign-up, or revoked


class Usuario(Timestamps, Base):
    """A person known to the bot."""

    __tablename__ = "usuarios"
    __table_args__ = (
        CheckConstraint(one_of("papel", PAPEIS), name="papel"),
        CheckConstraint(one_of("acesso", ACESSOS), name="acesso"),
        CheckConstraint("hora_resumo BETWEEN 0 AND 23", name="hora_resumo"),
        CheckConstraint(
            "silencio_inicio BETWEEN 0 AND 23 AND silencio_fim BETWEEN 0 AND 23", name="silencio"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    nome: Mapped[str] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64))
    papel: Mapped[str] = mapped_column(String(16), server_default="membro")
    # Whether an admin let them in (see bot.usuarios): only 'liberado' users reach the data.
    acesso: Mapped[str] = mapped_column(String(16), server_default="liberado")
    ativo: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    fuso_horario: Mapped[str] = mapped_column(String(64), server_default="America/Sao_Paulo")
    notificacoes_ativas: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    hora_resumo: Mapped[int] = mapped_column(SmallInteger, server_default=text("8"))
    origem: Mapped[str | None] = mapped_column(String(64))  # deep-link payload of the first /start
    # Per-kind switches of /notificacoes (notificacoes_ativas above is the master switch).
    notif_processos: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    notif_prazos: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    notif_resumo: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    notif_parados: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    notif_saude: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # Quiet hours, local: automatic notices wait from `inicio` to `fim`; equal hours: none.
    silencio_inicio: Mapped[int] = mapped_column(SmallInteger, server_default=text("22"))
    silencio_fim: Mapped[int] = mapped_column(SmallInteger, server_default=text("8"))
