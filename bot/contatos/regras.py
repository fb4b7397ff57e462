"""The rules of a contact's fields: each is validated (and normalised) before it is stored.

An e-mail address identifies one contact (the service refuses a second one); a phone number is
stored in international form; optional fields are cleared with one of `APAGAR`.
"""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot import texts
from bot.errors import InvalidInput
from bot.higiene import visivel

NOME_MAX = 128
EMPRESA_MAX = 128
NOTAS_MAX = 2000
REGIAO_PADRAO = "BR"  # a number typed without +country is Brazilian


def validar_nome(texto: str) -> str:
    """1–128 characters on one line."""
    nome = " ".join(texto.split())
    if not nome:
        raise InvalidInput(texts.CONTATO_NOME_VAZIO)
    if not visivel(nome):
        raise InvalidInput(texts.NOME_INVISIVEL)
    if len(nome) > NOME_MAX:
        raise InvalidInput(texts.texto_longo(len(nome), NOME_MAX))
    return nome


def validar_empresa(texto: str) -> str:
    """Up to 128 characters on one line."""
    empresa = " ".join(texto.split())
    if len(empresa) > EMPRESA_MAX:
        raise InvalidInput(texts.texto_longo(len(empresa), EMPRESA_MAX))
    return empresa


def validar_email(texto: str) -> str:
    """A syntactically valid address, normalised (domain lowercased); no DNS lookups."""
    try:
        return validate_email(texto.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidInput(texts.email_invalido(texto.strip())) from None


def normalizar_telefone(texto: str) -> str:
    """`(11) 98765-4321` -> `+55 11 98765-4321`; foreign numbers need their `+country`."""
    try:
        numero = phonenumbers.parse(texto.strip(), REGIAO_PADRAO)
    except phonenumbers.NumberParseException:
        raise InvalidInput(texts.telefone_invalido(texto.strip())) from None
    if not phonenumbers.is_valid_number(numero):
        raise InvalidInput(texts.telefone_invalido(texto.strip()))
    return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validar_notas(texto: str) -> str:
    """Free notes, up to 2000 characters."""
    notas = texto.strip()
    if len(notas) > NOTAS_MAX:
        raise InvalidInput(texts.texto_longo(len(notas), NOTAS_MAX))
    return notas


CAMPOS: dict[str, Callable[[str], str]] = {
    "nome": validar_nome,
    "empresa": validar_empresa,
    "email": validar_email,
    "telefone": normalizar_telefone,
    "notas": validar_notas,
}
APAGAR = {"apagar", "remover", "sem", "nenhum", "nenhuma", "-"}
