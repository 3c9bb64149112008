"""The only place that builds HTTP clients, and the only place that translates transport errors.

Every provider speaks httpx. Providers that need browser TLS impersonation get
an httpx client over the httpx-curl-cffi transport, whose bodies are decoded
as they are read (:mod:`providers.curl`; curl_cffi is imported on first use
only). Proxy, timeout and TLS verification are applied here; TLS
verification is always on unless a caller passes ``verify=False``. The
timeout bounds everything a client does (:mod:`providers.deadline`), from
the moment it is built.

:func:`network_overrides` lets a caller (a test harness, a user behind a
private CA) send a host's traffic to another address and trust another CA,
without touching the providers: the URL, Host header and TLS server name stay
the provider's own.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import ssl
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from .decoding import decode_here
from .errors import (
    MissingRequirementsError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitError,
    ResponseFormatError,
    StatusError,
    TransportError,
    excerpt,
)
from .limits import aread_error_body, read_error_body
from .masking import Secrets
from .wirelog import async_hooks, logger_for, sync_hooks

CURL_TIMEOUT_CODE = 28
CURL_INSTALL_HINT = "install it with: pip install 'wiretape[curl]' (curl_cffi and httpx-curl-cffi)"

Headers = Mapping[str, str] | Sequence[tuple[str, str]]


@dataclass(frozen=True)
class NetworkOverrides:
    """Where to connect for a host, and which CA bundle to trust instead of the system's."""

    routes: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    ca_bundle: str | None = None


_overrides: ContextVar[NetworkOverrides | None] = ContextVar("wiretape_network_overrides", default=None)


def current_overrides() -> NetworkOverrides:
    """The overrides in force in this context (none by default)."""
    return _overrides.get() or NetworkOverrides()


@contextlib.contextmanager
def network_overrides(
    *, routes: Mapping[str, tuple[str, int]] | None = None, ca_bundle: str | None = None
) -> Iterator[NetworkOverrides]:
    """Within the block, connect to ``routes[host]`` instead of ``host`` and trust ``ca_bundle``.

    ``routes`` maps a host name to ``(address, port)``; the request URL, the
    Host header and the TLS server name are unchanged, like curl's
    ``--connect-to``. Applies to clients built inside the block, in this
    context (threads and tasks started from it inherit it).
    """
    token = _overrides.set(NetworkOverrides(routes=dict(routes or {}), ca_bundle=ca_bundle))
    try:
        yield current_overrides()
    finally:
        _overrides.reset(token)


@dataclass(frozen=True)
class ClientSpec:
    """Everything a provider decides about its client."""

    provider: str
    headers: Headers = ()
    cookies: Mapping[str, str] | None = None
    proxy: str | None = None
    timeout: float = 120.0
    verify: bool = True
    impersonate: str | None = None
    #: Collects the secret values each request sends, for masking in errors.
    secrets: Secrets | None = field(default=None, compare=False)

    def request_hooks(self) -> list[Callable[[httpx.Request], None]]:
        return [self.secrets.add_request] if self.secrets is not None else []


def sync_client(spec: ClientSpec) -> httpx.Client:
    """A configured sync client; close it (use it as a context manager)."""
    transport: httpx.BaseTransport
    if spec.impersonate:
        curl = _load_curl(spec.provider)
        transport = curl.CurlTransport(**_curl_params(spec))
    else:
        transport = httpx.HTTPTransport(verify=_ssl_verify(spec), proxy=spec.proxy, trust_env=False)
        _route_pool(transport, sync=True)
        _bound(transport, spec.timeout)
    return httpx.Client(
        headers=httpx.Headers(spec.headers),
        cookies=dict(spec.cookies or {}),
        timeout=spec.timeout,
        transport=transport,
        trust_env=False,
        event_hooks={
            "request": spec.request_hooks(),
            "response": [*_response_hooks(spec), *sync_hooks(spec.provider)["response"]],
        },
    )


def async_client(spec: ClientSpec) -> httpx.AsyncClient:
    """A configured async client; close it (use it as an async context manager)."""
    transport: httpx.AsyncBaseTransport
    if spec.impersonate:
        curl = _load_curl(spec.provider)
        from .deadline import AsyncDeadlineTransport, Deadline

        transport = AsyncDeadlineTransport(
            curl.AsyncCurlTransport(**_curl_params(spec)), Deadline(spec.timeout)
        )
    else:
        transport = httpx.AsyncHTTPTransport(verify=_ssl_verify(spec), proxy=spec.proxy, trust_env=False)
        _route_pool(transport, sync=False)
        _bound(transport, spec.timeout)
    return httpx.AsyncClient(
        headers=httpx.Headers(spec.headers),
        cookies=dict(spec.cookies or {}),
        timeout=spec.timeout,
        transport=transport,
        trust_env=False,
        event_hooks={
            "request": [_async(hook) for hook in spec.request_hooks()],
            "response": [
                *(_async(hook) for hook in _response_hooks(spec)),
                *async_hooks(spec.provider)["response"],
            ],
        },
    )


def _response_hooks(spec: ClientSpec) -> list[Callable[[httpx.Response], None]]:
    # The curl transport decodes as it builds the response (providers.curl).
    return [] if spec.impersonate else [decode_here]


_Message = TypeVar("_Message", httpx.Request, httpx.Response)


def _async(hook: Callable[[_Message], None]) -> Callable[[_Message], Awaitable[None]]:
    async def run(message: _Message) -> None:
        hook(message)

    return run


def require_curl(provider: str) -> None:
    """Raise :class:`MissingRequirementsError` now if curl_cffi is not installed."""
    _load_curl(provider)


def _load_curl(provider: str) -> Any:
    try:
        # First: once imported, providers.curl would hide that httpx-curl-cffi is gone.
        importlib.import_module("httpx_curl_cffi")
        from . import curl
    except ImportError as exc:
        raise MissingRequirementsError(
            f"curl_cffi is required for browser impersonation ({exc.name} is missing); {CURL_INSTALL_HINT}",
            provider=provider,
        ) from exc
    return curl


def _curl_params(spec: ClientSpec) -> dict[str, Any]:
    from curl_cffi import CurlOpt

    overrides = current_overrides()
    # httpx-curl-cffi always streams, so curl gets only a low-speed limit, and a POST
    # whose answer never starts then waits several times the timeout. The curl-based
    # providers read whole answers, so a limit on the whole transfer is the right one
    # (it is what curl_cffi itself sets for a request that does not stream).
    options: dict[Any, Any] = {CurlOpt.TIMEOUT_MS: max(1, round(spec.timeout * 1000))}
    if overrides.routes:
        options[CurlOpt.CONNECT_TO] = _curl_slist(
            f"{host}::{address}:{port}" for host, (address, port) in overrides.routes.items()
        )
    if overrides.ca_bundle and spec.verify:
        options[CurlOpt.CAINFO] = overrides.ca_bundle.encode()
    return {
        "impersonate": spec.impersonate,
        "proxy": spec.proxy,
        "verify": spec.verify,
        "curl_options": options,
    }


def _curl_slist(entries: Iterable[str]) -> Any:
    # curl_cffi's setopt builds string lists only for header options; CONNECT_TO
    # takes one too, so it is built here and freed when the client is collected.
    from curl_cffi._wrapper import ffi, lib

    slist = ffi.NULL
    for entry in entries:
        slist = lib.curl_slist_append(slist, entry.encode())
    return ffi.gc(slist, lib.curl_slist_free_all)


def _ssl_verify(spec: ClientSpec) -> ssl.SSLContext | bool:
    if not spec.verify:
        return False
    ca_bundle = current_overrides().ca_bundle
    try:
        return _verifying_context(ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        raise ProviderConnectionError(
            f"CA bundle {ca_bundle!r} could not be loaded: {exc}", provider=spec.provider
        ) from exc


def _verifying_context(ca_bundle: str | None) -> ssl.SSLContext:
    """A context trusting ``ca_bundle``, else certifi's bundle (what httpx's ``verify=True`` trusts).

    Loading a bundle takes about 25 ms, more than a whole replayed call, so the clients share one
    context per bundle content (read each time: an edited file is trusted as it now is); nothing
    changes a context after it is built (httpcore sets the same ALPN protocols on it each time).
    """
    if ca_bundle is None:
        import certifi

        ca_bundle = certifi.where()
    try:
        return _context_trusting(Path(ca_bundle).read_text(encoding="ascii"))
    except (OSError, UnicodeDecodeError, ValueError, ssl.SSLError):
        # Loaded as a file, as before: OpenSSL reads what it can (non-ASCII comments, say).
        return ssl.create_default_context(cafile=ca_bundle)


@functools.lru_cache(maxsize=8)
def _context_trusting(pem: str) -> ssl.SSLContext:
    return ssl.create_default_context(cadata=pem)


def _bound(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport, timeout: float) -> None:
    # The deadline machinery subclasses httpcore's: imported with the first client, not with providers.
    from .deadline import Deadline, bound_pool

    bound_pool(transport, Deadline(timeout))


def _route_pool(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport, *, sync: bool) -> None:
    # See providers/routing.py for why the pool's network backend.
    routes = current_overrides().routes
    if not routes:
        return
    from .routing import AsyncRoutedBackend, RoutedBackend

    pool: Any = transport._pool
    backend = pool._network_backend
    pool._network_backend = RoutedBackend(backend, routes) if sync else AsyncRoutedBackend(backend, routes)


# ---------------------------------------------------------------- errors


def translate_error(exc: BaseException, *, provider: str, url: str | None) -> ProviderError | None:
    """This library's error for a lower-layer one (httpx, curl_cffi), or None if it is not one."""
    if isinstance(exc, ProviderError):
        return None
    if isinstance(exc, httpx.TimeoutException):
        return ProviderTimeoutError(f"timed out: {_cause(exc)}", provider=provider, url=url)
    if isinstance(exc, httpx.RemoteProtocolError):
        return ProviderConnectionError(
            f"connection closed before the response was complete: {_cause(exc)}",
            provider=provider,
            url=url,
        )
    if isinstance(exc, (httpx.NetworkError, httpx.ProxyError)):
        return ProviderConnectionError(f"connection failed: {_cause(exc)}", provider=provider, url=url)
    if isinstance(exc, httpx.DecodingError):
        return ResponseFormatError(f"body could not be decoded: {exc}", provider=provider, url=url)
    if isinstance(exc, httpx.TransportError):
        return TransportError(f"request failed: {_cause(exc)}", provider=provider, url=url)
    if isinstance(exc, httpx.RequestError):
        # httpx-curl-cffi raises the bare RequestError for curl codes it does not map
        # (TLS verification failures among them).
        return ProviderConnectionError(f"request failed: {_cause(exc)}", provider=provider, url=url)
    return _translate_curl_error(exc, provider=provider, url=url)


def _translate_curl_error(exc: BaseException, *, provider: str, url: str | None) -> ProviderError | None:
    curl = sys.modules.get("curl_cffi")
    if curl is None or not isinstance(exc, curl.CurlError):
        return None
    if exc.code == CURL_TIMEOUT_CODE:
        return ProviderTimeoutError(f"timed out: {exc}", provider=provider, url=url)
    return ProviderConnectionError(f"connection failed: {exc}", provider=provider, url=url)


def _cause(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


@contextlib.contextmanager
def translated_errors(
    provider: str, url: str | None = None, *, secrets: Secrets | None = None
) -> Iterator[None]:
    """Re-raise lower-layer errors raised in the block as this library's errors.

    Works around ``await`` and ``async for`` inside the block too. The
    values in ``secrets`` are masked in the error's text.
    """
    try:
        yield
    except ProviderError as exc:
        # Errors raised by the parsers know what went wrong, not where.
        exc.provider = exc.provider or provider
        exc.url = exc.url or url
        if secrets is not None:
            exc.mask(secrets.mask)
        raise
    except Exception as exc:
        request = _failed_request(exc)
        translated = translate_error(exc, provider=provider, url=str(request.url) if request else url)
        if translated is None:
            raise
        what = f"{request.method} {request.url}" if request else f"request to {url}"
        logger_for(provider).debug("%s failed: %s", what, type(translated).__name__)
        if secrets is not None:
            translated.mask(secrets.mask)
        raise translated from exc


def _failed_request(exc: Exception) -> httpx.Request | None:
    """The request an httpx error belongs to, when it knows it."""
    if not isinstance(exc, httpx.RequestError):
        return None
    try:
        return exc.request
    except RuntimeError:  # httpx raises it for an error created without its request
        return None


# ---------------------------------------------------------------- statuses


def status_error(response: httpx.Response, body: bytes, *, provider: str) -> StatusError:
    """The error for a response whose status the protocol does not accept."""
    text = excerpt(body.decode("utf-8", errors="replace"))
    common: dict[str, Any] = {
        "status_code": response.status_code,
        "reason": response.reason_phrase,
        "body_excerpt": text,
        "provider": provider,
        "url": str(response.request.url),
    }
    if response.status_code == 429:
        return RateLimitError(retry_after=retry_after(response.headers.get("retry-after")), **common)
    return StatusError(**common)


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), None if absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        import email.utils  # only for an HTTP-date Retry-After: not at import time

        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def ensure_status(response: httpx.Response, *, provider: str, accepted: int = 200) -> None:
    """Raise the status error unless the (streamed) response has status ``accepted``."""
    if response.status_code != accepted:
        raise status_error(response, read_error_body(response), provider=provider)


async def aensure_status(response: httpx.Response, *, provider: str, accepted: int = 200) -> None:
    """Async twin of :func:`ensure_status`."""
    if response.status_code != accepted:
        raise status_error(response, await aread_error_body(response), provider=provider)
