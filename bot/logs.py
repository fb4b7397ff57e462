"""Logging set-up: one format, quiet libraries, no secret and no user's text ever written out.

httpx logs every request URL at INFO, and a Bot API URL contains the bot token; the
`RedactSecrets` filter replaces every configured secret (and anything shaped like a bot token)
before a record reaches any handler.

At DEBUG the libraries log whole bodies: python-telegram-bot every update and Bot API call
(users' messages, the bot's answers), openai every request (the conversation), httpcore the
bytes. Those loggers never go below INFO, whatever LOG_LEVEL says, unless COGEP_LOG_TEXTOS=true
(the person debugging has then chosen to see the texts).

Each line says which update it belongs to: `bot.ordering` opens `contexto(update_id=...,
chat_id=..., user_id=...)` around every update's handlers, a service adds the processo it
works on with `anotar(processo="2026-0042")`, and the `Contexto` filter copies them onto every
record (tasks a handler starts, such as the mentor's answer, inherit them). Off a terminal
(systemd, docker, a log shipper) a line is one JSON object; on a terminal it is prose with the
context at its end. COGEP_LOG_FORMATO=json|texto overrides the guess.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

TOKEN_SHAPE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")
URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://[^:/@\s]+):(?P<pw>[^@\s]+)@")
MASK = "***"


class RedactSecrets(logging.Filter):
    """Replace secrets in a record's final message."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """The text with every secret masked."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        text = TOKEN_SHAPE.sub(MASK, text)
        return URL_PASSWORD.sub(rf"\g<scheme>:{MASK}@", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted, and drop the args."""
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        record.msg, record.args = clean, None
        return True


# Libraries that log message bodies at DEBUG, and those that are noisy at INFO as well.
CARRY_BODIES = ("telegram", "openai", "tornado", "aiohttp", "hpack")
NOISY = (
    "httpx",
    "httpcore",
    "httpx2",  # the copy of httpx the openai client may carry
    "httpcore2",
    "apscheduler",
    "telegram.ext.Application",
)


Formato = Literal["auto", "json", "texto"]
CAMPOS = ("update_id", "chat_id", "user_id", "processo")  # what a line may say it belongs to
_CONTEXTO: ContextVar[dict[str, Any] | None] = ContextVar("cogep_log_contexto", default=None)


@contextmanager
def contexto(**campos: Any) -> Iterator[None]:
    """Every line logged inside (and in tasks started inside) carries `campos`."""
    token = _CONTEXTO.set({**(_CONTEXTO.get() or {}), **campos})
    try:
        yield
    finally:
        _CONTEXTO.reset(token)


def anotar(**campos: Any) -> None:
    """Add `campos` to the context of the lines still to come in this update's task."""
    _CONTEXTO.set({**(_CONTEXTO.get() or {}), **campos})


class Contexto(logging.Filter):
    """Copy the current update's ids (and processo) onto the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Set every field of `CAMPOS` on the record (None when unknown)."""
        atual = _CONTEXTO.get() or {}
        for campo in CAMPOS:
            if not hasattr(record, campo):
                setattr(record, campo, atual.get(campo))
        return True


class Json(logging.Formatter):
    """One JSON object per line: time, level, logger, message, context, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        linha: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        linha.update(
            (c, getattr(record, c)) for c in CAMPOS if getattr(record, c, None) is not None
        )
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            linha["exc"] = record.exc_text
        return json.dumps(linha, ensure_ascii=False, default=str)


class Texto(logging.Formatter):
    """A readable line for a terminal, its context at the end."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The line, then `[update=.. chat=.. user=.. processo=..]` when known."""
        linha = super().formatMessage(record)
        partes = [
            f"{c.removesuffix('_id')}={getattr(record, c)}"
            for c in CAMPOS
            if getattr(record, c, None) is not None
        ]
        return f"{linha} [{' '.join(partes)}]" if partes else linha


def configure_logging(
    level: str,
    *,
    secrets: Iterable[str] = (),
    log_textos: bool = False,
    formato: Formato = "auto",
) -> None:
    """Log to stderr at `level` (JSON lines off a terminal), with each update's ids, secrets
    redacted, chatty libraries at WARNING, and libraries' DEBUG records (which carry users'
    texts) off unless `log_textos`."""
    handler = logging.StreamHandler()
    em_json = formato == "json" or (formato == "auto" and not sys.stderr.isatty())
    handler.setFormatter(Json() if em_json else Texto())
    handler.addFilter(RedactSecrets(secrets))
    handler.addFilter(Contexto())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in CARRY_BODIES:
        logging.getLogger(name).setLevel(
            root.level if log_textos else max(logging.INFO, root.level)
        )
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(
            root.level if log_textos else max(logging.WARNING, root.level)
        )
