"""Whether the AI settings (接続先 URL, モデル名) can be used, said in Japanese.

The 設定 dialog refuses to save AI refinement switched on with a URL the key must not go to
or without a model name, and the app says the same thing after a fetch when a settings file
saved before this check (or edited by hand) holds such values: the refinement then does not
run, and the operator is told so instead of reading 「AI への問い合わせ: 0 回」.

The URL check is the SendGrid 接続先 URL's own (``refuse_unsafe_url``): the AI key goes in
the same ``Authorization`` header, so plain http is refused for any host but this computer.
"""

from __future__ import annotations

from app.core.base_url import refuse_unsafe_url
from app.core.errors import InvalidInputError

URL_EXAMPLE = "https://api.openai.com/v1"
MODEL_EXAMPLE = "gpt-4o-mini"
URL_MISSING = f"AI の接続先 URL を入力してください（例: {URL_EXAMPLE}）。"
MODEL_MISSING = f"モデル名を入力してください（例: {MODEL_EXAMPLE}）。"


def llm_url_problem(base_url: str) -> str:
    """Why the AI 接続先 URL cannot be used ("" when it can); an empty URL is a problem."""
    text = base_url.strip()
    if not text:
        return URL_MISSING
    try:
        refuse_unsafe_url(text)
    except InvalidInputError as error:
        return error.message_ja.replace("接続先 URL", "AI の接続先 URL")
    return ""


def llm_model_problem(model: str) -> str:
    return "" if model.strip() else MODEL_MISSING


def llm_setup_problems(base_url: str, model: str) -> tuple[str, ...]:
    """Every reason the live AI endpoint cannot be asked, in the dialog's order."""
    return tuple(p for p in (llm_url_problem(base_url), llm_model_problem(model)) if p)
