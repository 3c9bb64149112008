"""Whether an outcome is what its scenario's catalogue entry says it must look like.

- text: non-empty, and not a raw event stream passed through as the answer;
  from the emulators, an echo: the emulated upstreams answer ``You wrote: ``
  followed by the prompt, so the answer holds that prefix and, after it, the
  last user message (a provider may send the whole history as the prompt);
- an error: the class, the provider named in the message, and the cause
  (the scenario's ``cause`` expression) found in it.
"""

from __future__ import annotations

import re

from .outcome import Outcome
from .scenarios import TEXT, Scenario

ECHO_PREFIX = "You wrote: "
# The event-stream lines that carry content: an answer holding them is a stream the provider did
# not decode. (`id:` and `retry:` lines are left out: prose has them too.)
_RAW_EVENT_LINE = re.compile(r"^(data|event): ?\S", re.MULTILINE)
_EXCERPT = 60


def last_user_message(scenario: Scenario) -> str:
    return next(m["content"] for m in reversed(scenario.messages) if m["role"] == "user").strip()


def expectation(scenario: Scenario, *, emulated: bool) -> str:
    """What the outcome must be, in words."""
    if scenario.expect == TEXT:
        return f"text echoing {last_user_message(scenario)!r}" if emulated else "non-empty text"
    cause = f" and matching {scenario.cause!r}" if scenario.cause else ""
    return f"{scenario.expect} naming {scenario.provider}{cause}"


def _text_problem(scenario: Scenario, answer: str, *, emulated: bool) -> bool:
    if not answer.strip() or _RAW_EVENT_LINE.search(answer):
        return True
    if not emulated:
        return False
    start = answer.find(ECHO_PREFIX)
    return start < 0 or last_user_message(scenario) not in answer[start + len(ECHO_PREFIX) :]


def _error_problem(scenario: Scenario, outcome: Outcome) -> bool:
    return (
        outcome.error != scenario.expect
        or scenario.provider not in outcome.message
        or not re.search(scenario.cause, outcome.message)
    )


def described(outcome: Outcome) -> str:
    """The outcome in one line, with enough of the answer or message to see what came."""
    if outcome.error:
        return f"{outcome.error}: {_one_line(outcome.message)}"
    answer = "".join(outcome.chunks)
    if not answer.strip():
        return f"empty text ({len(outcome.chunks)} chunks)"
    kind = "raw event-stream text" if _RAW_EVENT_LINE.search(answer) else "text"
    excerpt = answer if len(answer) <= _EXCERPT else answer[:_EXCERPT] + "…"
    return f"{kind} {excerpt!r} ({len(outcome.chunks)} chunks)"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def violation(scenario: Scenario, outcome: Outcome, *, emulated: bool) -> str | None:
    """None when ``outcome`` is what the catalogue expects; else ``expected …, got …`` in one line."""
    if scenario.expect == TEXT:
        wrong = outcome.error is not None or _text_problem(
            scenario, "".join(outcome.chunks), emulated=emulated
        )
    else:
        wrong = _error_problem(scenario, outcome)
    if not wrong:
        return None
    return f"expected {expectation(scenario, emulated=emulated)}, got {described(outcome)}"
