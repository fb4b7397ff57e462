"""The knowledge base's sentences: ingestion replies and notices, /documentos, /conhecimento.

Failure reasons are plain sentences (no HTML): they are stored in `documentos.erro` as the
sender read them, and shown again, escaped, in /documentos.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.render import escape, shorten
from bot.texts.comum import contagem

if TYPE_CHECKING:
    from bot.conhecimento.busca import Passagem
    from db.models import Documento

__all__ = [
    "CONHECIMENTO_USO",
    "DOCUMENTO_NAO_ENCONTRADO",
    "FALHA_ARQUIVO_SUMIU",
    "FALHA_BINARIO",
    "FALHA_BOMBA",
    "FALHA_CARACTERES",
    "FALHA_CODIFICACAO",
    "FALHA_CORROMPIDO",
    "FALHA_CRIPTOGRAFADO",
    "FALHA_DESCOMPACTADO",
    "FALHA_INTERNA",
    "FALHA_LEITOR_CAIU",
    "FALHA_MEMORIA",
    "FALHA_PAGINAS",
    "FALHA_REDE_LOCAL",
    "FALHA_SEM_TEXTO",
    "FALHA_TEMPO",
    "FALHA_VAZIO",
    "FALHA_ZIP_DESCONHECIDO",
    "INGERIR_USO",
    "JA_EXISTE_NO_OUTRO_ESCOPO",
    "NENHUM_DOCUMENTO",
    "REMOCAO_CANCELADA",
    "SO_QUEM_ENVIOU",
    "SO_QUEM_ENVIOU_OU_ADMIN",
    "TRECHO_NAO_ENCONTRADO",
    "URL_INVALIDA",
    "cartao_documento",
    "confirmar_remocao",
    "destacar",
    "documento_removido",
    "duplicado",
    "falha_caracteres",
    "falha_corrompido",
    "falha_criptografado",
    "falha_download",
    "falha_grande",
    "falha_paginas",
    "falha_sem_texto",
    "falha_tempo",
    "falha_tipo",
    "falha_vazio",
    "ingestao_concluida",
    "ingestao_falhou",
    "lista_documentos",
    "muitos_em_andamento",
    "privacidade_mudou",
    "processando",
    "recorte",
    "resultado_conhecimento",
    "trecho_completo",
]

STATUS_ROTULO = {
    "pendente": "⏳ pendente",
    "processando": "⚙️ processando",
    "pronto": "✅ pronto",
    "falhou": "❌ falhou",
}
INGERIR_USO = (
    "Para adicionar um documento à base de conhecimento, envie o arquivo aqui "
    "(txt, md, pdf, docx, html, csv ou json) ou use <code>/ingerir https://…</code>.\n"
    "Escreva <code>#privado</code> na legenda para que só você o veja."
)
URL_INVALIDA = (
    "Endereço inválido: use um link <code>http://</code> ou <code>https://</code> completo."
)
CONHECIMENTO_USO = (
    "Diga o que procurar: <code>/conhecimento rollback do deploy</code>\n"
    'Dicas: <code>"frase exata"</code> entre aspas, <code>avalia*</code> para começos de palavra.'
)
NENHUM_DOCUMENTO = "Nenhum documento na base ainda. Envie um arquivo ou use /ingerir para começar."
DOCUMENTO_NAO_ENCONTRADO = "Documento não encontrado (ou você não tem acesso a ele)."
TRECHO_NAO_ENCONTRADO = "Esse trecho não existe mais: o documento pode ter sido removido."
SO_QUEM_ENVIOU = "Só quem enviou o documento pode mudar quem o vê."
SO_QUEM_ENVIOU_OU_ADMIN = "Só quem enviou o documento ou um administrador pode removê-lo."
JA_EXISTE_NO_OUTRO_ESCOPO = (
    "Não mudei: o mesmo conteúdo já existe na base com a outra visibilidade."
)
REMOCAO_CANCELADA = "Remoção cancelada; o documento continua na base."

# -- failure reasons (plain text) ------------------------------------------------------------
FALHA_BINARIO = "o arquivo não parece ser texto (conteúdo binário)."
FALHA_CODIFICACAO = "não consegui ler o texto: a codificação do arquivo está corrompida."
FALHA_BOMBA = "o arquivo compactado se expandiria demais (parece uma bomba de compressão)."
FALHA_TEMPO = "a leitura do arquivo passou do tempo limite."
FALHA_CARACTERES = "o documento tem texto demais para a base."
FALHA_PAGINAS = "o documento tem páginas demais."
FALHA_REDE_LOCAL = "o endereço aponta para a rede interna, que o bot não acessa."
FALHA_ARQUIVO_SUMIU = "o arquivo não está mais no caminho de onde foi enviado."
FALHA_INTERNA = "um erro inesperado na leitura; a equipe técnica foi avisada pelos logs."
FALHA_MEMORIA = "a leitura do arquivo precisaria de memória demais; divida-o em partes menores."
FALHA_LEITOR_CAIU = (
    "a leitura do arquivo foi interrompida (memória demais ou arquivo malformado); "
    "divida-o em partes menores ou envie outro formato."
)
FALHA_ZIP_DESCONHECIDO = (
    "o arquivo é um pacote compactado (zip) que não é um documento Word (.docx), e esse tipo "
    "não é suportado (aceito: txt, md, pdf, docx, html, csv e json)."
)
# A zip container that inflates past the budget, whatever its headers declare.
FALHA_DESCOMPACTADO = (
    "o arquivo descompactado é grande demais para ler (parece uma bomba de compressão)."
)


def falha_tipo(nome: str) -> str:
    """An unsupported file type."""
    return f"o tipo de {nome} não é suportado (aceito: txt, md, pdf, docx, html, csv e json)."


def falha_grande(tamanho: int, limite: int) -> str:
    """A file over the size limit (Telegram lets bots download up to 20 MB)."""
    casas = 1  # as many decimals as it takes for the size to read bigger than the limit
    while casas < 3 and _mb(tamanho, casas=casas) == _mb(limite, casas=casas):
        casas += 1
    return (
        f"o arquivo tem {_mb(tamanho, casas=casas)}, acima do limite de {_mb(limite, casas=casas)} "
        "(o Telegram deixa bots baixarem arquivos de até 20 MB)."
    )


def falha_paginas(paginas: int, limite: int) -> str:
    """Too many pages."""
    return f"o documento tem {paginas} páginas; o limite é {limite}."


def falha_caracteres(limite: int) -> str:
    """Too much text."""
    milhares = f"{limite:,}".replace(",", ".")
    return f"o documento tem mais de {milhares} caracteres de texto, o limite da base."


def falha_tempo(segundos: float) -> str:
    """Extraction took longer than allowed."""
    return f"a leitura passou do tempo limite de {segundos:.0f} s."


FALHA_CRIPTOGRAFADO = "o PDF está protegido por senha; envie uma cópia sem senha."
FALHA_CORROMPIDO = "o arquivo está corrompido ou não é um {tipo} válido."
FALHA_SEM_TEXTO = (
    "não encontrei texto no documento (um PDF escaneado, só com imagens?). "
    "Envie uma versão com texto selecionável."
)
FALHA_VAZIO = "o arquivo está vazio."


def falha_criptografado() -> str:
    """An encrypted PDF we cannot open."""
    return FALHA_CRIPTOGRAFADO


def falha_corrompido(tipo: str) -> str:
    """A corrupt file of a known type."""
    return FALHA_CORROMPIDO.format(tipo=tipo)


def falha_sem_texto() -> str:
    """No text layer."""
    return FALHA_SEM_TEXTO


def falha_vazio() -> str:
    """An empty file."""
    return FALHA_VAZIO


def falha_download(detalhe: str) -> str:
    """The bytes could not be fetched."""
    return f"não consegui baixar o arquivo ({detalhe})."


def _mb(tamanho: int, *, casas: int = 1) -> str:
    # Binary units: the limits are set in them (20 MB = 20 * 1024 * 1024, Telegram's own).
    if tamanho < 1024 * 1024:
        return f"{tamanho / 1024:.{casas}f} KB".replace(".", ",")
    return f"{tamanho / (1024 * 1024):.{casas}f} MB".replace(".", ",")


# -- chat replies and notices ----------------------------------------------------------------
def processando(nome: str) -> str:
    """The immediate answer to an upload or /ingerir."""
    return (
        f"📥 Recebi <b>{escape(nome)}</b>. Estou processando em segundo plano; "
        "aviso aqui quando terminar. Enquanto isso, pode continuar usando o bot."
    )


def muitos_em_andamento(limite: int) -> str:
    """Too many documents in flight for one sender."""
    return (
        f"Você já tem {limite} documentos sendo processados. Espere algum terminar e envie de novo."
    )


def duplicado(existente: Documento) -> str:
    """The same content is already in the base."""
    return f"esse conteúdo já está na base, como “{existente.titulo}”."


def ingestao_concluida(documento: Documento) -> str:
    """Notice: the document is searchable now."""
    medida = (
        contagem(documento.paginas, "página", "páginas")
        if documento.paginas
        else f"{documento.caracteres or 0:,} caracteres".replace(",", ".")
    )
    privado = " 🔒 Só você o vê." if documento.privado else ""
    return (
        f"✅ <b>{escape(documento.titulo)}</b> está na base de conhecimento: {medida}, "
        f"{contagem(documento.total_trechos or 0, 'trecho', 'trechos')}.{privado}\n"
        "Procure com <code>/conhecimento …</code> ou veja em /documentos."
    )


def ingestao_falhou(titulo: str, motivo: str) -> str:
    """Notice: the document could not be ingested, and why."""
    return f"❌ Não consegui adicionar <b>{escape(titulo)}</b> à base: {escape(motivo)}"


def lista_documentos(documentos: Sequence[Documento], *, pagina: int, total: int, zona: str) -> str:
    """A page of /documentos."""
    if not documentos:
        return NENHUM_DOCUMENTO
    linhas = [f"<b>Documentos</b> ({total}) — página {pagina + 1}"]
    for doc in documentos:
        linhas.append(_linha_documento(doc, zona=zona))
    return "\n\n".join(linhas)


def _linha_documento(doc: Documento, *, zona: str) -> str:
    cadeado = "🔒 " if doc.privado else ""
    partes = [STATUS_ROTULO.get(doc.status, doc.status), _tamanho(doc.tamanho)]
    partes.append(_quem(doc))
    partes.append(_quando(doc.criado_em, zona))
    linha = f"{cadeado}<b>{escape(doc.titulo)}</b>\n" + " · ".join(p for p in partes if p)
    if doc.status == "falhou" and doc.erro:
        linha += f"\n<i>{escape(doc.erro)}</i>"
    return linha


def _tamanho(tamanho: int | None) -> str:
    if tamanho is None:
        return ""
    if tamanho < 1000:
        return f"{tamanho} B"
    if tamanho < 1_000_000:
        return f"{tamanho / 1000:.0f} kB"
    return _mb(tamanho)


def _quem(doc: Documento) -> str:
    enviado_por = doc.enviado_por
    return f"por {escape(enviado_por.nome)}" if enviado_por else "pela linha de comando"


def cartao_documento(doc: Documento, *, zona: str) -> str:
    """A document's card."""
    linhas = [f"📄 <b>{escape(doc.titulo)}</b>", f"Situação: {STATUS_ROTULO[doc.status]}"]
    if doc.status == "falhou" and doc.erro:
        linhas.append(f"Motivo: {escape(doc.erro)}")
    origem = {
        "telegram": "arquivo enviado no chat",
        "url": "endereço",
        "arquivo": "linha de comando",
    }
    linhas.append(f"Origem: {origem.get(doc.origem, doc.origem)}")
    if doc.origem == "url":
        linhas.append(f"Endereço: {escape(doc.referencia)}")
    elif doc.nome_arquivo:
        linhas.append(f"Arquivo: {escape(doc.nome_arquivo)}")
    if doc.tamanho is not None:
        linhas.append(f"Tamanho: {_tamanho(doc.tamanho)}")
    if doc.paginas:
        linhas.append(f"Páginas: {doc.paginas}")
    if doc.total_trechos is not None:
        linhas.append(f"Trechos: {doc.total_trechos}")
    linhas.append(f"Enviado {_quem(doc)} em {_quando(doc.criado_em, zona)}")
    linhas.append("Visível para: " + ("só quem enviou 🔒" if doc.privado else "toda a equipe"))
    return "\n".join(linhas)


def documento_removido(titulo: str) -> str:
    """After a removal."""
    return f"🗑 <b>{escape(titulo)}</b> foi removido da base: não aparece mais em nenhuma busca."


def confirmar_remocao(doc: Documento) -> str:
    """Ask before removing."""
    return (
        f"Remover <b>{escape(doc.titulo)}</b> da base? Todos os trechos dele deixam de "
        "aparecer nas buscas e nas respostas do mentor."
    )


def privacidade_mudou(doc: Documento) -> str:
    """After the private toggle."""
    return (
        "🔒 Agora só você vê este documento."
        if doc.privado
        else "👥 Agora toda a equipe vê este documento."
    )


CONSULTA_ECO = 80  # a query is echoed this long at most: a pasted page is not read back whole


def resultado_conhecimento(
    consulta: str, passagens: Sequence[Passagem], *, largura: int = 320
) -> str:
    """/conhecimento results: title and citation, an excerpt with the matched words in bold."""
    if not passagens:
        return (
            f"Nada encontrado na base para <b>{escape(shorten(consulta, CONSULTA_ECO))}</b>. "
            "Tente outras palavras ou um começo de palavra com <code>*</code>."
        )
    blocos = [f"📚 <b>{escape(shorten(consulta, CONSULTA_ECO))}</b>"]
    for i, p in enumerate(passagens, 1):
        trecho = destacar(recorte(p.texto, p.destaques, largura), p.destaques)
        blocos.append(f"{i}. <b>{escape(p.citacao)}</b>\n{trecho}")
    return "\n\n".join(blocos)


def trecho_completo(passagem: Passagem) -> str:
    """The whole passage behind 'ver mais'."""
    return (
        f"📄 <b>{escape(passagem.citacao)}</b>\n\n"
        f"{destacar(passagem.texto[:3500], passagem.destaques)}"
    )


def recorte(texto: str, destaques: Sequence[str], largura: int) -> str:
    """About `largura` characters of `texto` around its first highlighted word."""
    if len(texto) <= largura:
        return texto
    inicio = 0
    for palavra in destaques:
        achado = re.search(rf"(?<!\w){re.escape(palavra)}(?!\w)", texto)
        if achado:
            inicio = max(0, achado.start() - largura // 3)
            break
    corte = texto[inicio : inicio + largura]
    if inicio > 0:
        corte = "…" + corte[corte.find(" ") + 1 :] if " " in corte else "…" + corte
    if inicio + largura < len(texto):
        corte = corte[: corte.rfind(" ")] + " …" if " " in corte else corte + "…"
    return corte


def destacar(texto: str, destaques: Sequence[str]) -> str:
    """Escape `texto` and put the highlighted words in bold."""
    if not destaques:
        return escape(texto)
    padrao = re.compile(
        r"(?<!\w)("
        + "|".join(re.escape(p) for p in sorted(destaques, key=len, reverse=True))
        + r")(?!\w)"
    )
    partes: list[str] = []
    fim = 0
    for achado in padrao.finditer(texto):
        partes.append(escape(texto[fim : achado.start()]))
        partes.append(f"<b>{escape(achado.group(0))}</b>")
        fim = achado.end()
    partes.append(escape(texto[fim:]))
    return "".join(partes)


def _quando(momento: datetime, zona: str) -> str:
    return momento.astimezone(ZoneInfo(zona)).strftime("%d/%m/%Y %H:%M")
