"""Who is who: the one place services and handlers ask whether someone is let in, an admin, or
manages processos.

The rules are written once in `db.repositories.usuarios`, each beside its SQL twin (queries
filter with `administradores()`, `gestores()`, `com_acesso()`), so a check in Python and a
query in SQL can never disagree. Whether a *processo* or a *document* is visible is each
domain's `visivel_para` (its repository), built on these.
"""

from __future__ import annotations

from bot import texts
from bot.errors import NotAllowed
from db.models import Usuario
from db.repositories.usuarios import administra, gerencia, tem_acesso

__all__ = ["administra", "exigir_admin", "gerencia", "motivo_sem_acesso", "tem_acesso"]


def exigir_admin(usuario: Usuario) -> None:
    """Refuse with "só administradores" unless `usuario` is an admin who is let in."""
    if not administra(usuario):
        raise NotAllowed(texts.SO_ADMIN)


def motivo_sem_acesso(usuario: Usuario) -> str | None:
    """Why a registered user is kept out (waiting, or refused), as the chat and the board tell
    them; None when they are let in."""
    if tem_acesso(usuario):
        return None
    return texts.AGUARDANDO_LIBERACAO if usuario.acesso == "pendente" else texts.ACESSO_RECUSADO
