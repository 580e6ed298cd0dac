"""A tiny word-level tokenizer with a chat template, saved to a directory that `AutoTokenizer` loads offline
(Atropos loads its tokenizer by name from a hub this machine cannot reach)."""

from __future__ import annotations

from pathlib import Path

TEMPLATE = ("{% for m in messages %}<|{{ m.role }}|> {{ m.content or '' }}"
            "{% for c in m.tool_calls or [] %} <call> {{ c.function.name }} {{ c.function.arguments }}{% endfor %}"
            " <|end|> {% endfor %}{% if add_generation_prompt %}<|assistant|> {% endif %}")


def save_tokenizer(path: Path) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["[UNK]", "<|end|>", "<call>", *(f"<|{r}|>" for r in ("system", "user", "assistant", "tool"))]
    core = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="[UNK]", eos_token="<|end|>",
                                  chat_template=TEMPLATE)
    tok.save_pretrained(str(path))
    return path
