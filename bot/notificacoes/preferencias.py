"""Who wants which notice, and when quiet hours let an automatic one through.

quer(usuario, tipo)                 the switches of /notificacoes, applied once for all kinds
fora_do_silencio(usuario, momento)  `momento`, or the end of the user's quiet hours when it
                                    falls inside them (automatic notices wait; a personal
                                    reminder never does: it fires at the time asked for)
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.usuarios.regras import administra, gerencia, tem_acesso
from db.models import Usuario

# Kinds the switches govern; the others (reminders, access, announcements, replies) always go.
CHAVES = {
    "processo": "notif_processos",
    "prazo": "notif_prazos",
    "resumo": "notif_resumo",
    "parados": "notif_parados",
    "saude": "notif_saude",
}
# The switches of the /notificacoes screen, in order: screen name -> notice kind.
TIPOS_TELA = {
    "processos": "processo",
    "prazos": "prazo",
    "resumo": "resumo",
    "parados": "parados",
    "saude": "saude",
}


def pode_escolher(usuario: Usuario, tipo: str) -> bool:
    """Whether the switch is offered: the stale list to gestores, the health line to admins."""
    if tipo == "parados":
        return gerencia(usuario)
    if tipo == "saude":
        return administra(usuario)
    return tipo == "tudo" or tipo in TIPOS_TELA


def ligados(usuario: Usuario) -> dict[str, bool]:
    """The switches the user is offered and where they stand."""
    return {
        tipo: bool(getattr(usuario, CHAVES[kind]))
        for tipo, kind in TIPOS_TELA.items()
        if pode_escolher(usuario, tipo)
    }


def quer(usuario: Usuario, tipo: str) -> bool:
    """Whether `usuario` gets notices of this kind now."""
    if not usuario.ativo or not tem_acesso(usuario):
        return False
    chave = CHAVES.get(tipo)
    if chave is None:
        return True
    return usuario.notificacoes_ativas and bool(getattr(usuario, chave))


def em_silencio(usuario: Usuario, momento: datetime) -> bool:
    """Whether `momento` falls in the user's quiet hours (their zone)."""
    inicio, fim = usuario.silencio_inicio, usuario.silencio_fim
    if inicio == fim:
        return False
    hora = momento.astimezone(ZoneInfo(usuario.fuso_horario)).hour
    return inicio <= hora < fim if inicio < fim else hora >= inicio or hora < fim


def fora_do_silencio(usuario: Usuario, momento: datetime) -> datetime:
    """`momento`, or the end of the quiet hours it falls in."""
    if not em_silencio(usuario, momento):
        return momento
    local = momento.astimezone(ZoneInfo(usuario.fuso_horario))
    fim = local.replace(hour=usuario.silencio_fim, minute=0, second=0, microsecond=0)
    if fim <= local:
        fim = datetime.combine(local.date() + timedelta(days=1), time(usuario.silencio_fim))
        fim = fim.replace(tzinfo=local.tzinfo)
    return fim
