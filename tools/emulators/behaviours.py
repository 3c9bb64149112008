"""The upstream behaviours a scenario can ask of the emulators."""

from __future__ import annotations

import difflib
import enum


class Behaviour(str, enum.Enum):
    NORMAL = "normal"
    SLOW = "slow"
    RATE_LIMITED = "rate_limited"
    RATE_LIMITED_BARE = "rate_limited_bare"
    SERVER_ERROR = "server_error"
    CHALLENGE = "challenge"
    TRUNCATED = "truncated"
    MALFORMED_JSON = "malformed_json"
    NON_JSON = "non_json"
    WRONG_SHAPE = "wrong_shape"
    RESET = "reset"
    STALL = "stall"
    STALL_MIDWAY = "stall_midway"
    MISSING_NONCE = "missing_nonce"
    CONSENT = "consent"
    EXPIRED_COOKIE = "expired_cookie"
    SPLIT_MULTIBYTE = "split_multibyte"

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]

    @classmethod
    def _missing_(cls, value: object) -> Behaviour:
        names = [member.value for member in cls]
        close = difflib.get_close_matches(str(value), names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"{value!r} is not a valid Behaviour{hint}; valid behaviours: {', '.join(names)}")


DESCRIPTIONS: dict[Behaviour, str] = {
    Behaviour.NORMAL: "answers as the real service does",
    Behaviour.SLOW: "streams the answer with long pauses between pieces",
    Behaviour.RATE_LIMITED: "429 Too Many Requests with Retry-After",
    Behaviour.RATE_LIMITED_BARE: "429 Too Many Requests without Retry-After",
    Behaviour.SERVER_ERROR: "500 Internal Server Error",
    Behaviour.CHALLENGE: "403 Cloudflare-style HTML challenge on every path",
    Behaviour.TRUNCATED: "the connection closes in the middle of the answer",
    Behaviour.MALFORMED_JSON: "the JSON (or an event's JSON) is cut short",
    Behaviour.NON_JSON: "200 with an HTML page instead of the JSON, events or text of an answer",
    Behaviour.WRONG_SHAPE: "200 with valid JSON of the wrong shape",
    Behaviour.RESET: "the connection is reset before any answer",
    Behaviour.STALL: "the request is accepted and nothing is ever sent",
    Behaviour.STALL_MIDWAY: "part of the answer is sent, then nothing more",
    Behaviour.MISSING_NONCE: "the chat page carries no nonce (ChatGptEs)",
    Behaviour.CONSENT: "the 'Du musst das Kästchen anklicken!' consent answer (ChatGptEs)",
    Behaviour.EXPIRED_COOKIE: "the session cookie is refused as expired (Aichat)",
    Behaviour.SPLIT_MULTIBYTE: "multi-byte characters are split across pieces (ChatAnywhere)",
}
