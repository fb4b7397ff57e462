"""Usuários and access: registration, who is let in, papel, profile and reachability.

    servico   UsuarioService: /start (admins from ADMIN_TELEGRAM_IDS), access requests and
              decisions (Liberar/Recusar), /papel, profile edits, blocked/unblocked

A newcomer waits as `pendente` when admins are configured; `bot.usuarios` decides, the handlers'
`registered` guard and every repository's SQL (`visivel_para`) enforce it. A new user setting is
a column in `db.models.usuarios` (and a migration) plus a `UsuarioService` method.
"""

from bot.usuarios.servico import (
    NOME_MAX,
    SINONIMOS_PAPEL,
    BotoesDePedido,
    Decisao,
    Registro,
    UsuarioService,
    motivo_sem_acesso,
)

__all__ = [
    "NOME_MAX",
    "SINONIMOS_PAPEL",
    "BotoesDePedido",
    "Decisao",
    "Registro",
    "UsuarioService",
    "motivo_sem_acesso",
]
