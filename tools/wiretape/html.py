"""A cassette as a static HTML page (``wiretape show --html``): requests, responses, stream timelines.

Pages are self-contained (inline CSS and SVG, no script, no external URL) and
well-formed XML, so they open from ``file://`` and parse with ``xml.etree``.
Everything that comes from a cassette is untrusted text and goes through
:func:`text`.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from .file import CassetteData, Headers, Interaction, RecordedResponse
from .svg import stream_timeline
from .terminal import escaped

MAX_BODY_CHARS = 20_000
# Characters XML does not allow (and a terminal or a browser would not show), made visible instead.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

STYLE = """
:root { --ok: #1a7f37; --fail: #c62828; --warn: #b26a00; --muted: #5f6b7a; --line: #d8dee4;
        --soft: #f6f8fa; --chunk: #3b6fd8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1f2328; margin: 0 auto; max-width: 1240px; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
h3 { font-size: 14px; margin: 14px 0 6px; } h4 { font-size: 13px; margin: 10px 0 4px; color: var(--muted); }
a { color: #0550ae; } .muted, .sub { color: var(--muted); } .sub { margin: 0 0 12px; }
code, pre { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
      margin: 0; white-space: pre-wrap; word-break: break-all; max-height: 320px; overflow: auto; }
table { border-collapse: collapse; margin: 4px 0 8px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
table.kv td:first-child { white-space: nowrap; color: var(--muted); }
table.kv td { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
td.num, th.num { text-align: right; }
.interaction { border-top: 2px solid var(--line); margin-top: 24px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
.pair > div { min-width: 0; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-weight: 700; font-size: 12px;
         border: 1px solid currentColor; white-space: nowrap; }
.badge.ok { color: var(--ok); background: #e6f4ea; }
.badge.fail { color: var(--fail); background: #fdecea; }
.badge.warn { color: var(--warn); background: #fff4e0; }
.badge.skip { color: var(--muted); background: #eef0f3; }
svg.timeline { display: block; max-width: 100%; height: auto; background: #fbfcfd;
               border: 1px solid var(--line); border-radius: 6px; margin: 4px 0 10px; }
svg .chunk { fill: var(--chunk); fill-opacity: 0.85; stroke: #1d3f8f; stroke-width: 0.5; }
svg .axis { stroke: #8c959f; stroke-width: 1; }
svg .headers { stroke: var(--warn); stroke-width: 1.5; stroke-dasharray: 4 3; }
svg .error { stroke: var(--fail); stroke-width: 2.5; }
svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: var(--muted); }
svg text.error-label { fill: var(--fail); font-weight: 700; }
@media (max-width: 900px) { .pair { grid-template-columns: 1fr; } }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
  pre { max-height: none; overflow: visible; }
  .badge { background: none !important; color: #000 !important; }
  .interaction, table, svg { break-inside: avoid; }
  nav { display: none; }
}
"""


def visible(value: object) -> str:
    """Text with the control characters XML does not allow shown as ``\\xNN``."""
    return escaped(value, _INVISIBLE)


def text(value: object) -> str:
    """Untrusted text, made :func:`visible` and escaped for HTML and XML."""
    return escape(visible(value), quote=True)


def badge(label: str, kind: str) -> str:
    """A status label: its text carries the meaning, its colour only repeats it."""
    return f'<span class="badge {kind}">{text(label)}</span>'


def page(title: str, content: str, *, style: str = "") -> str:
    """A complete, self-contained page."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"<title>{text(title)}</title><style>{STYLE}{style}</style></head>"
        f"<body>{content}</body></html>\n"
    )


def table(header: Iterable[str], rows: Iterable[Iterable[str]], *, css: str = "") -> str:
    """A table of cells that are already HTML (escape them with :func:`text`)."""
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    attribute = f' class="{css}"' if css else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _headers(headers: Headers) -> str:
    if not headers:
        return '<p class="muted">no headers</p>'
    rows = "".join(f"<tr><td>{text(name)}</td><td>{text(value)}</td></tr>" for name, value in headers)
    return f'<table class="kv"><tbody>{rows}</tbody></table>'


def _content_type(headers: Headers) -> str:
    return next((value for name, value in headers if name.lower() == "content-type"), "")


#: A binary body is shown as a hex dump of this many first bytes.
HEX_DUMP_BYTES = 512


def body_text(body: bytes, headers: Headers) -> str:
    """A body as readable text: JSON indented, UTF-8 text as it is, anything else as a hex dump of its
    start; long ones cut."""
    try:
        shown = body.decode("utf-8")
    except UnicodeDecodeError:
        return _hex_dump(body)
    if "json" in _content_type(headers):
        with contextlib.suppress(ValueError):  # not JSON after all: shown as it came
            shown = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    if len(shown) > MAX_BODY_CHARS:
        # Its size as sent: indented JSON holds more characters than the body had bytes.
        shown = shown[:MAX_BODY_CHARS] + f"\n… (cut here: {len(body)} bytes in all)"
    return shown


def _hex_dump(body: bytes) -> str:
    lines = [f"binary, {len(body)} bytes"]
    for offset in range(0, min(len(body), HEX_DUMP_BYTES), 16):
        row = body[offset : offset + 16]
        printable = "".join(chr(byte) if 32 <= byte < 127 else "." for byte in row)
        lines.append(f"{offset:08x}  {row.hex(' '):<47}  {printable}")
    if len(body) > HEX_DUMP_BYTES:
        lines.append(f"… ({len(body) - HEX_DUMP_BYTES} more bytes)")
    return "\n".join(lines)


def _body(body: bytes, headers: Headers) -> str:
    if not body:
        return '<p class="muted">empty body</p>'
    return f"<pre>{text(body_text(body, headers))}</pre>"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def status_line(response: RecordedResponse) -> str:
    return "no response" if response.status == 0 else f"{response.status} {response.reason}".strip()


def ending(response: RecordedResponse) -> str:
    return f"{response.error.kind}: {response.error.message}" if response.error else "complete"


def interaction_html(index: int, interaction: Interaction) -> str:
    """One exchange: the request and the response side by side, then the stream's timeline."""
    request, response = interaction.request, interaction.response
    summary = (
        f"{status_line(response)} · {len(response.body)} bytes · {len(response.chunks)} chunk(s) · "
        f"headers after {_ms(response.header_delay)}"
    )
    error = ""
    if response.error is not None:
        error = f"<p>{badge('stream error', 'fail')} <code>{text(ending(response))}</code></p>"
    timeline = ""
    if response.chunks or response.error is not None:
        timeline = f"<h3>Timeline</h3>{stream_timeline(response)}"
    return (
        f'<section class="interaction" id="interaction-{index}">'
        f"<h2>#{index} {text(request.method)} <code>{text(request.uri)}</code></h2>"
        '<div class="pair"><div>'
        f"<h3>Request</h3><h4>Headers</h4>{_headers(request.headers)}"
        f"<h4>Body</h4>{_body(request.body, request.headers)}"
        "</div><div>"
        f"<h3>Response</h3><p>{text(summary)}</p>{error}"
        f"<h4>Headers</h4>{_headers(response.headers)}"
        f"<h4>Body</h4>{_body(response.body, response.headers)}"
        f"</div></div>{timeline}</section>"
    )


def _metadata_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def metadata_html(metadata: Mapping[str, Any]) -> str:
    """The cassette's provenance (recorded at, tool, and whatever the recorder added)."""
    if not metadata:
        return '<p class="muted">no provenance recorded</p>'
    rows = "".join(
        f"<tr><td>{text(key)}</td><td>{text(_metadata_value(value))}</td></tr>"
        for key, value in metadata.items()
    )
    return f'<table class="kv"><tbody>{rows}</tbody></table>'


def interactions_html(data: CassetteData) -> str:
    """The overview table (one row per exchange, linked) followed by each exchange in full."""
    if not data.interactions:
        return '<p class="muted">no interactions</p>'
    rows = [
        [
            f'<a href="#interaction-{index}">#{index}</a>',
            f"<code>{text(interaction.request.method)} {text(interaction.request.uri)}</code>",
            str(len(interaction.request.body)),
            text(status_line(interaction.response)),
            str(len(interaction.response.body)),
            str(len(interaction.response.chunks)),
            text(_ms(interaction.response.header_delay)),
            text(interaction.response.error.kind if interaction.response.error else "complete"),
        ]
        for index, interaction in enumerate(data.interactions)
    ]
    overview = table(
        ["#", "request", "sent", "status", "received", "chunks", "headers after", "ended by"], rows
    )
    return overview + "".join(interaction_html(i, item) for i, item in enumerate(data.interactions))


def cassette_page(name: str, data: CassetteData) -> str:
    """The page ``wiretape show CASSETTE --html FILE`` writes."""
    content = (
        f"<h1>{text(name)}</h1>"
        f'<p class="sub">{len(data.interactions)} interaction(s)</p>'
        f"<h2>Provenance</h2>{metadata_html(data.metadata)}"
        f"<h2>Interactions</h2>{interactions_html(data)}"
    )
    return page(name, content)
