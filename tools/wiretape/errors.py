"""Every error wiretape raises, in one tree.

::

    WiretapeError
    ├── CassetteError                 something about one cassette
    │   ├── CassetteNotFoundError     replay asked of a file that does not exist (also FileNotFoundError)
    │   ├── CassetteFormatError       a file that is not a readable cassette (also ValueError)
    │   ├── CassetteTooLargeError     recordings too large to be read back: not written (also ValueError)
    │   ├── CassetteMissError         a request the cassette cannot answer in its record mode
    │   └── UnsafePathError           a cassette name that would lead outside its directory (also ValueError)
    ├── NetworkBlockedError           a connection the network guard refused (also RuntimeError)
    ├── ClientNotInterceptedError     inside a cassette, a connection from a client wiretape does not
    │                                 intercept (also RuntimeError)
    └── ConfigurationError            a wrong argument to the library itself (also ValueError)

Each message is one line (a miss adds the field-by-field explanation below
it), names the file or host concerned, and never carries a secret value.
"""

from __future__ import annotations


class WiretapeError(Exception):
    """Base of every error raised by wiretape."""


class CassetteError(WiretapeError):
    """An error about one cassette; the message names its file."""


class CassetteNotFoundError(CassetteError, FileNotFoundError):
    """Replay was asked of a cassette file that does not exist."""


class CassetteFormatError(CassetteError, ValueError):
    """A file that cannot be read as a cassette; the message names the file and the problem."""


class CassetteTooLargeError(CassetteError, ValueError):
    """A recording that would make its cassette larger than a cassette may be read back; not written."""


class CassetteMissError(CassetteError):
    """A request that the cassette cannot answer in the current record mode."""


class UnsafePathError(CassetteError, ValueError):
    """A cassette path or name that would lead outside the cassette directory."""


class NetworkBlockedError(WiretapeError, RuntimeError):
    """A connection to a non-allowed address was attempted while the network is blocked."""


class ClientNotInterceptedError(WiretapeError, RuntimeError):
    """A connection opened inside a cassette by a client library that wiretape does not intercept."""


class ConfigurationError(WiretapeError, ValueError):
    """A wrong argument given to wiretape itself (a record mode, a rechunk hook that changes the body…)."""
