"""The contract report as static pages: ``index.html`` (providers, the scenario matrix, the benchmark)
and ``<provider>/<scenario>.html`` per scenario, built on ``wiretape.html``'s cassette pages."""

from __future__ import annotations

from pathlib import Path

from wiretape.html import badge, interactions_html, metadata_html, page, table, text

from .report import FLAGS, Report, ScenarioRow, age
from .report_bench import Bench, bench_html

STATUS_KINDS = {"working": "ok", "failing": "fail", "stale": "warn"}
STYLE = """
nav { margin: 4px 0 8px; } nav a { margin-right: 14px; }
.summary .badge { margin-right: 4px; } .summary span.count { margin-right: 14px; }
table.matrix { width: 100%; table-layout: fixed; }
table.matrix thead th:first-child { width: 200px; } table.matrix tbody th { overflow-wrap: anywhere; }
table.matrix td.cell { padding: 5px 8px; }
table.matrix td.cell a { text-decoration: none; color: inherit; display: block; }
table.matrix td.cell.fail { background: #fff5f5; } table.matrix td.cell.warn { background: #fffaf0; }
table.matrix td.none { color: #b0b8c1; text-align: center; vertical-align: middle; }
.cell .meta { font-size: 12px; color: var(--muted); line-height: 1.35; }
.cell .kind { font-size: 12px; font-weight: 600; margin-left: 4px; word-break: break-word; }
.flag-yes { color: var(--ok); font-weight: 600; } .flag-no { color: var(--muted); }
.legend { font-size: 12px; color: var(--muted); }
svg.chart { display: block; max-width: 100%; height: auto; border: 1px solid var(--line);
            border-radius: 6px; }
svg .grid { stroke: #e3e7eb; stroke-width: 1; }
svg .series { fill: none; stroke-width: 2; } svg .series.wiretape, svg .point.wiretape { stroke: #1f6feb; }
svg .series.vcrpy, svg .point.vcrpy { stroke: #bf3989; }
svg .point { fill: #fff; stroke-width: 2; } svg text.series-label { font-weight: 700; fill: #1f2328; }
@media print { table.matrix td.cell.fail, table.matrix td.cell.warn { background: none; } }
"""


def _page_path(row: ScenarioRow) -> str:
    """The scenario page, relative to the report's directory (ids are the catalogue's own, safe names)."""
    return f"{row.scenario.id}.html"


def _outcome_kind(row: ScenarioRow) -> str:
    recorded = row.recorded
    if recorded is None:
        return "no recorded outcome"
    return recorded.error or f"text, {len(recorded.chunks)} chunk(s)"


def _cell(row: ScenarioRow, report: Report) -> str:
    label = row.label
    replay = "replay ok" if row.verify.ok else "replay FAIL"
    return (
        f'<td class="cell {label.kind}" title="{text(chr(10).join(row.reasons()))}">'
        f'<a href="{_page_path(row)}">{badge(label.text, label.kind)}'
        f'<span class="kind">{text(_outcome_kind(row))}</span>'
        f'<div class="meta">{text(replay)} · drift: {text(row.drift_short)}</div>'
        f'<div class="meta">{text(row.source)} · {text(age(row.recorded_at, report.generated_at))}</div>'
        "</a></td>"
    )


def matrix_html(report: Report) -> str:
    """Scenario names down, providers across; one cell per scenario, a dash where a provider has none."""
    names = list(dict.fromkeys(row.scenario.name for row in report.rows))
    providers = [status.name for status in report.providers]
    by_place = {(row.scenario.provider, row.scenario.name): row for row in report.rows}
    head = "".join(
        f'<th><a href="#provider-{text(name.lower())}">{text(name)}</a></th>' for name in providers
    )
    body = []
    for name in names:
        cells = [
            _cell(by_place[(provider, name)], report)
            if (provider, name) in by_place
            else '<td class="none">–</td>'
            for provider in providers
        ]
        body.append(f"<tr><th>{text(name)}</th>{''.join(cells)}</tr>")
    return (
        f'<table class="matrix"><thead><tr><th>scenario</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def providers_html(report: Report) -> str:
    header = ["provider", "status", "based on", *(f"declares {text(name)}" for name in FLAGS.values())]
    rows = []
    for status in report.providers:
        answers = ["yes" if status.flags[flag] else "no" for flag in FLAGS]
        flags = [f'<span class="flag-{answer}">{answer}</span>' for answer in answers]
        rows.append(
            [
                f'<span id="provider-{text(status.name.lower())}">{text(status.name)}</span>',
                badge(status.status, STATUS_KINDS[status.status]),
                text(status.basis),
                *flags,
            ]
        )
    return table(header, rows, css="providers")


def _counts(report: Report) -> str:
    labels = [row.label for row in report.rows]
    parts = []
    for shown in ("ok", "FAIL", "drift", "not compared"):
        found = [label for label in labels if label.text == shown]
        if found:
            parts.append(f'<span class="count">{badge(shown, found[0].kind)} {len(found)}</span>')
    return f'<p class="summary">{"".join(parts)}</p>'


def index_html(report: Report, bench: Bench | None) -> str:
    mode = {"cassettes": "cassettes only (no re-recording)", "emulated": "re-recorded against the emulators"}
    generated = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    content = (
        "<h1>Contract report</h1>"
        f'<p class="sub">{len(report.rows)} scenarios of {len(report.providers)} providers · '
        f"cassettes in <code>{text(report.cassettes.as_posix())}</code> · "
        f"drift: {text(mode.get(report.mode, 're-recorded against the live services'))} · "
        f"generated {text(generated)}</p>"
        '<nav><a href="#providers">Providers</a><a href="#scenarios">Scenarios</a>'
        + ('<a href="#benchmark">Benchmark</a>' if bench else "")
        + "</nav>"
        + _counts(report)
        + '<h2 id="providers">Providers</h2>'
        + providers_html(report)
        + '<h2 id="scenarios">Scenarios</h2>'
        '<p class="legend">Each cell: the verdict (ok, FAIL: the cassette no longer replays to its '
        "recorded outcome, drift: a fresh recording differs in structure, not compared: the fresh "
        "recording failed), the outcome as recorded, replay and drift, the source and age of the "
        "recording. Hover for the reasons; click for the exchanges.</p>"
        + matrix_html(report)
        + (bench_html(bench) if bench else "")
    )
    return page("Contract report", content, style=STYLE)


def scenario_html(row: ScenarioRow, report: Report) -> str:
    scenario, label = row.scenario, row.label
    recorded = row.recorded
    if recorded is None:
        outcome = '<p class="muted">no recorded outcome</p>'
    elif recorded.error:
        outcome = f"<pre>{text(recorded.error)}: {text(recorded.message)}</pre>"
    else:
        outcome = f"<pre>{text(''.join(recorded.chunks))}</pre>"
    problems = "".join(f"<li>{text(problem)}</li>" for problem in row.verify.problems)
    when = row.recorded_at
    facts = [
        ("verdict", badge(label.text, label.kind)),
        ("call", text(scenario.describe())),
        ("expects", text(scenario.expect)),
        ("replay", text("ok") if row.verify.ok else f"{badge('FAIL', 'fail')}<ul>{problems}</ul>"),
        ("drift", text(row.drift_text)),
        ("recorded", text(f"{when.isoformat() if when else 'unknown'} ({age(when, report.generated_at)})")),
        ("source", text(row.source)),
        ("cassette", f"<code>{text(row.cassette.as_posix())}</code>"),
    ]
    rows = "".join(f"<tr><td>{name}</td><td>{value}</td></tr>" for name, value in facts)
    drift = ""
    if row.drift is not None and row.drift.drifted:
        drift = f'<h2>Drift</h2><pre class="drift">{text(chr(10).join(row.drift.lines))}</pre>'
    exchanges = (
        interactions_html(row.data) if row.data is not None else '<p class="muted">no readable cassette</p>'
    )
    provenance = metadata_html(row.data.metadata) if row.data is not None else ""
    content = (
        '<nav><a href="../index.html">← Contract report</a></nav>'
        f"<h1>{text(scenario.id)}</h1>"
        f'<p class="sub">{text(scenario.provider)} · {text(scenario.describe())}</p>'
        f'<table class="facts"><tbody>{rows}</tbody></table>'
        f"<h2>Outcome as recorded</h2>{outcome}{drift}"
        f"<h2>Exchanges</h2>{exchanges}"
        f"<h2>Provenance</h2>{provenance}"
    )
    return page(scenario.id, content, style=STYLE)


def write_report(report: Report, out: Path, bench: Bench | None = None) -> list[Path]:
    """Write every page under ``out``; returns their paths, ``index.html`` first."""
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text(index_html(report, bench), encoding="utf-8")
    written = [index]
    for row in report.rows:
        path = out / _page_path(row)
        path.parent.mkdir(exist_ok=True)
        path.write_text(scenario_html(row, report), encoding="utf-8")
        written.append(path)
    return written
