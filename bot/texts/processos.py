"""Processos: statuses, buttons, /novo questions, lists, search, the detail screen, notices."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.dates import format_when
from bot.render import escape, shorten
from bot.texts.comum import ano_que_vem
from db.models.processos import PRAZO_CORRE

if TYPE_CHECKING:
    from db.models import Processo, Usuario

__all__ = [
    "BOTAO_ASSUMIR",
    "BOTAO_ATRIBUIR",
    "BOTAO_ATUALIZAR",
    "BOTAO_COMENTAR",
    "BOTAO_CONTATO",
    "BOTAO_DESCRICAO",
    "BOTAO_HISTORICO",
    "BOTAO_LINK",
    "BOTAO_POR_RESPONSAVEL",
    "BOTAO_PRAZO",
    "BOTAO_RETOMAR",
    "BOTAO_SEM_RESPONSAVEL",
    "BOTAO_TITULO",
    "BOTAO_TODOS_RESPONSAVEIS",
    "BUSCA_VAZIA",
    "COMENTARIO_VAZIO",
    "CONFIRMAR_CANCELAMENTO",
    "DESISTIR_CANCELAMENTO",
    "ESCOLHA_CONTATO",
    "ESCOLHA_FILTRO_RESPONSAVEL",
    "ESCOLHA_RESPONSAVEL",
    "EXEMPLOS_PRAZO",
    "FILTRO_NOME",
    "LISTA_VAZIA",
    "NADA_ENCONTRADO",
    "NINGUEM",
    "NOVO_CONTATO",
    "NOVO_DESCRICAO",
    "NOVO_PRAZO",
    "NOVO_PRIORIDADE",
    "NOVO_TITULO",
    "NUMERO_INVALIDO",
    "PERGUNTA_CANCELAMENTO",
    "PERGUNTA_COMENTARIO",
    "PERGUNTA_CONTATO",
    "PERGUNTA_PRAZO",
    "PREFIXO_LINK",
    "PRIORIDADE_ICONE",
    "PRIORIDADE_INVALIDA",
    "PROCESSO_CANCELADO",
    "PROCESSO_NAO_ENCONTRADO",
    "QUAL_PROCESSO",
    "REABRIR",
    "SO_GESTOR_ATRIBUI",
    "SO_SOLICITANTE_CANCELA",
    "STATUS_ACAO",
    "STATUS_ICONE",
    "STATUS_NOME",
    "TITULO_FILTRO",
    "TITULO_VAZIO",
    "USUARIO_NAO_ENCONTRADO",
    "aviso_atribuicao",
    "aviso_comentario",
    "aviso_status",
    "contato_ambiguo",
    "filtro_desconhecido",
    "linha_chave_desconhecida",
    "linha_processo",
    "linha_valor_vazio",
    "link_do_processo",
    "lista_processos",
    "nenhum_contato",
    "oferecer_assumir",
    "pergunta_descricao",
    "pergunta_titulo",
    "prazo_de",
    "prazo_invalido",
    "prazo_passado",
    "processo_criado",
    "processo_nao_encontrado",
    "resultado_busca",
    "titulo_longo",
    "transicao_ilegal",
]

# -- processos ---------------------------------------------------------------------------------
STATUS_NOME = {
    "aberto": "aberto",
    "em_andamento": "em andamento",
    "aguardando": "aguardando",
    "concluido": "concluído",
    "cancelado": "cancelado",
}
STATUS_ICONE = {
    "aberto": "🆕",
    "em_andamento": "🔧",
    "aguardando": "⏳",
    "concluido": "✅",
    "cancelado": "🚫",
}
STATUS_ACAO = {
    "em_andamento": "🔧 Iniciar",
    "aguardando": "⏳ Aguardar",
    "concluido": "✅ Concluir",
    "cancelado": "🚫 Cancelar",
}
REABRIR = "↩️ Reabrir"
CONFIRMAR_CANCELAMENTO = "🚫 Sim, cancelar"
DESISTIR_CANCELAMENTO = "↩️ Não, voltar"
PERGUNTA_CANCELAMENTO = "Cancelar é definitivo: um processo cancelado não volta. Confirme abaixo."
BOTAO_RETOMAR = "🔧 Retomar"
PRIORIDADE_ICONE = {"baixa": "▫️", "normal": "🔹", "alta": "🔸", "urgente": "🔴"}
FILTRO_NOME = {
    "abertos": "abertos",
    "atrasados": "atrasados",
    "concluidos": "concluídos",
    "todos": "todos",
}

TITULO_VAZIO = "O título não pode ficar vazio. Exemplo: <i>Migrar servidor de e-mail</i>."
PRIORIDADE_INVALIDA = (
    "Prioridade inválida. Use <b>baixa</b>, <b>normal</b>, <b>alta</b> ou <b>urgente</b>."
)
PROCESSO_NAO_ENCONTRADO = "Processo não encontrado."
QUAL_PROCESSO = "Qual processo? Envie o número, por exemplo <code>/processo 42</code>."
PROCESSO_CANCELADO = "Este processo foi cancelado: não muda mais (comentários ainda valem)."
NUMERO_INVALIDO = (
    "Número inválido. Exemplos: <code>/processo 2026-0042</code> ou <code>/processo 42</code>."
)
BUSCA_VAZIA = "Diga o que buscar. Exemplo: <code>/buscar servidor de e-mail</code>."
SO_GESTOR_ATRIBUI = (
    "Só gestores e administradores podem atribuir responsáveis (você pode assumir um processo "
    "que ainda não tem responsável)."
)
BOTAO_ASSUMIR = "🙋 Assumir"
BOTAO_LINK = "🔗 Link"
PREFIXO_LINK = "p_"  # /start p_2026-0042: a deep link to a processo
SO_SOLICITANTE_CANCELA = "Só quem abriu o processo, ou um gestor, pode cancelá-lo."
USUARIO_NAO_ENCONTRADO = "Usuário não encontrado ou inativo."
COMENTARIO_VAZIO = "O comentário não pode ficar vazio."
EXEMPLOS_PRAZO = "<i>amanhã 9h</i>, <i>em 3 dias</i>, <i>sexta 18h</i>, <i>30/11 14:00</i>"
TITULO_FILTRO = {
    "abertos": "Processos abertos",
    "atrasados": "Processos atrasados",
    "concluidos": "Processos concluídos",
    "todos": "Todos os processos",
}
LISTA_VAZIA = {
    "abertos": "Nenhum processo aberto por aqui. Abra um com /novo.",
    "atrasados": "Nenhum processo atrasado. 🎉",
    "concluidos": "Nenhum processo concluído ainda.",
    "todos": "Nenhum processo por aqui. Abra um com /novo.",
}
NADA_ENCONTRADO = "Nada encontrado para <b>{busca}</b>."

NOVO_TITULO = "Vamos abrir um processo. Qual o <b>título</b>? (/cancelar para desistir)"
NOVO_DESCRICAO = "Descreva o processo (ou toque em Pular)."
NOVO_PRAZO = f"Qual o <b>prazo</b>? Ex.: {EXEMPLOS_PRAZO} (ou Pular)."
NOVO_PRIORIDADE = "Qual a <b>prioridade</b>?"
NOVO_CONTATO = "Algum <b>contato</b> do cliente? Envie o nome para buscar (ou Pular)."
PERGUNTA_COMENTARIO = (
    "Escreva o comentário: é interno, só a equipe vê. Para registrar o que foi dito ao "
    "cliente, comece com <i>cliente:</i> (ou /cancelar)."
)
PERGUNTA_PRAZO = f"Qual o novo prazo? Ex.: {EXEMPLOS_PRAZO}, ou <i>sem prazo</i>. (/cancelar)"
PERGUNTA_CONTATO = (
    "Envie o nome do contato para vincular, ou <i>remover</i> para desvincular (ou /cancelar)."
)


def pergunta_titulo(processo: Processo) -> str:
    """Ask for a new title, showing the current one (tap to copy)."""
    return (
        f"Título atual: <code>{escape(processo.titulo)}</code>\nEnvie o novo título (ou /cancelar)."
    )


def pergunta_descricao(processo: Processo) -> str:
    """Ask for a new description, showing the current one (tap to copy)."""
    atual = (
        f"Descrição atual:\n<code>{escape(processo.descricao)}</code>\n"
        if processo.descricao
        else "Ainda sem descrição.\n"
    )
    return (
        f"{atual}Envie a nova descrição, ou <i>apagar</i> para deixá-la em branco (ou /cancelar)."
    )


ESCOLHA_RESPONSAVEL = "Quem será o responsável?"
ESCOLHA_CONTATO = "Qual destes contatos?"
BOTAO_COMENTAR = "💬 Comentar"
BOTAO_PRAZO = "📅 Prazo"
BOTAO_ATRIBUIR = "👤 Atribuir"
BOTAO_CONTATO = "📇 Contato"
BOTAO_SEM_RESPONSAVEL = "🚫 Ninguém (sem responsável)"
NINGUEM = "ninguém ainda"
BOTAO_TITULO = "✏️ Título"
BOTAO_DESCRICAO = "📝 Descrição"
BOTAO_ATUALIZAR = "🔄 Atualizar"
BOTAO_HISTORICO = "📜 Histórico"
BOTAO_POR_RESPONSAVEL = "👤 Por responsável"
BOTAO_TODOS_RESPONSAVEIS = "✖ Todos os responsáveis"
ESCOLHA_FILTRO_RESPONSAVEL = "Ver os processos de quem?"


def titulo_longo(tamanho: int, maximo: int) -> str:
    """A title over the limit."""
    return f"Título longo demais: {tamanho} caracteres (máximo {maximo}). Resuma e envie de novo."


def prazo_invalido(texto: str) -> str:
    """A deadline the parser did not understand."""
    return f"Não entendi o prazo <b>{escape(texto[:60])}</b>. Exemplos que funcionam: {EXEMPLOS_PRAZO}."


def prazo_passado(quando: datetime, *, zona: str, agora: datetime) -> str:
    """A deadline in the past."""
    dito = format_when(quando, tz=zona, now=agora)
    return f"Esse prazo ({dito}) já passou. Informe uma data futura, como {EXEMPLOS_PRAZO}."


def linha_chave_desconhecida(chave: str) -> str:
    """An unknown `| chave valor` part in the one-line /novo."""
    return (
        f"Não conheço o campo <b>{escape(chave[:30])}</b>. Use <i>prazo</i>, <i>prioridade</i>, "
        "<i>descrição</i> ou <i>contato</i>. Exemplo: <code>/novo Migrar servidor | prazo "
        "sexta 18h | prioridade alta</code>"
    )


def linha_valor_vazio(chave: str) -> str:
    """A `| prazo` part with nothing after it."""
    return f"Faltou o valor de <b>{escape(chave[:30])}</b>."


def processo_nao_encontrado(texto: str) -> str:
    """A number the caller cannot see (or that does not exist: they are told the same)."""
    return (
        f"Processo <b>{escape(shorten(texto, 20))}</b> não encontrado. Veja os seus em /processos."
    )


def filtro_desconhecido(texto: str) -> str:
    """`/processos xyz`."""
    return (
        f"Não conheço o filtro <b>{escape(shorten(texto, 30))}</b>. Use <i>abertos</i>, "
        "<i>atrasados</i>, <i>concluídos</i> ou <i>todos</i>; mostrei os abertos."
    )


def nenhum_contato(busca: str) -> str:
    """/contatos found nobody."""
    return f"Nenhum contato encontrado para <b>{escape(busca)}</b>. Crie um com /contato novo."


def contato_ambiguo(nome: str, encontrados: int) -> str:
    """The one-line /novo named a contact that matched zero or several."""
    if encontrados == 0:
        return (
            f"Nenhum contato com <b>{escape(nome)}</b>. Envie outro nome ou toque em Pular: "
            "dá para vincular depois, pelo botão 📇 Contato do processo."
        )
    return f"Vários contatos combinam com <b>{escape(nome)}</b>. Seja mais específico."


def transicao_ilegal(de: str, para: str, legais: tuple[str, ...]) -> str:
    """A status change the machine forbids, with what is allowed."""
    permitido = ", ".join(STATUS_NOME[s] for s in legais) or "nenhuma (estado final)"
    return (
        f"Não é possível passar de <b>{STATUS_NOME[de]}</b> para <b>{STATUS_NOME.get(para, para)}"
        f"</b>. A partir de {STATUS_NOME[de]}: {permitido}."
    )


def prazo_de(processo: Processo, *, zona: str, agora: datetime) -> str:
    """A processo's deadline as read in `zona`, flagged when an open one is overdue."""
    if processo.prazo is None:
        return "sem prazo"
    dito = format_when(processo.prazo, tz=zona, now=agora)
    if processo.status == "aguardando":
        return f"⏸ {dito} (pausado: aguardando o cliente)"
    atrasado = processo.prazo < agora and processo.status in PRAZO_CORRE
    return f"⚠️ <b>{dito} (atrasado)</b>" if atrasado else dito


def processo_criado(
    processo: Processo, *, zona: str, agora: datetime, contato: str | None = None
) -> str:
    """Confirmation of /novo, with the new number."""
    com = f" · Contato: {escape(contato)}" if contato else ""
    ano = ano_que_vem(processo.prazo, zona=zona, agora=agora) if processo.prazo else ""
    return (
        f"✅ Processo <b>{processo.numero}</b> aberto: {escape(processo.titulo)}\n"
        f"Prioridade: {processo.prioridade} · Prazo: {prazo_de(processo, zona=zona, agora=agora)}"
        f"{ano}{com}\nVeja e acompanhe com /processo {processo.numero}"
    )


def linha_processo(processo: Processo, *, zona: str, agora: datetime) -> str:
    """One line of /processos or /buscar."""
    return (
        f"{STATUS_ICONE[processo.status]} <b>{processo.numero}</b> "
        f"{PRIORIDADE_ICONE[processo.prioridade]} {escape(shorten(processo.titulo, 60))}\n"
        f"    {STATUS_NOME[processo.status]} · {prazo_de(processo, zona=zona, agora=agora)}"
    )


def lista_processos(
    processos: list[Processo],
    *,
    filtro: str,
    pagina: int,
    zona: str,
    agora: datetime,
    responsavel: str | None = None,
) -> str:
    """The /processos page."""
    de = f" · responsável: {escape(responsavel)}" if responsavel else ""
    cabecalho = f"<b>{TITULO_FILTRO[filtro]}</b>{de} · página {pagina + 1}"
    if not processos:
        return f"{cabecalho}\n\n{LISTA_VAZIA[filtro]}"
    linhas = [linha_processo(p, zona=zona, agora=agora) for p in processos]
    return cabecalho + "\n\n" + "\n".join(linhas) + "\n\nAbra um com /processo número."


def resultado_busca(
    busca: str, processos: list[Processo], *, zona: str, agora: datetime, limite: int = 10
) -> str:
    """The /buscar answer."""
    if not processos:
        return NADA_ENCONTRADO.format(busca=escape(shorten(busca, 80)))
    linhas = [linha_processo(p, zona=zona, agora=agora) for p in processos]
    mais = (
        f"\n\n<i>Mostrando os {limite} mais relevantes; acrescente palavras para refinar.</i>"
        if len(processos) >= limite
        else ""
    )
    return f"<b>Resultados para {escape(shorten(busca, 80))}</b>\n\n" + "\n".join(linhas) + mais


def aviso_status(processo: Processo, autor: str, de: str, para: str) -> str:
    """Notice to the people involved about a status change."""
    return (
        f"{STATUS_ICONE[para]} <b>{processo.numero}</b> {escape(shorten(processo.titulo, 60))}\n"
        f"{escape(autor)} mudou o status: {STATUS_NOME[de]} → <b>{STATUS_NOME[para]}</b>"
    )


def aviso_comentario(processo: Processo, autor: str, comentario: str) -> str:
    """Notice about a new comment, with the comment (long ones shortened)."""
    trecho = comentario if len(comentario) <= 1500 else comentario[:1500].rstrip() + "…"
    return (
        f"💬 <b>{processo.numero}</b> {escape(shorten(processo.titulo, 60))}\n"
        f"{escape(autor)} comentou:\n<blockquote>{escape(trecho)}</blockquote>\n"
        f"Veja com /processo {processo.numero}"
    )


def aviso_atribuicao(processo: Processo, autor: str, *, para: Usuario | None = None) -> str:
    """Notice about a new responsável (`para`: who reads it; the new responsável reads "você")."""
    if processo.responsavel and para is not None and para.id == processo.responsavel.id:
        o_que = "atribuiu a <b>você</b>"
    elif processo.responsavel:
        o_que = f"atribuiu a <b>{escape(processo.responsavel.nome)}</b>"
    else:
        o_que = "deixou sem responsável"
    return (
        f"👤 <b>{processo.numero}</b> {escape(shorten(processo.titulo, 60))}\n"
        f"{escape(autor)} {o_que}. Veja com /processo {processo.numero}"
    )


def oferecer_assumir(estado: str) -> str:
    """The toast after "Iniciar" on a processo nobody owns."""
    return f"{estado}. Está sem responsável: toque em {BOTAO_ASSUMIR} para ficar com ele."


def link_do_processo(numero: str, bot: str) -> str:
    """The card's 🔗: a link that opens the processo for whoever may see it."""
    link = f"https://t.me/{bot}?start={PREFIXO_LINK}{numero}"
    return (
        f"🔗 Link do processo <b>{numero}</b>:\n{link}\n\n"
        "Quem pode ver o processo o abre por aqui; para os outros, ele não existe."
    )
