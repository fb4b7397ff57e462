"""What the mentor's side of the chat says (pt-BR).

Names ending in _MD (and functions ending in _md) are Markdown: they become part of a mentor
answer, which is Markdown rendered either by Telegram's rich messages or by `bot.mentor.formato`.
Everything else is Telegram-HTML, like the rest of `bot.texts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.dates import format_when
from bot.render import escape

if TYPE_CHECKING:
    from bot.mentor.contratos import Passagem
    from db.models import Processo, Usuario

__all__ = [
    "AJUDA_MENTOR_VAZIA",
    "BOTAO_NAO_ABRIR",
    "BOTAO_PARAR",
    "BOTAO_PERGUNTAR_PROFESSOR",
    "BOTAO_TENTAR_DE_NOVO",
    "IMAGEM_GRANDE",
    "MENTOR_ACAO_INDISPONIVEL",
    "MENTOR_CONSULTANDO",
    "MENTOR_CORTADA_MD",
    "MENTOR_GRUPO_DESAUTORIZADO",
    "MENTOR_INTERROMPIDA_NO_MARCADOR",
    "MENTOR_JA_RESPONDIDA",
    "MENTOR_NADA_PARA_PARAR",
    "MENTOR_PARADA",
    "MENTOR_PARADO_MD",
    "MENTOR_PARAR_ALHEIO",
    "MENTOR_PENSANDO",
    "MENTOR_PERGUNTA_SUMIU",
    "MENTOR_PROPOSTA_RECUSADA",
    "MENTOR_SEM_IMAGEM_MD",
    "MENTOR_SEM_RESPOSTA_MD",
    "REFERENCIA_PERGUNTA",
    "VOZ_FALHOU",
    "VOZ_GRANDE",
    "VOZ_SEM_MODELO",
    "VOZ_VAZIA",
    "botao_abrir",
    "falha_md",
    "fontes_md",
    "lembrete_do_mentor",
    "mentor_fila_cheia",
    "mentor_interrompida",
    "mentor_limite_diario",
    "mentor_limite_minuto",
    "mentor_na_fila",
    "mentor_offline",
    "nova_conversa",
    "pergunta_com_imagem",
    "pergunte_sobre",
    "persona",
    "uso_da_equipe",
    "uso_pessoal",
    "voz_entendida",
    "voz_longa",
]

AJUDA_MENTOR_VAZIA = "Escreva sua pergunta ao professor junto com a menção, por exemplo: <i>@bot como versiono uma API?</i>"
MENTOR_PENSANDO = "🎓 <i>O professor está pensando…</i>"
MENTOR_CONSULTANDO = "🔎 <i>consultando processos…</i>"
MENTOR_SEM_IMAGEM_MD = (
    "_ℹ️ O modelo configurado não aceita imagens; respondi só pelo texto que veio com ela._"
)
IMAGEM_GRANDE = "🖼 Essa imagem é grande demais para eu analisar. Envie uma captura menor."


def pergunta_com_imagem(legenda: str) -> str:
    """How a photo's question is kept in the memory: a marker and the caption, no bytes."""
    return f"[imagem] {legenda}".strip()


VOZ_SEM_MODELO = (
    "🎙 Não consigo ouvir áudios: nenhum modelo de transcrição está configurado. "
    "Escreva sua mensagem, por favor."
)
VOZ_FALHOU = (
    "🎙 Não consegui transcrever o seu áudio agora. Nada foi enviado ao professor; "
    "tente de novo em instantes ou escreva a mensagem."
)
VOZ_VAZIA = "🎙 Não entendi nada nesse áudio. Tente gravar de novo, mais perto do microfone."
VOZ_GRANDE = "🎙 Esse áudio passa de 20 MB, o máximo que consigo baixar. Envie um trecho menor."


def voz_longa(segundos: int, maximo: int) -> str:
    """A voice note over COGEP_VOZ_MAX_SEGUNDOS."""
    return (
        f"🎙 Esse áudio tem {segundos} s; o máximo é {maximo} s. "
        "Grave um trecho mais curto ou escreva a mensagem."
    )


def voz_entendida(texto: str) -> str:
    """What was heard, shown before it is handled."""
    return f"🎙 <i>{escape(texto)}</i>"


BOTAO_PARAR = "⏹ Parar"
BOTAO_TENTAR_DE_NOVO = "🔁 Tentar de novo"
BOTAO_PERGUNTAR_PROFESSOR = "🎓 Perguntar ao professor"
BOTAO_NAO_ABRIR = "✖️ Não abrir"
MENTOR_PARADO_MD = "\n\n_⏹ Resposta interrompida. O que já foi dito ficou guardado._"
MENTOR_CORTADA_MD = "\n\n_✂️ A resposta chegou ao limite de tamanho. Peça “continue” para o resto._"
MENTOR_SEM_RESPOSTA_MD = "_(sem resposta)_"
MENTOR_PARADA = "⏹ Parei a resposta do professor."
MENTOR_NADA_PARA_PARAR = "Essa resposta já terminou."
MENTOR_PARAR_ALHEIO = "Só quem perguntou pode parar esta resposta."
MENTOR_PERGUNTA_SUMIU = "Essa pergunta não está mais guardada (talvez a conversa tenha sido reiniciada com /nova_conversa)."
MENTOR_GRUPO_DESAUTORIZADO = (
    "Esse grupo não está mais autorizado a usar o Cogep, então a pergunta não será respondida lá."
)
MENTOR_JA_RESPONDIDA = "Essa pergunta já foi respondida (ou está sendo respondida agora)."
MENTOR_ACAO_INDISPONIVEL = (
    "Essa proposta não vale mais: já foi decidida, ou não foi feita para você."
)
MENTOR_PROPOSTA_RECUSADA = "Tudo bem, não abri nada."

_FALHAS = {
    "timeout": "o modelo demorou demais para responder",
    "limite": "o serviço do modelo está sobrecarregado (limite de requisições)",
    "servidor": "o serviço do modelo está com problemas no momento",
    "recusado": "não consegui me conectar ao serviço do modelo",
    "cortado": "a resposta do modelo chegou cortada",
    "contexto": "a conversa ficou longa demais para o modelo",
    "invalido": "o serviço do modelo recusou o pedido",
    "ferramentas": "o modelo se enrolou consultando os dados",
}


def falha_md(tipo: str, *, espera: float | None = None) -> str:
    """Why the answer failed, that the question is kept, and what to do (Markdown)."""
    motivo = _FALHAS.get(tipo, "algo deu errado com o modelo")
    dica = "Toque em 🔁 Tentar de novo"
    if tipo == "limite" and espera:
        dica += f" daqui a uns {max(1, round(espera))} s"
    if tipo == "contexto":
        dica += ", ou use /nova_conversa para recomeçar com a memória limpa"
    return f"⚠️ Não consegui responder: {motivo}. Sua pergunta ficou guardada. {dica}."


def fontes_md(fontes: Sequence[str]) -> str:
    """The sources line under a grounded answer (Markdown)."""
    return "\n\n*Fontes:* " + "; ".join(fontes)


def mentor_offline(passagens: Sequence[Passagem], *, disponivel: bool) -> str:
    """The offline answer: no model, so the best passages of the knowledge base (Markdown)."""
    aviso = (
        "ℹ️ *Nenhum modelo de IA está configurado* (OPENAI_API_KEY), então o professor não "
        "pode conversar agora."
    )
    if not disponivel:
        return aviso + " A base de conhecimento também ainda não está disponível."
    if not passagens:
        return aviso + " Também não encontrei nada na base de conhecimento sobre isso."
    partes = [aviso + " Estes são os trechos mais relevantes da base de conhecimento:"]
    for numero, passagem in enumerate(passagens, start=1):
        trecho = " ".join(passagem.texto.split())
        if len(trecho) > 600:
            trecho = trecho[:600].rsplit(" ", 1)[0] + "…"
        partes.append(f"**{numero}. {passagem.citacao}**\n> {trecho}")
    return "\n\n".join(partes)


def mentor_na_fila(a_frente: int) -> str:
    """A question sent while the previous answer is still running."""
    quantas = "a anterior" if a_frente == 1 else f"as {a_frente} anteriores"
    return f"⏳ Sua pergunta entrou na fila: respondo assim que terminar {quantas}."


def mentor_interrompida(pergunta: str) -> str:
    """A question whose answer a restart cut off (found by the start-up sweep)."""
    resumo = pergunta if len(pergunta) <= 120 else pergunta[:119] + "…"
    return (
        f"⚠️ O professor foi interrompido (o bot reiniciou) antes de responder a: "
        f"<i>{escape(resumo)}</i>\nToque em 🔁 para perguntar de novo."
    )


MENTOR_INTERROMPIDA_NO_MARCADOR = "⚠️ Resposta interrompida: o bot reiniciou."


def mentor_fila_cheia(limite: int) -> str:
    """Too many questions waiting for one person."""
    return (
        f"Já há {limite} perguntas suas esperando o professor. "
        "Espere as respostas antes de mandar outras."
    )


def mentor_limite_minuto(limite: int) -> str:
    """Too many questions in a minute."""
    return (
        f"Calma: são no máximo {limite} perguntas por minuto ao professor. "
        "Espere um pouco e pergunte de novo."
    )


def mentor_limite_diario(limite: int) -> str:
    """The daily token budget is spent."""
    return (
        f"Você já usou hoje os {limite:,} tokens diários do professor.".replace(",", ".")
        + " O limite renova à meia-noite; /uso mostra seu consumo."
    )


def pergunte_sobre(processo: Processo) -> str:
    """After 🎓 on a processo card: the next message is a question about it."""
    return (
        f"🎓 Escreva sua pergunta ao professor sobre o processo <b>{processo.numero}</b> "
        f"({escape(processo.titulo)}). Ele verá os dados e o histórico que você pode ver. "
        "(ou /cancelar)"
    )


def botao_abrir(titulo: str) -> str:
    """The confirmation button of a processo the mentor proposes."""
    curto = titulo if len(titulo) <= 40 else titulo[:39] + "…"
    return f"✅ Abrir: {curto}"


def lembrete_do_mentor(texto: str, quando: datetime, *, zona: str, agora: datetime) -> str:
    """A reminder the mentor proposed, now set."""
    return f"⏰ Lembrete agendado para <b>{format_when(quando, tz=zona, now=agora)}</b>: {escape(texto)}"


def nova_conversa(esquecidas: int) -> str:
    """After /nova_conversa."""
    if not esquecidas:
        return "🧹 Conversa nova: não havia nada na memória do professor."
    return f"🧹 Conversa nova: o professor esqueceu as {esquecidas} mensagens anteriores desta conversa."


def _dinheiro(valor: float) -> str:
    return f"US$ {valor:.4f}".replace(".", ",")


def _tokens(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def uso_pessoal(
    hoje: tuple[int, int], mes: tuple[int, int], *, custo_hoje: float, custo_mes: float,
    limite: int | None, voz: tuple[int, int] = (0, 0), custo_voz: float = 0.0,
    voz_em_tokens: int = 0,
) -> str:  # fmt: skip
    """/uso for one person; `voz`: seconds of audio transcribed today and this month (their
    cost this month), which weigh `voz_em_tokens` in today's budget."""
    linhas = [
        "<b>Seu uso do professor</b>",
        f"Hoje: {_tokens(hoje[0])} tokens de entrada + {_tokens(hoje[1])} de saída · "
        f"≈ {_dinheiro(custo_hoje)}",
        f"Neste mês: {_tokens(mes[0])} + {_tokens(mes[1])} tokens · ≈ {_dinheiro(custo_mes)}",
    ]
    if voz[1]:
        linhas.append(f"🎙 Áudio transcrito: hoje {voz[0]} s · neste mês {voz[1]} s · "
                      f"≈ {_dinheiro(custo_voz)}")  # fmt: skip
    if limite:
        restam = max(0, limite - hoje[0] - hoje[1] - voz_em_tokens)
        linhas.append(f"Limite diário: {_tokens(limite)} tokens (restam {_tokens(restam)}).")
    linhas.append("<i>Custos estimados pelos preços configurados.</i>")
    return "\n".join(linhas)


def uso_da_equipe(linhas: Sequence[tuple[Usuario, int, int, float]]) -> str:
    """/uso for admins: everyone's tokens this month."""
    if not linhas:
        return "<b>Uso da equipe neste mês</b>\nNinguém usou o professor ainda."
    corpo = [
        f"• {escape(u.nome)}: {_tokens(e)} + {_tokens(s)} tokens · ≈ {_dinheiro(c)}"
        for u, e, s, c in linhas
    ]
    total = sum(c for *_, c in linhas)
    return "\n".join(["<b>Uso da equipe neste mês</b>", *corpo, f"Total: ≈ {_dinheiro(total)}"])


def persona(texto: str, *, modelo: str | None) -> str:
    """/persona for admins."""
    qual = f"Modelo: <code>{escape(modelo)}</code>" if modelo else "Sem modelo (modo offline)"
    return f"<b>Persona do professor</b> · {qual}\n\n<pre>{escape(texto)}</pre>"


REFERENCIA_PERGUNTA = "sua pergunta ao professor (a resposta chega aqui, ou um 🔁 para repetir)"
