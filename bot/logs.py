"""Logging set-up: one format, quiet libraries, no secret and no user's text ever written out.

httpx logs every request URL at INFO, and a Bot API URL contains the bot token; the
`RedactSecrets` filter replaces every configured secret (and anything shaped like a bot token)
before a record reaches any handler.

At DEBUG the libraries log whole bodies: python-telegram-bot every update and Bot API call
(users' messages, the bot's answers), openai every request (the conversation), httpcore the
bytes. Those loggers never go below INFO, whatever LOG_LEVEL says, unless COGEP_LOG_TEXTOS=true
(the person debugging has then chosen to see the texts).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

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
NOISY = ("httpx", "httpcore", "apscheduler", "telegram.ext.Application")


def configure_logging(level: str, *, secrets: Iterable[str] = (), log_textos: bool = False) -> None:
    """Log to stderr at `level`, with secrets redacted, chatty libraries at WARNING, and
    libraries' DEBUG records (which carry users' texts) off unless `log_textos`."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
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
