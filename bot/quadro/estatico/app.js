/* Cogep's board (Telegram Mini App). Plain JS, no build step.
   Every call carries Telegram's signed initData (Authorization: tma ...); the server checks it
   and applies the same rules as the chat. Texts are pt-BR and live in TEXTOS. */
"use strict";

const TEXTOS = {
  foraDoTelegram: "Abra este quadro pelo botão “Quadro” do Cogep no Telegram.",
  carregando: "Carregando…",
  vazio: "Nada aqui.",
  semResponsavel: "sem responsável",
  semPrazo: "sem prazo",
  mais: (n) => `+ ${n} não mostrados`,
  confirmarCancelamento: "Cancelar é definitivo: um processo cancelado não volta. Cancelar?",
  comentar: "Comentar",
  comentarioVazio: "Escreva o comentário primeiro.",
  movido: (numero, nome) => `${numero} agora está em “${nome}”.`,
  proibido: (de, para) => `Não dá para passar de “${de}” para “${para}”.`,
  erroRede: "Sem conexão com o Cogep. Tente de novo.",
  status: "Status", prioridade: "Prioridade", responsavel: "Responsável", prazo: "Prazo",
  solicitante: "Solicitante", contato: "Contato", descricao: "Descrição",
  mudarStatus: "Mudar status", atribuir: "Atribuir", ninguem: "Ninguém",
  mudarPrazo: "Prazo", prazoDica: "sexta 18h, 30/11 14:00 ou sem prazo", salvar: "Salvar",
  comentarios: "Comentários", historico: "Histórico", semComentarios: "Nenhum comentário.",
  semLembretes: "Nenhum lembrete ativo. Crie um acima ou com /lembrar.",
  cancelar: "Cancelar", semPassagens: "Nada encontrado nos documentos.",
};

const tg = window.Telegram && window.Telegram.WebApp;
const $ = (sel) => document.querySelector(sel);
const estado = { eu: null, quadro: null, aba: "quadro", detalhe: null };

/* -- Telegram: theme, back button, main button -------------------------------------------- */
function aplicarTema() {
  const tema = (tg && tg.themeParams) || {};
  for (const [chave, valor] of Object.entries(tema)) {
    document.documentElement.style.setProperty("--tg-" + chave.replace(/_/g, "-"), valor);
  }
}

function botaoPrincipal(texto, acao) {
  if (!tg || !tg.MainButton) return;
  if (estado.acaoPrincipal) tg.MainButton.offClick(estado.acaoPrincipal);
  estado.acaoPrincipal = acao;
  if (!texto) { tg.MainButton.hide(); return; }
  tg.MainButton.setText(texto);
  tg.MainButton.onClick(acao);
  tg.MainButton.show();
}

function confirmar(texto) {
  return new Promise((resolve) => {
    if (tg && tg.showConfirm) tg.showConfirm(texto, (ok) => resolve(Boolean(ok)));
    else resolve(window.confirm(texto));
  });
}

function mostrar(texto) {
  const caixa = $("#mensagem");
  caixa.textContent = texto;
  caixa.hidden = false;
  clearTimeout(estado.tempoMensagem);
  estado.tempoMensagem = setTimeout(() => { caixa.hidden = true; }, 4000);
}

/* -- the API ------------------------------------------------------------------------------- */
async function chamar(metodo, caminho, corpo) {
  let resposta;
  try {
    resposta = await fetch("api/" + caminho, {
      method: metodo,
      headers: { "Authorization": "tma " + tg.initData, "Content-Type": "application/json" },
      body: corpo === undefined ? undefined : JSON.stringify(corpo),
    });
  } catch (erro) {
    throw new Error(TEXTOS.erroRede);
  }
  const dados = await resposta.json().catch(() => ({}));
  if (!resposta.ok) throw new Error(dados.erro || TEXTOS.erroRede);
  return dados;
}

/* -- small DOM helpers --------------------------------------------------------------------- */
function el(tag, props, ...filhos) {
  const no = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "dataset") Object.assign(no.dataset, v);
    else if (k.startsWith("on")) no.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) no[k] = v;
  }
  for (const f of filhos.flat()) if (f !== null && f !== undefined) no.append(f);
  return no;
}

/* -- tabs and screens ---------------------------------------------------------------------- */
function tela(nome) {
  document.querySelectorAll(".tela").forEach((t) => t.classList.toggle("ativa", t.id === nome));
  const noDetalhe = nome === "detalhe";
  if (tg && tg.BackButton) (noDetalhe ? tg.BackButton.show() : tg.BackButton.hide());
  if (!noDetalhe) botaoPrincipal(null);
}

function aba(nome) {
  estado.aba = nome;
  document.querySelectorAll(".aba").forEach((b) => b.classList.toggle("ativa", b.dataset.aba === nome));
  tela(nome);
  if (nome === "quadro") carregarQuadro();
  if (nome === "lembretes") carregarLembretes();
}

/* -- the board ----------------------------------------------------------------------------- */
function filtros() {
  const p = new URLSearchParams();
  if ($("#meus").checked) p.set("meus", "1");
  if ($("#atrasados").checked) p.set("atrasados", "1");
  if ($("#responsavel").value !== "") p.set("responsavel", $("#responsavel").value);
  const busca = $("#busca").value.trim();
  if (busca) p.set("q", busca);
  return p.toString();
}

async function carregarQuadro() {
  const aviso = $("#aviso");
  try {
    estado.quadro = await chamar("GET", "processos?" + filtros());
    aviso.hidden = true;
    desenharQuadro();
  } catch (erro) {
    aviso.textContent = erro.message;
    aviso.hidden = false;
  }
}

function cartao(p) {
  const prazo = p.prazo_texto
    ? el("span", { className: p.atrasado ? "atrasado" : "", textContent: (p.atrasado ? "⚠️ " : "⏰ ") + p.prazo_texto })
    : el("span", { textContent: TEXTOS.semPrazo });
  const no = el("li", { className: "cartao", dataset: { id: p.id, status: p.status } },
    el("div", { className: "numero", textContent: `${p.prioridade_icone} ${p.numero}` }),
    el("div", { className: "titulo", textContent: p.titulo }),
    el("div", { className: "meta" },
      el("span", { textContent: "👤 " + (p.responsavel || TEXTOS.semResponsavel) }), prazo));
  arrastavel(no, p);
  return no;
}

function desenharQuadro() {
  const colunas = $("#colunas");
  colunas.replaceChildren(...estado.quadro.colunas.map((c) => {
    const total = c.total === null ? "" : String(c.total) + (c.total_mais ? "+" : "");
    const lista = el("ul", { className: "cartoes" }, c.processos.map(cartao));
    if (!c.processos.length) lista.append(el("li", { className: "vazio", textContent: TEXTOS.vazio }));
    const escondidos = c.total !== null && !c.total_mais ? c.total - c.processos.length : 0;
    return el("section", { className: "coluna", dataset: { status: c.status } },
      el("h2", {}, el("span", { textContent: `${c.icone} ${c.nome}` }),
        el("span", { className: "total", textContent: total })),
      lista,
      escondidos > 0 ? el("p", { className: "mais", textContent: TEXTOS.mais(escondidos) }) : null);
  }));
}

/* Drag a card to another column: pointer events, so a mouse and a finger both work (a finger
   holds the card for a moment first, so a swipe still scrolls the board). A tap opens it. */
function arrastavel(no, p) {
  no.addEventListener("pointerdown", (inicio) => {
    if (inicio.button !== 0) return;
    const toque = inicio.pointerType === "touch";
    let fantasma = null;
    let pronto = !toque;
    const segurar = toque ? setTimeout(() => { pronto = true; }, 250) : null;
    const mover = (ev) => {
      const longe = Math.hypot(ev.clientX - inicio.clientX, ev.clientY - inicio.clientY) > 6;
      if (!fantasma && longe && !pronto) { limpar(); return; }  // a swipe: let it scroll
      if (!fantasma && longe && pronto) {
        fantasma = no.cloneNode(true);
        fantasma.classList.add("fantasma");
        document.body.append(fantasma);
        no.classList.add("arrastando");
        marcarColunas(p.status);
      }
      if (fantasma) {
        ev.preventDefault();
        fantasma.style.left = ev.clientX - 20 + "px";
        fantasma.style.top = ev.clientY - 20 + "px";
        destacar(colunaEm(ev.clientX, ev.clientY));
      }
    };
    const soltar = (ev) => {
      const arrastou = Boolean(fantasma);
      limpar();
      if (!arrastou) { abrir(p.id); return; }
      const destino = colunaEm(ev.clientX, ev.clientY);
      if (destino && destino.dataset.status !== p.status) moverPara(p, destino.dataset.status);
    };
    const limpar = () => {
      clearTimeout(segurar);
      document.removeEventListener("pointermove", mover);
      document.removeEventListener("pointerup", soltar);
      document.removeEventListener("pointercancel", limpar);
      if (fantasma) fantasma.remove();
      no.classList.remove("arrastando");
      document.querySelectorAll(".coluna").forEach((c) => c.classList.remove("alvo", "proibido"));
    };
    document.addEventListener("pointermove", mover, { passive: false });
    document.addEventListener("pointerup", soltar);
    document.addEventListener("pointercancel", limpar);
  });
}

function colunaEm(x, y) {
  const alvo = document.elementFromPoint(x, y);
  return alvo ? alvo.closest(".coluna") : null;
}

function marcarColunas(de) {
  const legais = estado.quadro.transicoes[de] || [];
  document.querySelectorAll(".coluna").forEach((c) => {
    c.classList.toggle("proibido", c.dataset.status !== de && !legais.includes(c.dataset.status));
  });
}

function destacar(coluna) {
  document.querySelectorAll(".coluna").forEach((c) => c.classList.toggle("alvo", c === coluna));
}

function nomeDoStatus(status) {
  const coluna = estado.quadro.colunas.find((c) => c.status === status);
  return coluna ? coluna.nome : status;
}

async function moverPara(p, para) {
  const legais = estado.quadro.transicoes[p.status] || [];
  if (!legais.includes(para)) {
    mostrar(TEXTOS.proibido(nomeDoStatus(p.status), nomeDoStatus(para)));
    return;
  }
  const corpo = { para };
  if (para === "cancelado") {
    if (!(await confirmar(TEXTOS.confirmarCancelamento))) return;
    corpo.confirmado = true;
  }
  try {
    await chamar("POST", `processos/${p.id}/status`, corpo);
    mostrar(TEXTOS.movido(p.numero, nomeDoStatus(para)));
    if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred("success");
  } catch (erro) {
    mostrar(erro.message);
  }
  await carregarQuadro();
}

/* -- one processo -------------------------------------------------------------------------- */
async function abrir(id) {
  try {
    estado.detalhe = await chamar("GET", `processos/${id}`);
  } catch (erro) {
    mostrar(erro.message);
    return;
  }
  desenharDetalhe();
  tela("detalhe");
  window.scrollTo(0, 0);
}

async function agir(promessa) {
  try {
    estado.detalhe = await promessa;
    desenharDetalhe();
  } catch (erro) {
    mostrar(erro.message);
  }
}

function desenharDetalhe() {
  const d = estado.detalhe;
  const campo = (rotulo, valor) => [el("dt", { textContent: rotulo }), el("dd", {}, valor)];
  const contato = d.contato
    ? [d.contato.nome, d.contato.empresa, d.contato.email, d.contato.telefone].filter(Boolean).join(" · ")
    : "—";
  const prazo = el("span", { className: d.atrasado ? "atrasado" : "", textContent: d.prazo_texto || TEXTOS.semPrazo });
  const status = estado.quadro ? nomeDoStatus(d.status) : d.status;

  const acoes = el("div", { className: "acoes" }, d.transicoes.map((t) => el("button", {
    type: "button", className: t.para === "cancelado" ? "perigo" : "",
    textContent: `${t.icone} ${t.nome}`,
    onclick: async () => {
      const corpo = { para: t.para, versao: d.versao };
      if (t.para === "cancelado") {
        if (!(await confirmar(TEXTOS.confirmarCancelamento))) return;
        corpo.confirmado = true;
      }
      await agir(chamar("POST", `processos/${d.id}/status`, corpo));
    },
  })));

  const comentario = el("textarea", { id: "comentario", maxLength: 4000, placeholder: TEXTOS.comentar + "…" });
  const enviarComentario = async () => {
    const texto = comentario.value.trim();
    if (!texto) { mostrar(TEXTOS.comentarioVazio); return; }
    await agir(chamar("POST", `processos/${d.id}/comentarios`, { texto }));
  };

  const prazoNovo = el("input", { id: "prazo-novo", placeholder: TEXTOS.prazoDica });
  const blocoPrazo = el("form", { className: "linha", onsubmit: async (ev) => {
    ev.preventDefault();
    await agir(chamar("POST", `processos/${d.id}/prazo`, { prazo: prazoNovo.value }));
  } }, prazoNovo, el("button", { type: "submit", textContent: TEXTOS.salvar }));

  let blocoAtribuir = null;
  if (d.pode_atribuir) {
    const escolha = el("select", { id: "atribuir" }, el("option", { value: "", textContent: TEXTOS.ninguem }));
    chamar("GET", "responsaveis").then((pessoas) => {
      for (const p of pessoas) escolha.append(el("option", { value: String(p.id), textContent: p.nome, selected: p.nome === d.responsavel }));
    }).catch((erro) => mostrar(erro.message));
    blocoAtribuir = el("div", { className: "bloco" }, el("h3", { textContent: TEXTOS.atribuir }),
      el("form", { className: "linha", onsubmit: async (ev) => {
        ev.preventDefault();
        const id = escolha.value === "" ? null : Number(escolha.value);
        await agir(chamar("POST", `processos/${d.id}/responsavel`, { responsavel_id: id }));
      } }, escolha, el("button", { type: "submit", textContent: TEXTOS.salvar })));
  }

  $("#ficha").replaceChildren(
    el("div", { className: "numero", textContent: `${d.prioridade_icone} ${d.numero}` }),
    el("h1", { textContent: d.titulo }),
    el("dl", { className: "campos" },
      campo(TEXTOS.status, status), campo(TEXTOS.responsavel, d.responsavel || TEXTOS.semResponsavel),
      campo(TEXTOS.prazo, prazo), campo(TEXTOS.prioridade, d.prioridade),
      campo(TEXTOS.solicitante, d.solicitante), campo(TEXTOS.contato, contato)),
    d.descricao ? el("div", { className: "bloco" }, el("h3", { textContent: TEXTOS.descricao }),
      el("div", { className: "descricao", textContent: d.descricao })) : null,
    d.transicoes.length ? el("div", { className: "bloco" }, el("h3", { textContent: TEXTOS.mudarStatus }), acoes) : null,
    blocoAtribuir,
    el("div", { className: "bloco" }, el("h3", { textContent: TEXTOS.mudarPrazo }), blocoPrazo),
    el("div", { className: "bloco" }, el("h3", { textContent: TEXTOS.comentarios }),
      d.comentarios.length
        ? el("ul", { className: "lista" }, d.comentarios.map((c) => el("li", {},
            el("div", { className: "quando", textContent: `${c.autor} · ${c.em_texto}` }),
            el("div", { className: "descricao", textContent: c.texto }))))
        : el("p", { className: "vazio", textContent: TEXTOS.semComentarios }),
      comentario),
    el("div", { className: "bloco" }, el("h3", { textContent: TEXTOS.historico }),
      el("ul", { className: "lista historico" }, d.historico.map((h) => el("li", { textContent: h.texto })))));
  botaoPrincipal(TEXTOS.comentar, enviarComentario);
}

/* -- reminders and documents --------------------------------------------------------------- */
function desenharLembretes(itens) {
  const lista = $("#lista-lembretes");
  if (!itens.length) { lista.replaceChildren(el("li", { className: "vazio", textContent: TEXTOS.semLembretes })); return; }
  lista.replaceChildren(...itens.map((l) => el("li", {},
    el("button", { type: "button", textContent: TEXTOS.cancelar, onclick: async () => {
      try { desenharLembretes(await chamar("DELETE", `lembretes/${l.id}`)); } catch (e) { mostrar(e.message); }
    } }),
    el("div", { className: "quando", textContent: "⏰ " + l.quando_texto + (l.regra ? " · 🔁" : "") + (l.numero ? " · " + l.numero : "") }),
    el("div", { textContent: l.texto }))));
}

async function carregarLembretes() {
  try { desenharLembretes(await chamar("GET", "lembretes")); } catch (e) { mostrar(e.message); }
}

async function buscarDocumentos(ev) {
  ev.preventDefault();
  const consulta = $("#consulta").value.trim();
  try {
    const passagens = await chamar("GET", "conhecimento?q=" + encodeURIComponent(consulta));
    $("#passagens").replaceChildren(...(passagens.length ? passagens.map((p) => el("li", {},
      el("div", { className: "citacao", textContent: "📄 " + p.citacao }),
      el("div", { className: "descricao", textContent: p.texto }))) : [el("li", { className: "vazio", textContent: TEXTOS.semPassagens })]));
  } catch (e) { mostrar(e.message); }
}

/* -- start --------------------------------------------------------------------------------- */
async function iniciar() {
  if (!tg || !tg.initData) {
    $("#aviso").textContent = TEXTOS.foraDoTelegram;
    $("#aviso").hidden = false;
    return;
  }
  tg.ready();
  tg.expand();
  aplicarTema();
  tg.onEvent("themeChanged", aplicarTema);
  tg.BackButton.onClick(() => aba(estado.aba));
  document.querySelectorAll(".aba").forEach((b) => b.addEventListener("click", () => aba(b.dataset.aba)));
  $("#filtros").addEventListener("submit", (ev) => { ev.preventDefault(); carregarQuadro(); });
  for (const id of ["#meus", "#atrasados", "#responsavel"]) $(id).addEventListener("change", carregarQuadro);
  let espera = null;
  $("#busca").addEventListener("input", () => { clearTimeout(espera); espera = setTimeout(carregarQuadro, 400); });
  $("#novo-lembrete").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      desenharLembretes(await chamar("POST", "lembretes", { texto: $("#texto-lembrete").value }));
      $("#texto-lembrete").value = "";
    } catch (e) { mostrar(e.message); }
  });
  $("#busca-documentos").addEventListener("submit", buscarDocumentos);
  try {
    estado.eu = await chamar("GET", "eu");
    if (estado.eu.gestor) {
      $("#responsavel").hidden = false;
      chamar("GET", "responsaveis").then((pessoas) => {
        for (const p of pessoas) $("#responsavel").append(el("option", { value: String(p.id), textContent: p.nome }));
      }).catch(() => {});
    }
  } catch (erro) {
    $("#aviso").textContent = erro.message;
    $("#aviso").hidden = false;
    return;
  }
  await carregarQuadro();
}

document.addEventListener("DOMContentLoaded", iniciar);
