"""Recurring reminders in pt-BR: "toda segunda 9h", "todo dia útil 18h", "todo dia 5 10h".

    ler_recorrencia(texto) -> (Regra, resto) | None   None when the text does not start with a
                                                      recurrence; raises InvalidInput for one
                                                      that makes no sense ("todo dia 32",
                                                      "toda segunda 25h", "a cada 5 minutos")
    Regra.proxima(depois, tz)                         the first occurrence strictly after
    Regra.codigo / Regra.de_codigo                    the compact form stored in lembretes.regra

Forms understood (accents and case do not matter, "às" optional, time defaults to 09:00):
    diaria   todo dia 8h · todos os dias 8h · diariamente 8h
    util     todo dia útil 18h · dias úteis 18h · de segunda a sexta 18h
    semanal  toda segunda 9h · todas as sextas 17h30 · toda segunda-feira às 9h
    mensal   todo dia 5 10h · todo mês no dia 5 10h · todo dia 31 (short months: their last day)
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot import texts
from bot.acentos import sem_acentos
from bot.errors import InvalidInput

Tipo = Literal["diaria", "util", "semanal", "mensal"]
HORA_PADRAO = time(9, 0)
_DIAS_SEMANA = {
    "segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4, "sabado": 5, "domingo": 6,
}  # fmt: skip

_SEMANA = "|".join(_DIAS_SEMANA)
_HORA = r"(?:(?:as|a)\s+)?(?P<hora>meio-dia|meia-noite|\d{1,2}(?:\s*(?:h|:|horas?)\s*\d{0,2})?)"
_PADROES: tuple[tuple[Tipo, str], ...] = (
    (
        "util",
        r"(?:tod[oa]s?\s+(?:os\s+)?dias?\s+(?:util|uteis)|dias\s+uteis|de\s+segunda\s+a\s+sexta)",
    ),
    ("semanal", rf"(?:tod[oa]s?\s+(?:as\s+|os\s+)?(?P<semana>{_SEMANA})s?(?:-feiras?)?)"),
    (
        "mensal",
        r"(?:todo\s+(?:mes\s+(?:no\s+)?)?dia\s+(?P<dia>\d{1,3})(?!\s*(?:h|:|horas?)\b))",
    ),
    ("diaria", r"(?:todos\s+os\s+dias|todo\s+dia|diariamente)"),
)
_FORMAS = tuple(
    (tipo, re.compile(rf"^{padrao}(?:\s+{_HORA})?(?=\s|$|[,.:;-])")) for tipo, padrao in _PADROES
)
_ABSURDAS = re.compile(r"^(?:a\s+cada|toda\s+hora|todo\s+minuto|de\s+hora\s+em\s+hora)\b")
_RECORRENTE = re.compile(r"^(?:tod[oa]s?|diariamente|dias\s+uteis)\b")
_LIGACAO = re.compile(r"^[\s,.:;-]*(?:para\s+|pra\s+|que\s+)?")


@dataclass(frozen=True)
class Regra:
    """When a recurring reminder fires."""

    tipo: Tipo
    hora: time
    dia: int | None = None  # weekday (0 = segunda) for semanal, day of month for mensal

    @property
    def codigo(self) -> str:
        """`semanal:0:09:00`, `diaria::08:00`."""
        return f"{self.tipo}:{'' if self.dia is None else self.dia}:{self.hora:%H:%M}"

    @classmethod
    def de_codigo(cls, codigo: str) -> Regra:
        """The rule stored as `codigo`."""
        tipo, dia, hora = codigo.split(":", 2)
        return cls(tipo, time.fromisoformat(hora), int(dia) if dia else None)  # type: ignore[arg-type]

    def cai_em(self, dia: date) -> bool:
        """Whether the rule fires on this local date."""
        if self.tipo == "util":
            return dia.weekday() < 5
        if self.tipo == "semanal":
            return dia.weekday() == self.dia
        if self.tipo == "mensal":
            assert self.dia is not None
            ultimo = calendar.monthrange(dia.year, dia.month)[1]
            return dia.day == min(self.dia, ultimo)
        return True

    def proxima(self, depois: datetime, tz: ZoneInfo) -> datetime:
        """The first occurrence strictly after `depois`, at the rule's wall time in `tz`."""
        dia = depois.astimezone(tz).date()
        for _ in range(400):
            if self.cai_em(dia):
                momento = datetime.combine(dia, self.hora, tzinfo=tz)
                if momento > depois:
                    return momento
            dia += timedelta(days=1)
        raise AssertionError(f"no occurrence of {self.codigo} within 400 days")


def ler_recorrencia(texto: str) -> tuple[Regra, str] | None:
    """The recurrence the text starts with and the rest, or None when it starts with none."""
    normal = sem_acentos(texto.strip()).lower()
    if _ABSURDAS.match(normal):
        raise InvalidInput(texts.RECORRENCIA_INVALIDA)
    for tipo, padrao in _FORMAS:
        achado = padrao.match(normal)
        if achado is None:
            continue
        grupos = achado.groupdict()
        dia: int | None = None
        if tipo == "semanal":
            dia = _DIAS_SEMANA[grupos["semana"]]
        elif tipo == "mensal":
            dia = int(grupos["dia"])
            if not 1 <= dia <= 31:
                raise InvalidInput(texts.dia_do_mes_invalido(dia))
        hora = _hora(grupos.get("hora"))
        resto = _LIGACAO.sub("", texto.strip()[achado.end() :], count=1).strip()
        return Regra(tipo, hora, dia), resto
    if _RECORRENTE.match(normal):
        raise InvalidInput(texts.RECORRENCIA_INVALIDA)
    return None


def _hora(escrita: str | None) -> time:
    if escrita is None:
        return HORA_PADRAO
    if escrita == "meio-dia":
        return time(12, 0)
    if escrita == "meia-noite":
        return time(0, 0)
    numeros = re.findall(r"\d+", escrita)
    hora, minuto = int(numeros[0]), int(numeros[1]) if len(numeros) > 1 else 0
    if hora > 23 or minuto > 59:
        raise InvalidInput(texts.hora_invalida(escrita))
    return time(hora, minuto)
