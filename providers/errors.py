"""The one error tree of the library.

Every error a provider raises is a :class:`ProviderError`. Each class also
subclasses the builtin the specification names for that situation
(``providers/SPEC.md``, "Errors"), so ``except ValueError`` and the like keep
working::

    ProviderError(Exception)
    ├── InvalidRequestError(ValueError)            bad input, raised before any request
    │   ├── InvalidMessagesError                  messages: index and field named
    │   ├── InvalidArgumentError                  a kwarg out of range / malformed
    │   └── ModelNotSupportedError                model not in ``models``
    ├── InvalidArgumentTypeError(TypeError)       a kwarg or model of the wrong type
    ├── MissingRequirementsError(ImportError)     curl_cffi not installed
    ├── MissingCookiesError(RuntimeError)         Aichat without cookies
    ├── ResponseError(ValueError)                 the upstream answered, but not usefully
    │   ├── StatusError                           HTTP status other than success
    │   │   └── RateLimitError                    429, with ``retry_after``
    │   ├── ResponseFormatError                   body is not what the protocol says
    │   └── UpstreamRejectedError                 well-formed refusal (consent check, response=false)
    └── TransportError(OSError)                   like ``requests.RequestException``
        ├── ProviderTimeoutError(TimeoutError)
        └── ProviderConnectionError(ConnectionError)

Messages never contain cookie or authorization values: the only upstream
text they quote is a short excerpt of a response body, in which the secret
values the call sent are masked (:mod:`providers.masking`).
"""

from __future__ import annotations

from collections.abc import Callable

BODY_EXCERPT_LIMIT = 300


class ProviderError(Exception):
    """Base of every error raised by a provider.

    ``provider`` and ``url`` say where it happened when known; they are
    included in ``str(error)``.
    """

    def __init__(self, message: str, *, provider: str | None = None, url: str | None = None):
        self.message = message
        self.provider = provider
        self.url = url
        super().__init__(message)

    def mask(self, masking: Callable[[str], str]) -> None:
        """Apply ``masking`` (secret values out) to the text the error carries."""
        self.message = masking(self.message)
        self.args = (self.message,)

    def __str__(self) -> str:
        prefix = f"{self.provider}: " if self.provider else ""
        suffix = f" ({self.url})" if self.url else ""
        return f"{prefix}{self.message}{suffix}"


class InvalidRequestError(ProviderError, ValueError):
    """The caller's input is invalid; nothing was sent."""


class InvalidMessagesError(InvalidRequestError):
    """``messages`` is not a non-empty list of ``{"role", "content"}`` dicts."""


class InvalidArgumentError(InvalidRequestError):
    """A keyword argument has a value outside what the provider accepts."""


class ModelNotSupportedError(InvalidRequestError):
    """The model is not one of the provider's ``models``."""


class InvalidArgumentTypeError(ProviderError, TypeError):
    """An argument has the wrong type; nothing was sent."""


class MissingRequirementsError(ProviderError, ImportError):
    """An optional dependency (curl_cffi) is needed but not installed."""


class MissingCookiesError(ProviderError, RuntimeError):
    """The provider needs cookies for its domain and none were found."""


class ResponseError(ProviderError, ValueError):
    """The upstream answered, but not with a usable answer."""


class StatusError(ResponseError):
    """The upstream answered with an HTTP status the protocol does not accept."""

    def __init__(
        self,
        *,
        status_code: int,
        reason: str,
        body_excerpt: str,
        provider: str | None = None,
        url: str | None = None,
    ):
        self.status_code = status_code
        self.reason = reason
        self.body_excerpt = body_excerpt
        detail = f": {body_excerpt}" if body_excerpt else ""
        super().__init__(f"HTTP {status_code} {reason}{detail}", provider=provider, url=url)

    def mask(self, masking: Callable[[str], str]) -> None:
        super().mask(masking)
        self.body_excerpt = masking(self.body_excerpt)


class RateLimitError(StatusError):
    """HTTP 429. ``retry_after`` is the upstream's Retry-After in seconds, if sent."""

    def __init__(
        self,
        *,
        retry_after: float | None,
        status_code: int,
        reason: str,
        body_excerpt: str,
        provider: str | None = None,
        url: str | None = None,
    ):
        self.retry_after = retry_after
        super().__init__(
            status_code=status_code,
            reason=reason,
            body_excerpt=body_excerpt,
            provider=provider,
            url=url,
        )


class ResponseFormatError(ResponseError):
    """The body is not what the protocol says (non-JSON, missing keys, HTML page, cut stream)."""


class UpstreamRejectedError(ResponseError):
    """The upstream answered in the protocol's format, but refused (consent check, falsy ``response``)."""


class TransportError(ProviderError, OSError):
    """The exchange failed below HTTP (connection, TLS, proxy, protocol, timeout)."""


class ProviderTimeoutError(TransportError, TimeoutError):
    """The upstream did not answer (or stopped answering) within the timeout."""


class ProviderConnectionError(TransportError, ConnectionError):
    """The connection could not be made, or broke before the answer was complete."""


def excerpt(text: str, limit: int = BODY_EXCERPT_LIMIT) -> str:
    """A one-line excerpt of ``text`` for error messages."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
