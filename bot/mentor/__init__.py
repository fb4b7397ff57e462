"""The mentor, Professor Anatoly Petrovich (issue 14). No Telegram in here: handlers render.

persona.txt / persona   the persona, a text file beside the code, read once
modelo                  AsyncOpenAI client: streaming, timeouts, bounded retries, faults
tokens                  token estimates calibrated by the model's usage (no tiktoken)
memoria                 context within a token budget; summaries of older turns
ferramentas             the tools' registry, run as the asking user through the scoped
                        services; in a group only what every member may see
contratos               Protocols for the knowledge base (and later reminders)
servico                 MentorService: a question admitted (stored, limits counted) when
                        queued, answered in its turn; data markers neutralised; questions a
                        crash cut off found by their silent heartbeat and offered 🔁
                        a photo goes as an image part (remembered per model when refused)
voz                     voice notes to text (/audio/transcriptions), limits, seconds counted
formato                 the model's Markdown as Telegram-HTML (the default, non-rich path)
ritmo                   throttled streaming updates (newest text wins)
fila                    per-person answer queues in PostgreSQL: in order across replicas, a
                        stop pressed on any replica reaches the one answering
recursos                Bot API methods the server refused (rich messages, drafts), stored
                        once for every replica
"""

from bot.mentor.modelo import Modelo
from bot.mentor.servico import MentorService, Pergunta

__all__ = ["MentorService", "Modelo", "Pergunta"]
