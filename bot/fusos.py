"""Time zones as people type them: `Manaus`, `horário de Brasília`, `GMT-3`, `europe/lisbon`.

The database keeps IANA names (what zoneinfo understands); this turns what a Brazilian user is
likely to type into one, or says it cannot.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import UTC, datetime

from bot.acentos import sem_acentos

# The zones a Brazilian team most likely lives in, offered as buttons (label, IANA name).
COMUNS: tuple[tuple[str, str], ...] = (
    ("Brasília (SP, RJ, MG, Sul, NE…)", "America/Sao_Paulo"),
    ("Manaus (AM, RO, RR)", "America/Manaus"),
    ("Cuiabá (MT, MS)", "America/Cuiaba"),
    ("Rio Branco (AC)", "America/Rio_Branco"),
    ("Fernando de Noronha", "America/Noronha"),
    ("Lisboa", "Europe/Lisbon"),
)

# Places and phrasings whose IANA zone is not simply their own name.
APELIDOS = {
    "brasilia": "America/Sao_Paulo",
    "horario de brasilia": "America/Sao_Paulo",
    "brasil": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "rio": "America/Sao_Paulo",
    "belo horizonte": "America/Sao_Paulo",
    "curitiba": "America/Sao_Paulo",
    "porto alegre": "America/Sao_Paulo",
    "florianopolis": "America/Sao_Paulo",
    "goiania": "America/Sao_Paulo",
    "salvador": "America/Bahia",
    "amazonas": "America/Manaus",
    "acre": "America/Rio_Branco",
    "noronha": "America/Noronha",
    "mato grosso": "America/Cuiaba",
    "mato grosso do sul": "America/Campo_Grande",
    "lisboa": "Europe/Lisbon",
    "portugal": "Europe/Lisbon",
    "porto": "Europe/Lisbon",
}
DESLOCAMENTO = re.compile(r"^(?:gmt|utc)?\s*(?P<sinal>[+-−])\s*(?P<horas>\d{1,2})(?::?00)?$")


def ler_fuso(texto: str) -> str | None:
    """The IANA zone `texto` names, or None."""
    chave = _chave(texto)
    if not chave:
        return None
    if chave in APELIDOS:
        return APELIDOS[chave]
    if chave in ("utc", "gmt", "z"):
        return "UTC"
    deslocamento = DESLOCAMENTO.match(chave)
    if deslocamento:  # before the names: "gmt-3" is also the city part of Etc/GMT-3
        horas = int(deslocamento["horas"])
        if horas > 14:
            return None
        if horas == 0:
            return "UTC"
        # POSIX-style names invert the sign: Etc/GMT+3 is three hours behind UTC.
        sinal = "+" if deslocamento["sinal"] in "-−" else "-"
        return f"Etc/GMT{sinal}{horas}"
    return _por_nome().get(chave)


def _chave(texto: str) -> str:
    """Lowercase, no accents, single spaces: `  São  Paulo ` -> `sao paulo`."""
    return " ".join(sem_acentos(texto).lower().replace("_", " ").split())


@functools.cache
def _por_nome() -> dict[str, str]:
    """Every IANA zone by its full name and by its city, in `_chave` form."""
    nomes: dict[str, str] = {}
    for zona in sorted(zoneinfo.available_timezones()):
        nomes[_chave(zona)] = zona
        if not zona.startswith("Etc/"):  # "GMT-3" there means UTC+3: only by its full name
            cidade = _chave(zona.rsplit("/", 1)[-1])
            nomes.setdefault(cidade, zona)  # the first wins: America/... sorts before others
    return nomes


def descrever(zona: str, *, agora: datetime | None = None) -> str:
    """`America/Manaus (UTC−04:00)`; `UTC−03:00` for the sign-inverted `Etc/GMT+3`."""
    momento = (agora or datetime.now(UTC)).astimezone(zoneinfo.ZoneInfo(zona))
    deslocamento = momento.utcoffset()
    minutos = int(deslocamento.total_seconds() // 60) if deslocamento else 0
    sinal = "−" if minutos < 0 else "+"
    utc = f"UTC{sinal}{abs(minutos) // 60:02d}:{abs(minutos) % 60:02d}"
    if zona.startswith("Etc/") or zona == "UTC":
        return utc
    return f"{zona.replace('_', ' ')} ({utc})"
