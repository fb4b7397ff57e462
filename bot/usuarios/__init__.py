"""Usuários and access: registration, who is let in, papel, profile and reachability.

    regras    who is who: `tem_acesso`, `administra`, `gerencia`, `exigir_admin` (each rule has
              its SQL twin in `db.repositories.usuarios`), `motivo_sem_acesso` (what a user
              kept out is told, in the chat and on the board)
    servico   UsuarioService: /start (admins from ADMIN_TELEGRAM_IDS), access requests and
              decisions (Liberar/Recusar), /papel and /acesso (by name, @username or id; a
              name several people fit raises `VariosUsuarios`), name and time zone,
              blocked/unblocked

A newcomer waits as `pendente` when admins are configured; `bot.usuarios` decides, the handlers'
`registered` guard and every repository's SQL (`visivel_para`) enforce it. A new user setting is
a column in `db.models.usuarios` (and a migration) plus a method of the one service that owns
it: notice preferences (switches, digest hour, quiet hours) belong to `NotificacaoService`.
"""

from bot.usuarios.regras import motivo_sem_acesso
from bot.usuarios.servico import (
    BotoesDePedido,
    Decisao,
    UsuarioService,
    VariosUsuarios,
    ler_papel,
)

__all__ = [
    "BotoesDePedido",
    "Decisao",
    "UsuarioService",
    "VariosUsuarios",
    "ler_papel",
    "motivo_sem_acesso",
]
