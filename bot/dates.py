"""Natural pt-BR dates for prazos and lembretes ("amanhã 9h", "sexta 18h", "30/11", "em 2 horas").

Public API (all results are aware datetimes in the user's `tz`; `now` is always injected):

    parse_when(text, *, now, tz, default_time=09:00, calendario=None) -> datetime | None
        The moment the user meant, or None when the text is not a date. Past dates ("ontem",
        "hoje 8h" at 10:00) are returned as they are: refusing them is the caller's job.
    split_when(text, *, now, tz, default_time=09:00, calendario=None) -> (datetime, rest) | None
        The longest leading run of words that is a date, and the rest of the text.
    format_when(moment, *, tz, now) -> str
        "hoje 18:00", "amanhã 09:00", "sex 27/11 18:00", "30/11/2027 14:00".

How parse_when works:

1. `_normalise`: lowercase, drop accents, commas to spaces, "sexta-feira" -> "sexta",
   "meio-dia" -> "12:00", "meia-noite" -> "00:00", ISO "T" -> space, "1º" -> "1".
2. The whole text must match a small grammar (`_parse_normalised`): a duration in hours/minutes
   (`_SHORT_DURATION_RE`), a time alone (`_clock`), or a date form (`_DATE_FORMS`) with an
   optional time before or after it. Requiring a full match is what keeps "alta", "ligar", "9",
   "hoje 9" or "32/13" from becoming dates, and what lets split_when find where the date ends.
3. The day. dateparser (pt, PREFER_DATES_FROM=future, aware in `tz`, RELATIVE_BASE = now in
   `tz`) evaluates the canonical strings it gets right: hoje/amanha/ontem/anteontem,
   "em N dias|semanas|meses|anos" (calendar arithmetic), and dd/mm/yyyy. This module computes
   what dateparser gets wrong or does not know (it returns None for "daqui a 3 dias", "próxima
   segunda", "semana que vem", "fim do mês", "depois de amanhã", "meio-dia"; reads "32/13" as
   13/11/2032, "2026-13-01" as 13 January, "9" as 9 November and "sexta 18h" as 18/11).
4. The time is always ours: dateparser reads "9h" as 19:00, "hoje 17h" as yesterday and
   "30/11/2026 14h" as 26/11, and silently drops "25:00". Explicit time, else `default_time`.

Rules:
- dd/mm is day first. Without a year: the next such day (today's date stays today, even when
  its default time has passed: the caller reports "no passado"), except a day up to
  RECENT_PAST (~2 months) back, which is that past day ("05/12" on 06/12 is a slip, reported
  "já passou", not next December). Only a far-away day/month rolls to next year; the
  confirmations say so (`bot.texts.ano_que_vem`).
- A weekday means the next such day; today only while the time (or default_time) is ahead.
  "próxima sexta" / "sexta que vem" is the coming Friday too, but never today. Abbreviations
  ("ter", "sex", "dom") count only with a time ("ter 14h"): alone they are ordinary words.
- "semana que vem" / "próxima semana": next Monday (never today) at default_time.
- "fim do mês": last day of the current month at END_OF_MONTH_TIME (18:00, end of the working
  day) unless a time is given; on that day after 18:00 it is in the past, like "hoje 17h".
- "em N dias úteis" skips weekends and holidays (`bot.calendario`: national ones, or a state's
  when the caller passes its `calendario`), at default_time; "em N horas úteis" counts only the
  calendar's working hours (default seg-sex 09-18).
- "em N dias/semanas/meses" lands on default_time; "em N horas/minutos" is exact elapsed time,
  added in UTC so it stays right across a DST change. A wall time in a DST gap moves forward.
- "de manhã" 09:00, "à tarde" 14:00, "à noite" 19:00; "3 da tarde" 15:00; "às 9" 09:00.
- A naive `now` (or `moment` for format_when) is taken to be wall time in `tz`.

dateparser's first call loads its pt locale data (~0.2 s); later calls cost ~0.05 ms (our own
rules) to ~1 ms (a dateparser evaluation), because parsers and settings are cached.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Final, NamedTuple
from zoneinfo import ZoneInfo

from dateparser.date import (  # type: ignore[import-untyped, unused-ignore]
    DateDataParser,
)

from bot.acentos import sem_acentos
from bot.calendario import Calendario

__all__ = ["END_OF_MONTH_TIME", "RECENT_PAST", "format_when", "parse_when", "split_when"]

# "Fim do mês" without a time means the end of that working day, not 09:00 of the last day.
END_OF_MONTH_TIME: Final = time(18, 0)

# A dd/mm without a year up to this far back is that past day (refused by the caller as
# "já passou"); further back it is the next such day, next year.
RECENT_PAST: Final = timedelta(days=62)

# Longest date phrase split_when tries ("na próxima sexta-feira às 18h30 da tarde" is 7 words).
_MAX_DATE_WORDS: Final = 8

_WEEKDAY_ABBR: Final = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")

_WEEKDAYS: Final = {
    "segunda": 0,
    "seg": 0,
    "terca": 1,
    "ter": 1,
    "quarta": 2,
    "qua": 2,
    "quinta": 3,
    "qui": 3,
    "sexta": 4,
    "sex": 4,
    "sabado": 5,
    "sab": 5,
    "domingo": 6,
    "dom": 6,
}

_MONTHS: Final = {
    "janeiro": 1,
    "jan": 1,
    "fevereiro": 2,
    "fev": 2,
    "marco": 3,
    "mar": 3,
    "abril": 4,
    "abr": 4,
    "maio": 5,
    "mai": 5,
    "junho": 6,
    "jun": 6,
    "julho": 7,
    "jul": 7,
    "agosto": 8,
    "ago": 8,
    "setembro": 9,
    "set": 9,
    "outubro": 10,
    "out": 10,
    "novembro": 11,
    "nov": 11,
    "dezembro": 12,
    "dez": 12,
}

_NUMBER_WORDS: Final = {
    "um": 1,
    "uma": 1,
    "dois": 2,
    "duas": 2,
    "tres": 3,
    "quatro": 4,
    "cinco": 5,
    "seis": 6,
    "sete": 7,
    "oito": 8,
    "nove": 9,
    "dez": 10,
    "onze": 11,
    "doze": 12,
    "quinze": 15,
    "vinte": 20,
    "trinta": 30,
    "quarenta": 40,
}

# Built once. Each parser is further limited to the one dateparser parser its canonical strings
# need ("relative-time" or "custom-formats"): the full chain costs ~1-2.6 ms a call, this ~0.2-0.7.
_SETTINGS: Final[dict[str, Any]] = {
    "PREFER_DATES_FROM": "future",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "DATE_ORDER": "DMY",
    "PREFER_LOCALE_DATE_ORDER": False,
}

_NUM = r"\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_WD = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
# "9h", "9h30", "9hs", "9 horas", "9:30", "09:30h", "9.30h", "às 9", "3 da tarde". A bare hour
# only counts with "às" before it or a period of the day after it (see _clock): "9" is not.
_TIME_RE: Final = re.compile(
    r"(?:(?P<at>as?|ao)\s+)?(?P<h>\d{1,2})"
    r"(?P<mark>(?::|\.(?=\d{2}h))(?P<m>\d{2})(?:h|hs|hrs?)?"
    r"|\s?(?:h|hs|hrs?|horas?)(?:(?P<m2>\d{2})(?:min)?)?)?"
    r"(?:\s+(?:da|de|a)\s+(?P<pod>manha|tarde|noite|madrugada))?"
)

# "hoje à noite", "amanhã de manhã": no hour given, so the usual hour of that period.
_PERIOD_RE: Final = re.compile(r"(?:(?:de|da|a|na|pela)\s+)?(?P<period>manha|tarde|noite)")
_PERIOD_TIMES: Final = {"manha": time(9, 0), "tarde": time(14, 0), "noite": time(19, 0)}

_SHORT_DURATION_RE: Final = re.compile(
    rf"(?:em|daqui\s+a|daqui|dentro\s+de)\s+(?:(?P<half>meia)\s+hora"
    rf"|(?P<n>{_NUM})\s*(?P<unit>minutos?|mins?|horas?|hrs?|h))"
)
_LONG_DURATION_RE: Final = re.compile(
    rf"(?:em|daqui\s+a|daqui|dentro\s+de)\s+(?P<n>{_NUM})\s+"
    r"(?P<unit>dias?|semanas?|mes|meses|anos?)"
)
_BUSINESS_DAYS_RE: Final = re.compile(
    rf"(?:em|daqui\s+a|daqui|dentro\s+de)\s+(?P<n>{_NUM})\s+(?:dias\s+uteis|dia\s+util)"
)
_BUSINESS_HOURS_RE: Final = re.compile(
    rf"(?:em|daqui\s+a|daqui|dentro\s+de)\s+(?P<n>{_NUM})\s+(?:horas\s+uteis|hora\s+util)"
)
_CONNECTOR_RE: Final = re.compile(r"^(?:de|do|da|na|no)\s+")
_PREFIX_RE: Final = re.compile(
    r"(?:ate|para|pra|no|na|nesta|neste|nessa|nesse|esta|este|essa|esse)\s+"
)


def _normalise(text: str) -> str:
    """Lowercase, accent-free, single-spaced text with the spellings the grammar expects."""
    n = sem_acentos(text.casefold())
    n = re.sub(r"[\s,;]+", " ", n).strip(" :.!?-–—")
    n = re.sub(r"\b(segunda|terca|quarta|quinta|sexta)[- ]feira\b", r"\1", n)
    n = re.sub(r"\bmeio[- ]dia\b", "12:00", n)
    n = re.sub(r"\bmeia[- ]noite\b", "00:00", n)
    n = re.sub(r"\b(\d{4}-\d{2}-\d{2})t(\d{2}:\d{2})(?::\d{2})?\b", r"\1 \2", n)
    # "1º de dezembro": NFKD turns º into o.
    return re.sub(r"\b(\d{1,2})o\b", r"\1", n)


def _number(word: str) -> int:
    """Digits or a pt-BR number word ("duas") as an int."""
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _clock(text: str) -> time | None:
    """The time of day `text` names ("9h", "às 17:30", "3 da tarde", "à noite"), or None."""
    if (period := _PERIOD_RE.fullmatch(text)) is not None:
        return _PERIOD_TIMES[period["period"]]
    match = _TIME_RE.fullmatch(text)
    if match is None or (match["mark"] is None and match["pod"] is None and match["at"] != "as"):
        return None
    hour, minute = int(match["h"]), int(match["m"] or match["m2"] or 0)
    if match["pod"] in ("tarde", "noite") and 1 <= hour < 12:
        hour += 12
    elif match["pod"] == "noite" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


@lru_cache(maxsize=64)
def _relative_parser(tz: str, base: datetime) -> DateDataParser:
    """dateparser for relative words in one zone and base; split_when's candidates share it."""
    settings = {**_SETTINGS, "TIMEZONE": tz, "TO_TIMEZONE": tz, "RELATIVE_BASE": base}
    return DateDataParser(languages=["pt"], settings={**settings, "PARSERS": ["relative-time"]})


@lru_cache(maxsize=16)
def _absolute_parser(tz: str) -> DateDataParser:
    """dateparser for canonical dd/mm/yyyy; needs no base, so one per zone for good."""
    settings = {**_SETTINGS, "TIMEZONE": tz, "TO_TIMEZONE": tz, "PARSERS": ["custom-formats"]}
    return DateDataParser(languages=["pt"], settings=settings)


def _relative_day(canonical: str, today: _Today) -> date | None:
    """The day dateparser reads in "amanha", "ontem", "em 3 dias"..., or None."""
    found: datetime | None = _relative_parser(today.tz, today.base).get_date_data(canonical)[
        "date_obj"
    ]
    return None if found is None else found.date()


def _absolute_day(day: int, month: int, year: int, today: _Today) -> date | None:
    """The day dateparser reads in dd/mm/yyyy (None if there is no such day)."""
    data = _absolute_parser(today.tz).get_date_data(
        f"{day:02d}/{month:02d}/{year:04d}", ["%d/%m/%Y"]
    )
    found: datetime | None = data["date_obj"]
    return None if found is None else found.date()


def _in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` as wall time in `zone`; a naive one is taken to be wall time there already."""
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


class _Today:
    """The caller's `now` seen from `tz`, plus what the date rules need to know about it."""

    def __init__(
        self, now: datetime, tz: str, default_time: time, calendario: Calendario | None = None
    ) -> None:
        self.calendario = calendario or Calendario()
        self.zone = ZoneInfo(tz)
        self.tz = tz
        local = _in_zone(now, self.zone)
        self.now = local
        self.day = local.date()
        # Whole seconds keep the lru_cache key stable for the candidates of one split_when.
        self.base = local.replace(tzinfo=None, microsecond=0)
        self.default_time = default_time

    def at(self, day: date, clock: time) -> datetime:
        """`day` at `clock` in the zone; a wall time inside a DST gap moves forward."""
        wall = datetime.combine(day, clock, tzinfo=self.zone)
        return wall.astimezone(UTC).astimezone(self.zone)

    def is_past(self, day: date, clock: time | None) -> bool:
        """Whether `day` at `clock` (or the default time) is already before now."""
        return self.at(day, self.default_time if clock is None else clock) < self.now


def _safe_date(year: int, month: int, day: int) -> date | None:
    """date(year, month, day), or None when that day does not exist."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month(day: int, month: int, year: int | None, today: _Today) -> date | None:
    """dd/mm[/yyyy], day first; without a year, see `_likely_year`."""
    if year is None:
        year = _likely_year(day, month, today)
        if year is None:
            return None
    elif year < 100:
        year += 2000
    if _safe_date(year, month, day) is None:
        return None
    return _absolute_day(day, month, year, today)


def _likely_year(day: int, month: int, today: _Today) -> int | None:
    """The year a dd/mm without one means: a day up to RECENT_PAST back is that recent day
    (the caller says it has passed: "05/12" typed on 06/12 is a slip, not next December);
    otherwise the next such day, today included, which may be next year."""
    candidates = [
        (year, found)
        for year in (today.day.year - 1, today.day.year, today.day.year + 1)
        if (found := _safe_date(year, month, day)) is not None
    ]
    recent = [y for y, found in candidates if today.day - RECENT_PAST <= found < today.day]
    ahead = [y for y, found in candidates if found >= today.day]
    return recent[0] if recent else (ahead[0] if ahead else None)


def _weekday(match: re.Match[str], today: _Today, clock: time | None) -> date | None:
    """Next such weekday; today only if not "próxima"/"que vem" and the time is still ahead."""
    # "ter", "dom", "sex" alone are ordinary words ("ter certeza"): abbreviations need a time.
    if len(match["wd"]) == 3 and clock is None and not (match["next"] or match["que"]):
        return None
    delta = (_WEEKDAYS[match["wd"]] - today.day.weekday()) % 7
    if delta == 0 and (match["next"] or match["que"] or today.is_past(today.day, clock)):
        delta = 7
    return today.day + timedelta(days=delta)


def _day_of_month(day: int, today: _Today) -> date | None:
    """'dia 5': the next 5th, this month if it has not passed, skipping months without it."""
    if not 1 <= day <= 31:
        return None
    year, month = today.day.year, today.day.month
    for _ in range(13):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate >= today.day:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


_DateRule = Callable[[re.Match[str], _Today, "time | None"], "date | None"]


def _form(pattern: str, rule: _DateRule, clock: time | None = None) -> _DateForm:
    """A date form: the whole date part must match `pattern`; `clock` overrides default_time."""
    return _DateForm(re.compile(pattern), rule, clock)


class _DateForm(NamedTuple):
    """One way of naming a day, and the time it means when no time is given."""

    pattern: re.Pattern[str]
    rule: _DateRule
    default_clock: time | None


_DATE_FORMS: Final = (
    _form(r"(?P<w>hoje|amanha|ontem|anteontem)", lambda m, t, _c: _relative_day(m["w"], t)),
    _form(r"depois\s+de\s+amanha", lambda _m, t, _c: t.day + timedelta(days=2)),
    _form(rf"(?:(?P<next>proxima|proximo)\s+)?(?P<wd>{_WD})(?:\s+(?P<que>que\s+vem))?", _weekday),
    _form(
        r"proxima\s+semana|semana\s+que\s+vem",
        lambda _m, t, _c: t.day + timedelta(days=7 - t.day.weekday()),
    ),
    _form(
        r"(?:fim|final)\s+d[oe]\s+mes",
        lambda _m, t, _c: t.day.replace(day=calendar.monthrange(t.day.year, t.day.month)[1]),
        END_OF_MONTH_TIME,
    ),
    _form(
        # An optional weekday in front, so format_when's "sex 27/11 18:00" reads back.
        rf"(?:(?:{_WD})\s+)?(?:dia\s+)?(?P<d>\d{{1,2}})[/.-](?P<mo>\d{{1,2}})"
        r"(?:[/.-](?P<y>\d{4}|\d{2}))?",
        lambda m, t, _c: _day_month(int(m["d"]), int(m["mo"]), _year(m["y"]), t),
    ),
    _form(
        r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})",
        lambda m, t, _c: _day_month(int(m["d"]), int(m["mo"]), int(m["y"]), t),
    ),
    _form(
        rf"(?:dia\s+)?(?P<d>\d{{1,2}})\s+(?:de\s+)?(?P<mon>{_MON})(?:\s+(?:de\s+)?(?P<y>\d{{4}}))?",
        lambda m, t, _c: _day_month(int(m["d"]), _MONTHS[m["mon"]], _year(m["y"]), t),
    ),
    _form(r"dia\s+(?P<d>\d{1,2})", lambda m, t, _c: _day_of_month(int(m["d"]), t)),
    _form(
        _BUSINESS_DAYS_RE.pattern,
        lambda m, t, _c: t.calendario.somar_dias_uteis(t.day, _number(m["n"])),
    ),
    _form(
        _LONG_DURATION_RE.pattern,
        lambda m, t, _c: _relative_day(f"em {_number(m['n'])} {m['unit']}", t),
    ),
)


def _year(digits: str | None) -> int | None:
    """The year group of a date pattern, if the user wrote one."""
    return int(digits) if digits else None


def _parse_date_part(text: str, today: _Today, clock: time | None) -> datetime | None:
    """A date form (no time in it) combined with `clock`, or None if it is not one."""
    if (prefix := _PREFIX_RE.match(text)) is not None:
        text = text[prefix.end() :]
    for form in _DATE_FORMS:
        match = form.pattern.fullmatch(text)
        if match is None:
            continue
        day = form.rule(match, today, clock)
        if day is None:
            return None
        if clock is None:
            clock = today.default_time if form.default_clock is None else form.default_clock
        return today.at(day, clock)
    return None


def _parse_time_only(clock: time, today: _Today) -> datetime:
    """'17h' alone: today if still ahead, otherwise tomorrow."""
    day = today.day + timedelta(days=1) if today.is_past(today.day, clock) else today.day
    return today.at(day, clock)


def _parse_short_duration(match: re.Match[str], today: _Today) -> datetime:
    """'em 2 horas': exact elapsed time, added in UTC so a DST change cannot skew it."""
    if match["half"]:
        delta = timedelta(minutes=30)
    elif match["unit"].startswith("h"):
        delta = timedelta(hours=_number(match["n"]))
    else:
        delta = timedelta(minutes=_number(match["n"]))
    return (today.now.astimezone(UTC) + delta).astimezone(today.zone)


def _parse_normalised(text: str, today: _Today) -> datetime | None:
    """parse_when on already-normalised text."""
    if not text:
        return None
    if (short := _SHORT_DURATION_RE.fullmatch(text)) is not None:
        return _parse_short_duration(short, today)
    if (uteis := _BUSINESS_HOURS_RE.fullmatch(text)) is not None:  # counted in working hours
        return today.calendario.somar_horas_uteis(today.now, _number(uteis["n"]))
    if (alone := _clock(text)) is not None:
        return _parse_time_only(alone, today)
    result = _parse_date_part(text, today, None)
    if result is not None:
        return result
    # A time after the date ("amanhã às 9h") or before it ("18h de sexta").
    for space in (i for i, char in enumerate(text) if char == " "):
        head, tail = text[:space], text[space + 1 :]
        for date_text, time_text in ((head, tail), (_CONNECTOR_RE.sub("", tail), head)):
            clock = _clock(time_text)
            result = None if clock is None else _parse_date_part(date_text, today, clock)
            if result is not None:
                return result
    return None


def parse_when(
    text: str,
    *,
    now: datetime,
    tz: str,
    default_time: time = time(9, 0),
    calendario: Calendario | None = None,
) -> datetime | None:
    """Return the aware datetime (in `tz`) the user meant, or None when it is not a date."""
    return _parse_normalised(_normalise(text), _Today(now, tz, default_time, calendario))


def split_when(
    text: str,
    *,
    now: datetime,
    tz: str,
    default_time: time = time(9, 0),
    calendario: Calendario | None = None,
) -> tuple[datetime, str] | None:
    """For '/lembrar amanhã 9h ligar para o cliente': the longest leading date, and the rest."""
    words = list(re.finditer(r"\S+", text))
    if words and words[0].group().startswith("/"):
        words = words[1:]  # a Telegram command ("/lembrar@CogepBot") is never part of the date
    if not words:
        return None
    today = _Today(now, tz, default_time, calendario)
    start = words[0].start()
    for count in range(min(len(words), _MAX_DATE_WORDS), 0, -1):
        end = words[count - 1].end()
        moment = _parse_normalised(_normalise(text[start:end]), today)
        if moment is not None:
            return moment, text[end:].strip().lstrip(",;:-–— ")
    return None


def format_when(moment: datetime, *, tz: str, now: datetime) -> str:
    """Short pt-BR text: 'hoje 18:00', 'amanhã 09:00', 'sex 27/11 18:00', '30/11/2027 14:00'."""
    zone = ZoneInfo(tz)
    local = _in_zone(moment, zone)
    today = _in_zone(now, zone).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"hoje {clock}"
    if local.date() == today + timedelta(days=1):
        return f"amanhã {clock}"
    if local.year == today.year:
        return f"{_WEEKDAY_ABBR[local.weekday()]} {local:%d/%m} {clock}"
    return f"{local:%d/%m/%Y} {clock}"
