"""Every sentence a user reads, in pt-BR, in one place: one module per feature.

    comum        errors, expired buttons, generic button labels (Voltar, Editar, ◀ ▶)
    inicio       /start, /ajuda (and each command's line in it), /cancelar
    formularios  guided forms: drafts, skipping, a question gone by
    perfil       /perfil
    usuarios     /usuarios, /papel, /acesso, access requests and decisions
    grupos       group chats and /autorizar
    processos    statuses, buttons, /novo questions, lists, search, notices about changes
    historico    the /processo screen and its history (a table: one sentence per event kind)
    contatos     the CRM
    conhecimento ingestion replies and notices, /documentos, /conhecimento
    notificacoes reminders, deadline alerts, digests, stale lists, health, /aviso, /notificacoes
    mentor       the mentor's answers, faults, queue, /uso, /persona (Markdown where *_MD)
    entrada      the inbox: hygiene refusals, unconfirmed writes, waiting for the database
    quadro       the board (Mini App): its button, menu entry and the API's refusals
    relatorios   /exportar (CSV), /relatorio (chart and numbers), inline mode

Constants are Telegram-HTML (parse_mode=HTML) unless named *_PLAIN. Functions build the messages
that carry data; they escape every user-provided value with `render.escape`, so a `<` in a name
can never break a message. Each module lists its names in `__all__` and is re-exported below, so
`from bot import texts; texts.X` reaches every sentence. A new feature adds its own module and
one line at the end of this block (in any order: the modules share no name).
"""

# ruff: noqa: I001

from bot.texts.comum import *  # noqa: F403
from bot.texts.inicio import *  # noqa: F403
from bot.texts.formularios import *  # noqa: F403
from bot.texts.perfil import *  # noqa: F403
from bot.texts.usuarios import *  # noqa: F403
from bot.texts.grupos import *  # noqa: F403
from bot.texts.processos import *  # noqa: F403
from bot.texts.historico import *  # noqa: F403
from bot.texts.contatos import *  # noqa: F403
from bot.texts.conhecimento import *  # noqa: F403
from bot.texts.notificacoes import *  # noqa: F403
from bot.texts.mentor import *  # noqa: F403
from bot.texts.entrada import *  # noqa: F403
from bot.texts.relatorios import *  # noqa: F403
from bot.texts.quadro import *  # noqa: F403
