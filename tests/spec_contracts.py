"""The wire facts of providers/SPEC.md, transcribed as data for the tests.

Written from the specification, not from the providers' code, so that a test
comparing a provider's request with these values checks the code against the
document.
"""

from __future__ import annotations

EASYCHAT_SERVERS = [
    "https://chat10.fastgpt.me",
    "https://chat9.fastgpt.me",
    "https://chat1.fastgpt.me",
    "https://chat2.fastgpt.me",
    "https://chat3.fastgpt.me",
    "https://chat4.fastgpt.me",
    "https://gxos1h1ddt.fastgpt.me",
]


def easychat_headers(server: str) -> dict[str, str]:
    return {
        "authority": server.removeprefix("https://"),
        "accept": "text/event-stream",
        "accept-language": "en,fr-FR;q=0.9,fr;q=0.8,es-ES;q=0.7,es;q=0.6,en-US;q=0.5,am;q=0.4,de;q=0.3,fa=0.2",
        "content-type": "application/json",
        "origin": server,
        "referer": server + "/",
        "x-requested-with": "XMLHttpRequest",
        "plugins": "0",
        "usesearch": "false",
        "sec-ch-ua": '"Chromium";v="116", "Not)A;Brand";v="24", "Google Chrome";v="116"',
        "sec-ch-ua-mobile": "?0",
        "sec-ch-ua-platform": '"Windows"',
        "sec-fetch-dest": "empty",
        "sec-fetch-mode": "cors",
        "sec-fetch-site": "same-origin",
        "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Safari/537.36",
    }


OPENAI_BODY_KEYS = [
    "messages",
    "stream",
    "model",
    "temperature",
    "presence_penalty",
    "frequency_penalty",
    "top_p",
]
OPENAI_DEFAULTS = {"temperature": 0.5, "presence_penalty": 0, "frequency_penalty": 0, "top_p": 1}

EQUING_ENDPOINT = "https://next.eqing.tech/api/openai/v1/chat/completions"
EQUING_HEADERS = {
    "authority": "next.eqing.tech",
    "accept": "text/event-stream",
    "accept-language": "en,fr-FR;q=0.9,fr;q=0.8,es-ES;q=0.7,es;q=0.6,en-US;q=0.5,am;q=0.4,de;q=0.3",
    "cache-control": "no-cache",
    "pragma": "no-cache",
    "content-type": "application/json",
    "origin": "https://next.eqing.tech",
    "referer": "https://next.eqing.tech/",
    "plugins": "0",
    "usesearch": "false",
    "x-requested-with": "XMLHttpRequest",
    "sec-ch-ua": '"Not/A)Brand";v="99", "Google Chrome";v="115", "Chromium";v="115"',
    "sec-ch-ua-mobile": "?0",
    "sec-ch-ua-platform": '"macOS"',
    "sec-fetch-dest": "empty",
    "sec-fetch-mode": "cors",
    "sec-fetch-site": "same-origin",
    "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/115.0.0.0 Safari/537.36",
}

AICHAT_ENDPOINT = "https://chat-gpt.org/api/text"
AICHAT_HEADERS = {
    "authority": "chat-gpt.org",
    "accept": "*/*",
    "accept-language": "en,fr-FR;q=0.9,fr;q=0.8,es-ES;q=0.7,es;q=0.6,en-US;q=0.5,am;q=0.4,de;q=0.3",
    "content-type": "application/json",
    "origin": "https://chat-gpt.org",
    "referer": "https://chat-gpt.org/chat",
    "sec-ch-ua": '"Chromium";v="118", "Google Chrome";v="118", "Not=A?Brand";v="99"',
    "sec-ch-ua-mobile": "?0",
    "sec-ch-ua-platform": '"macOS"',
    "sec-fetch-dest": "empty",
    "sec-fetch-mode": "cors",
    "sec-fetch-site": "same-origin",
    "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36",
}
AICHAT_BODY_KEYS = ["message", "temperature", "presence_penalty", "top_p", "frequency_penalty"]

CHATANYWHERE_ENDPOINT = "https://chatanywhere.cn/v1/chat/gpt/"
CHATANYWHERE_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/119.0",
    "Accept": "application/json, text/plain, */*",
    "Accept-Language": "de,en-US;q=0.7,en;q=0.3",
    "Accept-Encoding": "gzip, deflate, br",
    "Content-Type": "application/json",
    "Referer": "https://chatanywhere.cn/",
    "Origin": "https://chatanywhere.cn",
    "Sec-Fetch-Dest": "empty",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Site": "same-origin",
    "Authorization": "",
    "Connection": "keep-alive",
    "TE": "trailers",
}
CHATANYWHERE_BODY_KEYS = ["list", "id", "title", "prompt", "temperature", "models", "continuous"]

CHATGPTES_URL = "https://chatgpt.es"
CHATGPTES_ENDPOINT = "https://chatgpt.es/wp-admin/admin-ajax.php"
CHATGPTES_HEADERS = {
    "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36",
    "referer": "https://chatgpt.es",
    "origin": "https://chatgpt.es",
    "accept": "*/*",
    "accept-language": "en-US,en;q=0.9",
    "content-type": "application/x-www-form-urlencoded; charset=UTF-8",
    "x-requested-with": "XMLHttpRequest",
}
CHATGPTES_FORM_KEYS = [
    "_wpnonce",
    "post_id",
    "url",
    "action",
    "message",
    "bot_id",
    "chatbot_identity",
    "wpaicg_chat_client_id",
    "wpaicg_chat_history",
]
CHATGPTES_SYSTEM_PROMPT = (
    "Your default language is English. Always respond in English unless the user's message is in a "
    "different language. If the user's message is not in English, respond in the language of the user's "
    "message. Maintain this language behavior throughout the conversation unless explicitly instructed "
    "otherwise. User input:"
)
CONSENT_TEXT = "Du musst das Kästchen anklicken!"

FLAGS = {
    "EasyChat": {
        "url": "https://free.easychat.work",
        "working": False,
        "supports_stream": True,
        "supports_gpt_35_turbo": True,
    },
    "Equing": {
        "url": "https://next.eqing.tech/",
        "working": False,
        "supports_stream": True,
        "supports_gpt_35_turbo": True,
        "supports_gpt_4": False,
    },
    "Aichat": {"url": "https://chat-gpt.org/chat", "working": False, "supports_gpt_35_turbo": True},
    "ChatAnywhere": {
        "url": "https://chatanywhere.cn",
        "supports_gpt_35_turbo": True,
        "supports_message_history": True,
        "working": False,
    },
    "ChatGptEs": {
        "url": "https://chatgpt.es",
        "api_endpoint": "https://chatgpt.es/wp-admin/admin-ajax.php",
        "working": True,
        "supports_stream": True,
        "supports_system_message": False,
        # SPEC.md, ChatGptEs: flags (a deliberate deviation from the documented False).
        "supports_message_history": True,
        "default_model": "gpt-4o",
        "models": ["gpt-4", "gpt-4o", "gpt-4o-mini"],
    },
}


def sse(*events: str, done: bool = True) -> bytes:
    """An OpenAI-style event stream body with the given delta texts."""
    import json

    lines = ['data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n']
    lines += [f"data: {json.dumps({'choices': [{'delta': {'content': text}}]})}\n\n" for text in events]
    if done:
        lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


def spec_format_prompt(messages: list[dict[str, str]]) -> str:
    """SPEC.md, Messages and the transcript: "one message gives its content unchanged; several give one
    line per message, "<Role with a capital>: <content>", joined by "\\n", with "\\nAssistant:" appended"."""
    if len(messages) == 1:
        return messages[0]["content"]
    lines = [f"{message['role'].capitalize()}: {message['content']}" for message in messages]
    return "\n".join(lines) + "\nAssistant:"


AICHAT_DEFAULTS = {"temperature": 0.5, "top_p": 1}
CHATANYWHERE_ID = "s1_qYuOLXjI3rEpc7WHfQ"
CHATANYWHERE_MODELS = "61490748"
CHATANYWHERE_DEFAULT_TEMPERATURE = 0.5
