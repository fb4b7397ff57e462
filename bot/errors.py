"""The one exception hierarchy of Cogep.

Services raise these with the pt-BR sentence the user reads as their `message`; the one error
handler (`handlers.common.on_error`) tells it to the user, and `cogep` (`bot.cli._guard`) prints
it as one line and exits 2. Anything that is not a `CogepError` is a bug: it is logged with the
update id and the user gets an apology.

    CogepError
    ├── InvalidInput        bad input from the user; nothing was changed
    │   ├── InvalidDate     a date/deadline the parser did not understand or that is in the past
    │   └── VariosUsuarios  (bot.usuarios) a name that fits several people: the admin picks one
    ├── NotFound            the thing does not exist *or the caller may not see it* (no leaks)
    ├── NotAllowed          the caller may see it but not do this (e.g. a membro assigning)
    ├── IllegalTransition   a status change the state machine forbids
    ├── NotRegistered       the caller has not sent /start yet
    ├── StaleState          a button from an old screen; the handler shows the fresh one
    ├── ServiceUnavailable  an outside service (e.g. transcription) failed; nothing was changed
    ├── ConfigError         a setting is missing or malformed (one line, names the variable)
    │   ├── OutdatedSchema       (bot.app) the database is behind the code's migrations
    │   ├── DatabaseUnavailable  (bot.database) the database did not answer at start-up
    │   ├── TokenRecusado        (bot.entrada.porta) the Bot API answered 401 to getMe
    │   └── TelegramInacessivel  (bot.entrada.porta) the Bot API never answered at start-up
    ├── EmbeddedDatabaseError  (bot.embedded_db) the embedded PostgreSQL cannot run
    ├── BackupError         (bot.backup) a backup or restore that cannot be done
    ├── JaFeito             (bot.entrada.efeito) a replayed update whose change was committed
    ├── GravadoSemConfirmacao  (bot.entrada.efeito) COMMIT's answer lost, the change is there
    ├── ResultadoIncerto    (bot.entrada.efeito) COMMIT's answer lost, outcome unknown yet
    └── Interno             raised and caught inside Cogep, never a sentence for the user: one
        │                   that escapes is a bug, logged like any other (`explicavel` is False)
        ├── Recusado            (bot.conhecimento.extracao) a document that cannot be
        │                       ingested; the ingestion records its `motivo`
        ├── FalhaDoModelo       (bot.mentor.modelo) the model did not answer (fully)
        ├── Devagar             (bot.mentor.ritmo) a streamed frame told to slow down
        ├── InitDataInvalida    (bot.quadro.initdata) the board's caller is not signed: 401
        ├── PartesApertadas     (bot.render) not one token fits in a part: split otherwise
        ├── RespostaAdiada      (bot.saida.envio) the reply went to the outbox; the handler
        │                       ends quietly
        ├── EntradaIndisponivel (bot.entrada.porta; also a PTB NetworkError, so the updater
        │                       polls again) the inbox could not store a getUpdates batch
        └── TenteDeNovo         (bot.web.webhook) a webhook update not stored now: 503, and
                                Telegram delivers it again

`tests/test_arquitetura.py` holds this map true: every exception class defined in bot/,
handlers/ or db/ derives from `CogepError` and is named here.
"""

from __future__ import annotations


class CogepError(Exception):
    """Base of every error Cogep expects and explains to the user."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CogepError):
    """The user's input cannot be used; `message` says why, in pt-BR."""


class InvalidDate(InvalidInput):
    """A date the parser did not understand, or one in the past."""


class NotFound(CogepError):
    """Missing, or not visible to the caller: both read the same, so nothing leaks."""


class NotAllowed(CogepError):
    """The caller's papel does not allow this action."""


class IllegalTransition(CogepError):
    """The status machine forbids moving from the current status to the requested one."""


class NotRegistered(CogepError):
    """The caller has no `usuarios` row yet."""


class ConfigError(CogepError):
    """A setting is missing or malformed."""


class StaleState(CogepError):
    """A button was pressed on a screen that no longer shows the current state."""


class ServiceUnavailable(CogepError):
    """An outside service failed (the transcription endpoint); nothing was changed."""


class Interno(CogepError):
    """Control flow between Cogep's own modules; never told to the user as it is."""


def explicavel(erro: BaseException | None) -> bool:
    """Whether `erro` is one to tell the user in its own words (a `CogepError`, not `Interno`)."""
    return isinstance(erro, CogepError) and not isinstance(erro, Interno)
