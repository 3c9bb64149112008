"""httpx-curl-cffi's transports, with curl handing each body over as it was sent.

curl would decode a compressed body itself, and curl_cffi queues whatever
curl writes, without bound, until it is read: a compression bomb arriving
faster than its reader was decoded whole into memory. Here curl leaves the
body as it came and :mod:`providers.decoding` decodes it as it is read. The
request does not change: its Accept-Encoding is the header httpx sets (it
takes precedence over the one curl_cffi would have curl send). Imported with
the first curl client (curl_cffi is an optional extra).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import httpx_curl_cffi
from curl_cffi import CurlOpt

from .decoding import decoded


def _undecoded(params: Mapping[str, Any]) -> dict[str, Any]:
    options = {**(params.get("curl_options") or {}), CurlOpt.HTTP_CONTENT_DECODING: 0}
    return {**params, "curl_options": options}


# The response is decoded where httpx-curl-cffi builds it, inside handle_request: a recorder
# that wraps handle_request (wiretape) sees the body decoded, as it did when curl decoded it.


class CurlTransport(httpx_curl_cffi.CurlTransport):
    def __init__(self, **params: Any) -> None:
        super().__init__(**_undecoded(params))

    def _create_response(self, req: httpx.Request, _resp: Any) -> httpx.Response:
        return decoded(super()._create_response(req, _resp))


class AsyncCurlTransport(httpx_curl_cffi.AsyncCurlTransport):
    def __init__(self, **params: Any) -> None:
        super().__init__(**_undecoded(params))

    def _create_response(self, req: httpx.Request, _resp: Any) -> httpx.Response:
        return decoded(super()._create_response(req, _resp))
