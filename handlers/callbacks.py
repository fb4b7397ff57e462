"""Callback data: one typed codec for every inline button.

A kind of button is a frozen dataclass deriving from `Callback` with a short prefix:

    @dataclass(frozen=True)
    class VerProcesso(Callback, prefixo="pv"):
        processo_id: int

    VerProcesso(42).encode()          -> "pv:42"
    VerProcesso.decode("pv:42")       -> VerProcesso(processo_id=42)
    VerProcesso.decode("pv:9" * 30)   -> None  (forged, stale or from an older version)

Fields are `int` or `str` (optionally `| None`); trailing fields that hold their default are left
out of the data, so optional parts cost no bytes. A kind may check its values in `__post_init__`
(raise ValueError): data that fails the check decodes to None, like any forged button.
A version above 1 is written after the prefix (`pv.2:42`), so buttons sent before a format
change decode to None and are answered as stale.
Encoding refuses data over Telegram's 64 bytes, a `:` inside a text field, and integers outside
PostgreSQL's bigint, so nothing a user can forge reaches SQL out of range.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Any, ClassVar, Self

MAX_BYTES = 64  # Telegram's limit on callback_data
_BIGINT = range(-(2**63), 2**63)
_SEP = ":"


class Callback:
    """Base of every button kind; subclasses are frozen dataclasses."""

    # Underscored so that no field of a kind (a processo's `versao`, say) can shadow them.
    _prefixo: ClassVar[str]
    _versao: ClassVar[int]
    _registry: ClassVar[dict[str, type[Callback]]] = {}

    def __init_subclass__(cls, *, prefixo: str, versao: int = 1, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not re.fullmatch(r"[a-z]{1,4}", prefixo):
            raise ValueError(f"callback prefix must be 1-4 lowercase letters: {prefixo!r}")
        if prefixo in Callback._registry:
            raise ValueError(f"callback prefix {prefixo!r} is taken")
        Callback._registry[prefixo] = cls
        cls._prefixo = prefixo
        cls._versao = versao

    @classmethod
    def _head(cls) -> str:
        return cls._prefixo if cls._versao == 1 else f"{cls._prefixo}.{cls._versao}"

    @classmethod
    def pattern(cls) -> str:
        """The regex a CallbackQueryHandler uses to route this kind (any version)."""
        return rf"^{re.escape(cls._prefixo)}(\.\d+)?(:|$)"

    def encode(self) -> str:
        """The callback data for this button; raises ValueError when it cannot be sent."""
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        values: list[str] = []
        for field in fields:
            value = getattr(self, field.name)
            if isinstance(value, bool):
                raise TypeError(f"{field.name}: use int or str, not bool")
            if isinstance(value, int) and value not in _BIGINT:
                raise ValueError(f"{field.name} out of range: {value}")
            if isinstance(value, str) and _SEP in value:
                raise ValueError(f"{field.name} may not contain {_SEP!r}: {value!r}")
            values.append("" if value is None else str(value))
        while fields and values and _is_default(fields[len(values) - 1], self):
            values.pop()
        data = _SEP.join([self._head(), *values])
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: str | None) -> Self | None:
        """The button behind `data`, or None when it is not a current, well-formed one."""
        if data is None or len(data.encode()) > MAX_BYTES:
            return None
        head, *raw = data.split(_SEP)
        if head != cls._head():
            return None
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        if len(raw) > len(fields):
            return None
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for i, field in enumerate(fields):
            if i >= len(raw):
                if field.default is dataclasses.MISSING:
                    return None
                continue
            parsed = _parse(raw[i], hints[field.name])
            if parsed is _INVALID:
                return None
            values[field.name] = parsed
        try:
            return cls(**values)
        except ValueError:  # the kind's own check (`__post_init__`) refused the values
            return None


_INVALID = object()


def _is_default(field: dataclasses.Field[Any], instance: object) -> bool:
    return (
        field.default is not dataclasses.MISSING and getattr(instance, field.name) == field.default
    )


def _parse(raw: str, hint: Any) -> Any:
    """`raw` as a value of the type `hint` (int, str, or either | None), or _INVALID."""
    options = set(typing.get_args(hint)) if isinstance(hint, types.UnionType) else {hint}
    if raw == "" and type(None) in options:
        return None
    if int in options:
        if not re.fullmatch(r"-?\d{1,19}", raw) or int(raw) not in _BIGINT:
            return _INVALID
        return int(raw)
    if str in options:
        return raw
    return _INVALID
