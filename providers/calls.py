"""A provider call's inputs, read in one place: the model, the checked messages and the keyword options.

Every provider turns its arguments into a :class:`Call` with
``BaseProvider.prepare`` and takes its HTTP client from :meth:`Call.client_spec`,
so proxy, timeout and TLS verification mean the same for all five. Keyword
arguments a provider does not know are accepted (gpt4free passes foreign ones
along) but reported: one :class:`UnknownArgumentWarning` per call, and a
debug line on the provider's logger.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .http import ClientSpec, Headers
from .masking import Secrets
from .messages import Messages
from .wirelog import logger_for

#: Keyword arguments every provider accepts (name -> type, as shown in ``params``).
COMMON_OPTION_TYPES: Mapping[str, str] = {"proxy": "str", "timeout": "float", "verify": "bool"}


class UnknownArgumentWarning(UserWarning):
    """A keyword argument the provider does not read was passed (and ignored)."""


def report_unknown(provider: str, given: Iterable[str], accepted: Iterable[str]) -> None:
    """Warn once, naming every given keyword argument that is not an accepted one."""
    known = list(accepted)
    unknown = sorted(set(given) - set(known))
    if not unknown:
        return
    names = ", ".join(repr(name) for name in unknown)
    plural = "s" if len(unknown) > 1 else ""
    message = (
        f"{provider}: ignoring unknown keyword argument{plural} {names}; "
        f"{provider} accepts: {', '.join(known)}"
    )
    logger_for(provider).debug("%s", message)
    warnings.warn(message, UnknownArgumentWarning, stacklevel=4)


@dataclass(frozen=True)
class Call:
    """One call of a provider, checked: what to send and how to reach the upstream."""

    provider: str
    model: str
    messages: Messages
    options: Mapping[str, Any]
    default_timeout: float
    impersonate: str | None = None
    #: What the call sent as secrets (filled as requests go out), masked in its errors.
    secrets: Secrets = field(default_factory=Secrets, compare=False)

    def option(self, name: str, default: Any = None) -> Any:
        """A keyword argument of the call (already checked), or ``default``."""
        return self.options.get(name, default)

    def client_spec(self, *, headers: Headers = (), cookies: Mapping[str, str] | None = None) -> ClientSpec:
        """The client for this call: the provider's headers and cookies, the caller's network options."""
        return ClientSpec(
            provider=self.provider,
            headers=headers,
            cookies=cookies,
            proxy=self.option("proxy"),
            timeout=self.option("timeout", self.default_timeout),
            verify=self.option("verify", True),
            impersonate=self.impersonate,
            secrets=self.secrets,
        )
