"""Texts of the notificações: reminders, deadline alerts, digests, stale lists, health, /aviso,
/notificacoes (Telegram-HTML; user values escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.dates import format_when
from bot.render import escape, shorten
from bot.texts.comum import ano_que_vem, contagem

if TYPE_CHECKING:
    from db.models import Lembrete, Processo

__all__ = [
    "AVISO_CANCELADO",
    "AVISO_JA_ENVIADO",
    "AVISO_NINGUEM",
    "AVISO_USO",
    "BOTAO_ADIAR",
    "BOTAO_ADIAR_1H",
    "BOTAO_ADIAR_10MIN",
    "BOTAO_ADIAR_AMANHA",
    "BOTAO_AVISO_CANCELAR",
    "BOTAO_AVISO_ENVIAR",
    "BOTAO_AVISO_PARAR",
    "BOTAO_CANCELAR_LEMBRETE",
    "BOTAO_DESLIGAR_TUDO",
    "BOTAO_HORA_RESUMO",
    "BOTAO_LIGAR_TUDO",
    "BOTAO_SILENCIO",
    "LEMBRAR_USO",
    "LEMBRETE_CANCELADO",
    "LEMBRETE_NAO_ENCONTRADO",
    "LEMBRETE_SEM_TEXTO",
    "NENHUM_LEMBRETE",
    "NOTIFICACOES_DESLIGADAS_GERAL",
    "PERGUNTA_HORA_RESUMO_NOTIF",
    "PERGUNTA_SILENCIO",
    "RECORRENCIA_INVALIDA",
    "SEM_SILENCIO",
    "aviso_final",
    "aviso_previa",
    "aviso_progresso",
    "aviso_recebido",
    "botao_alternar",
    "dia_do_mes_invalido",
    "hora_invalida",
    "lembrete_adiado",
    "lembrete_criado",
    "lembrete_data_invalida",
    "lembrete_disparo",
    "lembrete_limite",
    "lembrete_longo",
    "lembrete_passado",
    "lembrete_sem_data",
    "lembretes_lista",
    "notificacoes_tela",
    "prazo_alerta",
    "processos_parados",
    "regra_descrita",
    "resumo_diario",
    "saude_diaria",
    "silencio_rotulo",
]

_SEMANA = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")

# -- /lembrar, /lembretes ----------------------------------------------------------------------
LEMBRAR_USO = (
    "Diga quando e o quê:\n"
    "• <code>/lembrar amanhã 9h revisar o PR</code>\n"
    "• <code>/lembrar em 2 horas ligar pro cliente</code>\n"
    "• <code>/lembrar 2026-0042 sexta 10h cobrar retorno</code> (ligado a um processo)\n"
    "• <code>/lembrar toda segunda 9h daily da equipe</code>\n"
    "• <code>/lembrar todo dia útil 18h registrar horas</code> · <code>todo dia 5 10h</code>"
)
LEMBRETE_SEM_TEXTO = (
    "Falta dizer <b>do que</b> lembrar. Ex.: <code>/lembrar amanhã 9h revisar o PR</code>"
)
RECORRENCIA_INVALIDA = (
    "Não sei repetir nesse ritmo. Use <i>todo dia 8h</i>, <i>todo dia útil 18h</i>, "
    "<i>toda segunda 9h</i> ou <i>todo dia 5 10h</i> (no máximo um por dia)."
)
NENHUM_LEMBRETE = (
    "Você não tem lembretes ativos. Crie um com <code>/lembrar amanhã 9h revisar o PR</code>."
)
LEMBRETE_NAO_ENCONTRADO = "Esse lembrete não existe mais (já foi cancelado ou concluído)."
LEMBRETE_CANCELADO = "🗑 Lembrete cancelado."
BOTAO_CANCELAR_LEMBRETE = "❌ Cancelar"
BOTAO_ADIAR = "💤 Adiar"
BOTAO_ADIAR_10MIN = "💤 10 min"
BOTAO_ADIAR_1H = "💤 1 h"
BOTAO_ADIAR_AMANHA = "💤 Amanhã 9h"


def hora_invalida(escrita: str) -> str:
    """A time of day that does not exist."""
    return f"<b>{escape(escrita[:20])}</b> não é uma hora válida (use de 00:00 a 23:59)."


def dia_do_mes_invalido(dia: int) -> str:
    """A day of the month out of 1–31."""
    return f"O dia <b>{dia}</b> não existe em nenhum mês (use de 1 a 31)."


def lembrete_sem_data(texto: str) -> str:
    """No date at the start of /lembrar."""
    return f"Não entendi <b>quando</b> lembrar em “{escape(shorten(texto, 60))}”.\n\n" + LEMBRAR_USO


def lembrete_data_invalida(escrita: str) -> str:
    """A date that does not exist (31/02)."""
    return f"A data <b>{escape(escrita)}</b> não existe. Confira o dia e o mês."


def lembrete_passado(quando: datetime, *, zona: str, agora: datetime) -> str:
    """A moment already gone."""
    return (
        f"<b>{format_when(quando, tz=zona, now=agora)}</b> já passou. "
        "Diga um momento no futuro, como <i>amanhã 9h</i> ou <i>em 2 horas</i>."
    )


def lembrete_longo(tamanho: int, maximo: int) -> str:
    """Reminder text over the limit."""
    return f"O lembrete tem {tamanho} caracteres; o máximo é {maximo}. Resuma um pouco."


def lembrete_limite(maximo: int) -> str:
    """Too many active reminders."""
    return (
        f"Você já tem {maximo} lembretes ativos, o máximo. Cancele algum em /lembretes "
        "antes de criar outro."
    )


def regra_descrita(codigo: str) -> str:
    """`semanal:0:09:00` -> 'toda segunda às 09:00'."""
    tipo, dia, hora = codigo.split(":", 2)
    if tipo == "util":
        return f"todo dia útil às {hora}"
    if tipo == "semanal":
        nome = _SEMANA[int(dia)]
        return f"{'todo' if nome in ('sábado', 'domingo') else 'toda'} {nome} às {hora}"
    if tipo == "mensal":
        return f"todo dia {dia} às {hora}" + (" (ou o último dia do mês)" if int(dia) > 28 else "")
    return f"todo dia às {hora}"


def _ligado(numero: str | None) -> str:
    return f" · <b>{escape(numero)}</b>" if numero else ""


def lembrete_criado(lembrete: Lembrete, *, zona: str, agora: datetime) -> str:
    """Confirmation of /lembrar."""
    numero = lembrete.numero
    quando = format_when(lembrete.quando, tz=zona, now=agora)
    repete = f"\n🔁 {regra_descrita(lembrete.regra)}" if lembrete.regra else ""
    return (
        f"⏰ Combinado! Vou lembrar você <b>{quando}</b>"
        f"{ano_que_vem(lembrete.quando, zona=zona, agora=agora)}{_ligado(numero)}:\n"
        f"{escape(lembrete.texto)}{repete}\n\nSeus lembretes: /lembretes"
    )


def lembrete_adiado(quando: datetime, *, zona: str, agora: datetime) -> str:
    """After a snooze."""
    return f"💤 Adiado para <b>{format_when(quando, tz=zona, now=agora)}</b>."


def lembrete_disparo(
    lembrete: Lembrete, *, numero: str | None, previsto: datetime, atraso: bool, zona: str,
    agora: datetime,
) -> str:  # fmt: skip
    """The reminder itself; a late one says when it was due."""
    tarde = (
        f"\n<i>(com atraso: era para {format_when(previsto, tz=zona, now=agora)})</i>"
        if atraso
        else ""
    )
    processo = f"\nProcesso: /processo {escape(numero)}" if numero else ""
    repete = f"\n🔁 {regra_descrita(lembrete.regra)}" if lembrete.regra else ""
    return f"⏰ <b>Lembrete</b>\n{escape(lembrete.texto)}{processo}{repete}{tarde}"


def lembretes_lista(itens: Sequence[Lembrete], *, zona: str, agora: datetime) -> str:
    """/lembretes."""
    linhas = ["⏰ <b>Seus lembretes</b>\n"]
    for i, lembrete in enumerate(itens, 1):
        numero = lembrete.numero
        quando = format_when(lembrete.quando, tz=zona, now=agora)
        repete = f" · 🔁 {regra_descrita(lembrete.regra)}" if lembrete.regra else ""
        linhas.append(
            f"{i}. <b>{quando}</b>{_ligado(numero)} — {escape(shorten(lembrete.texto, 120))}{repete}"
        )
    return "\n".join(linhas)


# -- automatic notices -------------------------------------------------------------------------


def prazo_alerta(processo: Processo, *, fase: str, zona: str, agora: datetime) -> str:
    """Deadline alert: 'amanha' (24 h before), 'venceu' (it passed), 'atrasado' (daily)."""
    assert processo.prazo is not None
    quando = format_when(processo.prazo, tz=zona, now=agora)
    cabeca = f"<b>{processo.numero}</b> {escape(shorten(processo.titulo, 60))}"
    if fase == "amanha":
        return f"⏳ {cabeca}\nO prazo vence <b>{quando}</b>. Veja com /processo {processo.numero}"
    if fase == "venceu":
        return f"⏰ {cabeca}\nO prazo venceu <b>{quando}</b>. Veja com /processo {processo.numero}"
    dias = max(1, (agora - processo.prazo).days)
    return (
        f"🔴 {cabeca}\nAtrasado há {dias} dia{'s' if dias > 1 else ''} "
        f"(prazo {quando}). Veja com /processo {processo.numero}"
    )


def resumo_diario(
    atrasados: Sequence[Processo], abertos: Sequence[Processo], *, zona: str, agora: datetime,
    atraso: bool,
) -> str:  # fmt: skip
    """The daily digest: overdue first."""
    linhas = ["☀️ <b>Seu resumo do dia</b>"]
    if atraso:
        linhas.append("<i>(com atraso: o Cogep esteve fora do ar no seu horário)</i>")
    if atrasados:
        linhas.append(f"\n🔴 <b>Atrasados ({len(atrasados)})</b>")
        linhas += [_linha_resumo(p, zona, agora) for p in atrasados]
    if abertos:
        linhas.append(f"\n📂 <b>Em aberto ({len(abertos)})</b>")
        linhas += [_linha_resumo(p, zona, agora) for p in abertos]
    return "\n".join(linhas)


def _linha_resumo(processo: Processo, zona: str, agora: datetime) -> str:
    prazo = f" · prazo {format_when(processo.prazo, tz=zona, now=agora)}" if processo.prazo else ""
    return f"• <b>{processo.numero}</b> {escape(shorten(processo.titulo, 60))}{prazo}"


def processos_parados(
    processos: Sequence[tuple[Processo, datetime]], *, zona: str, agora: datetime
) -> str:
    """The gestores' weekly list of open processos with no event for 7 days."""
    linhas = [f"🕸 <b>Processos parados há 7 dias ou mais ({len(processos)})</b>"]
    for processo, ultimo in processos:
        dias = (agora - ultimo).days
        responsavel = processo.responsavel.nome if processo.responsavel else "sem responsável"
        linhas.append(
            f"• <b>{processo.numero}</b> {escape(shorten(processo.titulo, 50))} — "
            f"{escape(responsavel)}, {dias} dias"
        )
    return "\n".join(linhas)


def saude_diaria(
    *, no_ar_desde: datetime, enviadas: int, falhas: int, descartadas: int, zona: str,
    agora: datetime, ingestoes_falhas: int = 0,
) -> str:  # fmt: skip
    """The admins' one-line health report (documents that failed to get in, when any)."""
    desde = format_when(no_ar_desde, tz=zona, now=agora)
    linha = (
        f"🩺 Cogep no ar desde {desde}. Ontem: {enviadas} notificações enviadas, "
        f"{falhas} falharam, {descartadas} descartadas (bloqueios e cancelamentos)."
    )
    if ingestoes_falhas:
        documentos = "documento não entrou" if ingestoes_falhas == 1 else "documentos não entraram"
        linha += f" {ingestoes_falhas} {documentos} na base de conhecimento."
    return linha


# -- /aviso ------------------------------------------------------------------------------------
AVISO_USO = "Escreva o aviso depois do comando: <code>/aviso Amanhã não haverá expediente.</code>"
AVISO_NINGUEM = "Não há ninguém ativo para receber o aviso."
AVISO_CANCELADO = "Aviso descartado; nada foi enviado."
AVISO_JA_ENVIADO = "Esse aviso já foi confirmado."
BOTAO_AVISO_ENVIAR = "📣 Enviar"
BOTAO_AVISO_CANCELAR = "Descartar"
BOTAO_AVISO_PARAR = "⏹ Parar o envio"


def aviso_previa(texto: str, *, destinatarios: int) -> str:
    """The preview an admin confirms."""
    pessoas = "pessoa" if destinatarios == 1 else "pessoas"
    return (
        f"📣 <b>Prévia do aviso</b> — vai para <b>{destinatarios} {pessoas}</b>:\n\n"
        f"{texto}\n\nConfirme para enviar."
    )


def aviso_progresso(*, total: int, enviadas: int, bloqueados: int, falhas: int) -> str:
    """Progress, edited as the announcement goes out."""
    feitas = enviadas + bloqueados + falhas
    return f"📣 Enviando aviso… <b>{feitas}/{total}</b>\n{_contagens(enviadas, bloqueados, falhas)}"


def aviso_final(*, total: int, enviadas: int, bloqueados: int, falhas: int, cancelados: int) -> str:
    """The final count."""
    faltou = contagem(cancelados, "não recebeu", "não receberam")
    parado = f"\n⏹ Envio interrompido: {faltou}." if cancelados else ""
    return (
        f"📣 <b>Aviso concluído</b> ({contagem(total, 'destinatário', 'destinatários')})\n"
        f"{_contagens(enviadas, bloqueados, falhas)}{parado}"
    )


def _contagens(enviadas: int, bloqueados: int, falhas: int) -> str:
    """✅ sent · 🚫 blocked · ⚠️ failed, each agreeing with its number."""
    return (
        f"✅ {contagem(enviadas, 'enviado', 'enviados')} · "
        f"🚫 {contagem(bloqueados, 'bloqueou o bot', 'bloquearam o bot')} · "
        f"⚠️ {contagem(falhas, 'falhou', 'falharam')}"
    )


def aviso_recebido(texto: str) -> str:
    """An announcement as its readers see it."""
    return f"📣 <b>Aviso</b>\n\n{texto}"


# -- /notificacoes -----------------------------------------------------------------------------
NOTIFICACOES_DESLIGADAS_GERAL = (
    "🔕 Todas as notificações estão desligadas (só lembretes e avisos chegam). "
    "Toque em <b>Ligar tudo</b> para voltar."
)
PERGUNTA_HORA_RESUMO_NOTIF = "Em que hora (no seu fuso) o resumo diário deve chegar?"
PERGUNTA_SILENCIO = (
    "Horário de silêncio: alertas de prazo, resumos e listas esperam a manhã. "
    "(Lembretes pessoais chegam na hora que você pediu.)"
)
SEM_SILENCIO = "Sem silêncio"
BOTAO_LIGAR_TUDO = "🔔 Ligar tudo"
BOTAO_DESLIGAR_TUDO = "🔕 Desligar tudo"
BOTAO_HORA_RESUMO = "☀️ Resumo às {hora:02d}:00"
BOTAO_SILENCIO = "🌙 Silêncio {silencio}"

_TIPOS = {
    "processos": "Mudanças nos seus processos",
    "prazos": "Alertas de prazo",
    "resumo": "Resumo diário",
    "parados": "Processos parados (semanal, gestores)",
    "saude": "Relatório de saúde (diário, admins)",
}


def botao_alternar(tipo: str, ligado: bool) -> str:
    """A switch button of /notificacoes."""
    return f"{'🔔' if ligado else '🔕'} {_TIPOS[tipo]}"


def _silencio(inicio: int, fim: int) -> str:
    return SEM_SILENCIO.lower() if inicio == fim else f"{inicio:02d}:00–{fim:02d}:00"


def notificacoes_tela(
    *, geral: bool, ligados: dict[str, bool], hora_resumo: int, silencio: tuple[int, int],
    fuso: str,
) -> str:  # fmt: skip
    """The /notificacoes screen."""
    linhas = ["🔔 <b>Suas notificações</b>\n"]
    if not geral:
        linhas.append(NOTIFICACOES_DESLIGADAS_GERAL + "\n")
    for tipo, ligado in ligados.items():
        linhas.append(f"{'✅' if ligado and geral else '▫️'} {_TIPOS[tipo]}")
    linhas.append(f"\n☀️ Resumo diário às <b>{hora_resumo:02d}:00</b> ({escape(fuso)})")
    linhas.append(f"🌙 Silêncio: <b>{_silencio(*silencio)}</b>")
    linhas.append("\nToque para ligar ou desligar.")
    return "\n".join(linhas)


def silencio_rotulo(inicio: int, fim: int) -> str:
    """A quiet-hours choice."""
    return _silencio(inicio, fim)
