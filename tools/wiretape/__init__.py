"""wiretape: record HTTP exchanges into VCR cassettes, replay them offline, chunk for chunk.

Public API (everything else is private)::

    cassette(path, **options) -> Cassette      with cassette("x.yaml", mode="once"): ...
    Cassette                                   one cassette file, active inside ``with``
    RecordMode                                 none | once | new_episodes | all | rewrite
    SecretRules                                what is a secret (sanitised on write, ignored when matching)
    DEFAULT_IGNORED_HEADERS                    headers never compared (set by the transport)
    block_network(allowed_hosts=())            no socket but loopback (and allowed hosts) in the block
    load(path) / loads(text) / dumps(data)     the cassette file format (vcrpy's YAML, version 1)
    CassetteData, Interaction, RecordedRequest, RecordedResponse, Chunk, RecordedFailure
                                               a cassette's content as data
    WiretapeError, CassetteError, CassetteNotFoundError, CassetteFormatError,
    CassetteTooLargeError, CassetteMissError, UnsafePathError, NetworkBlockedError,
    ClientNotInterceptedError, ConfigurationError
                                               the error tree (see ``wiretape.errors``)
    __version__

The pytest plugin (``wiretape.pytest_plugin``) is registered by the package's
``pytest11`` entry point; the ``wiretape`` command is ``wiretape.cli``.
"""

from __future__ import annotations

if __name__ != "wiretape":  # pragma: no cover - the guard itself is tested in a subprocess
    raise ImportError(
        f"the wiretape library is importable only as 'wiretape', not as {__name__!r}: "
        "install the project (pip install -e .) and import wiretape"
    )

from .cassette import Cassette, RecordMode, cassette
from .errors import (
    CassetteError,
    CassetteFormatError,
    CassetteMissError,
    CassetteNotFoundError,
    CassetteTooLargeError,
    ClientNotInterceptedError,
    ConfigurationError,
    NetworkBlockedError,
    UnsafePathError,
    WiretapeError,
)
from .file import (
    CassetteData,
    Chunk,
    Interaction,
    RecordedFailure,
    RecordedRequest,
    RecordedResponse,
    dumps,
    load,
    loads,
)
from .matching import DEFAULT_IGNORED_HEADERS
from .netguard import block_network
from .rules import SecretRules

__version__ = "0.2.0"

__all__ = [
    "DEFAULT_IGNORED_HEADERS",
    "Cassette",
    "CassetteData",
    "CassetteError",
    "CassetteFormatError",
    "CassetteMissError",
    "CassetteNotFoundError",
    "CassetteTooLargeError",
    "Chunk",
    "ClientNotInterceptedError",
    "ConfigurationError",
    "Interaction",
    "NetworkBlockedError",
    "RecordMode",
    "RecordedFailure",
    "RecordedRequest",
    "RecordedResponse",
    "SecretRules",
    "UnsafePathError",
    "WiretapeError",
    "__version__",
    "block_network",
    "cassette",
    "dumps",
    "load",
    "loads",
]
