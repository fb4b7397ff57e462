"""SQLAlchemy 2 models of Cogep's PostgreSQL schema, one module per domain under one `Base`.

    base             Base (naming convention, timestamptz), Timestamps, column helpers
    usuarios         Usuario          usuarios          who talks to the bot, papel, preferences
    contatos         Contato          contatos          CRM: client contacts linked from processos
    processos        Processo         processos         work items with a human number (2026-0042)
                     ProcessoEvento   processo_eventos  append-only history of every change
    fluxos           Fluxo            fluxos            a guided conversation, surviving restarts
    grupos           Grupo            grupos            group chats and whether they are served
    conhecimento     Documento        documentos        ingested documents: origin, status, sha256
                     Trecho           trechos           their chunks: heading path, page, tsvector
    notificacoes     Notificacao      notificacoes      the outbox: every push, deduplicated
                     Lembrete         lembretes         personal reminders, once or recurring
                     Aviso            avisos            an admin's announcement and its progress
    mentor           Mensagem         mensagens         the mentor's memory per chat (and summaries)
                     MentorUso        mentor_uso        tokens each model call spent
                     MentorAcao       mentor_acoes      writes the mentor proposed, awaiting a tap
    entrada          UpdateRecebido   updates_recebidos the inbox: each update once, stored first
    replicas         VezDoMentor      mentor_fila       mentor answers running or waiting, in order
                     RecursoDoServidor bot_api_recursos Bot API methods the server does not know

A new table goes in its domain's module (or a new one) and is re-exported here, so Alembic's
autogenerate and `from db.models import X` see it. Names are Portuguese, like `cogep_db`; all
timestamps are `timestamptz` and end in `_em`. Search vectors are generated columns over
`cogep_indexavel(...)`: `cogep_unaccent` (an immutable SQL function of the first migration: the
embedded PostgreSQL has no `unaccent` extension) plus hyphenated words also written joined
(`e-mail` -> `e-mail email`, migration 0005).
"""

from db.models.base import NAMING_CONVENTION, Base, Timestamps
from db.models.conhecimento import ORIGENS, STATUS_DOCUMENTO, Documento, Trecho
from db.models.contatos import Contato
from db.models.entrada import REFERENCIA_MAX, UpdateRecebido
from db.models.fluxos import Fluxo
from db.models.grupos import Grupo
from db.models.mentor import Mensagem, MentorAcao, MentorUso
from db.models.notificacoes import LEMBRETE_MAX, Aviso, Lembrete, Notificacao
from db.models.processos import (
    ABERTOS,
    PRAZO_CORRE,
    PRIORIDADES,
    STATUS,
    TIPOS_EVENTO,
    TITULO_MAX,
    Processo,
    ProcessoEvento,
)
from db.models.replicas import RecursoDoServidor, VezDoMentor
from db.models.usuarios import ACESSOS, PAPEIS, Usuario

__all__ = [
    "ABERTOS",
    "ACESSOS",
    "LEMBRETE_MAX",
    "NAMING_CONVENTION",
    "ORIGENS",
    "PAPEIS",
    "PRAZO_CORRE",
    "PRIORIDADES",
    "REFERENCIA_MAX",
    "STATUS",
    "STATUS_DOCUMENTO",
    "TIPOS_EVENTO",
    "TITULO_MAX",
    "Aviso",
    "Base",
    "Contato",
    "Documento",
    "Fluxo",
    "Grupo",
    "Lembrete",
    "Mensagem",
    "MentorAcao",
    "MentorUso",
    "Notificacao",
    "Processo",
    "ProcessoEvento",
    "RecursoDoServidor",
    "Timestamps",
    "Trecho",
    "UpdateRecebido",
    "Usuario",
    "VezDoMentor",
]
