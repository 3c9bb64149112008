"""``python -m tools``: record, verify, diff, lint and list the scenario cassettes."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from wiretape import CassetteFormatError, UnsafePathError, load

from .bench import DEFAULT_SIZES, render, write_json
from .bench import run as run_benchmarks
from .drift import drift as structural_drift
from .lint import lint as lint_cassettes
from .recording import (
    RecordResult,
    Source,
    UnreachableUpstreamError,
    check_reachable,
    record_scenario,
    upstreams,
    verify_scenario,
)
from .scenarios import SCENARIOS, Scenario, UnknownTargetError, cassette_path, select

DEFAULT_CASSETTES = "cassettes"


def _console() -> Console:
    # Tables stay readable when the output is a pipe or a CI log, not only on a terminal.
    return Console(width=None if sys.stdout.isatty() else 200, highlight=False)


class Context:
    def __init__(self, cassettes: Path) -> None:
        self.cassettes = cassettes
        self.console = _console()


def _scenarios(targets: tuple[str, ...]) -> list[Scenario]:
    try:
        return select(targets)
    except UnknownTargetError as error:
        raise click.BadParameter(str(error), param_hint="TARGETS") from None


def _writable(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as error:
        raise click.ClickException(f"cannot write cassettes to {root}: {error.strerror or error}") from None


@contextmanager
def _progress(console: Console) -> Iterator[Progress]:
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as progress:
        yield progress


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--cassettes",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CASSETTES,
    envvar="WIRETAPE_CASSETTES",
    show_default=True,
    help="Directory of the committed cassettes (<provider>/<scenario>.yaml).",
)
@click.pass_context
def main(context: click.Context, cassettes: Path) -> None:
    """Record, replay and check the provider cassettes.

    TARGETS are provider names (EasyChat, chatgptes…) or scenario ids
    (easychat/sync_stream); see `python -m tools list`.
    """
    context.obj = Context(cassettes)


source_option = click.option(
    "--emulate/--live",
    "emulate",
    default=True,
    show_default=True,
    help="Record against the built-in emulated upstreams (offline) or the live services.",
)


def _record_all(ctx: Context, scenarios: list[Scenario], source: Source, root: Path) -> list[RecordResult]:
    results = []
    with upstreams(source) as where, _progress(ctx.console) as progress:
        overall = progress.add_task("all scenarios", total=len(scenarios))
        for scenario in scenarios:
            task = progress.add_task(scenario.id, total=1)
            results.append(record_scenario(scenario, root, where))
            progress.update(task, completed=1)
            progress.remove_task(task)
            progress.advance(overall)
    return results


def _live_subset(ctx: Context, scenarios: list[Scenario]) -> list[Scenario]:
    faults = [scenario for scenario in scenarios if scenario.emulator_only]
    if faults:
        ctx.console.print(
            f"live: skipping {len(faults)} scenario(s) whose upstream behaviour only the emulators produce"
        )
    chosen = [scenario for scenario in scenarios if not scenario.emulator_only]
    try:
        check_reachable(chosen)
    except UnreachableUpstreamError as error:
        raise click.ClickException(str(error)) from None
    return chosen


@main.command()
@click.argument("targets", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Re-record every scenario of the catalogue.")
@source_option
@click.pass_obj
def record(ctx: Context, targets: tuple[str, ...], everything: bool, emulate: bool) -> None:
    """Re-record the cassettes of TARGETS (or --all), atomically.

    A cassette is replaced only when the call ends with the outcome its
    scenario expects; otherwise the previous cassette is kept and the exit
    status is 1.
    """
    if not targets and not everything:
        raise click.UsageError("name providers or scenarios to record, or pass --all")
    scenarios = _scenarios(targets)
    _writable(ctx.cassettes)
    source: Source = "emulated" if emulate else "live"
    if source == "live":
        scenarios = _live_subset(ctx, scenarios)
    results = _record_all(ctx, scenarios, source, ctx.cassettes)
    table = Table(title=f"recorded against the {'emulated' if emulate else 'live'} upstreams")
    for column in ("scenario", "result", "exchanges", "chunks", "bytes", "change"):
        table.add_column(column, justify="right" if column in ("exchanges", "chunks", "bytes") else "left")
    for result in results:
        change = "new" if result.changed is None else ("changed" if result.changed else "unchanged")
        outcome = result.result if result.ok else f"{result.result}: {result.detail}"
        if not result.ok:
            change = "kept previous"
        table.add_row(
            result.scenario.id, outcome, str(result.exchanges), str(result.chunks), str(result.bytes), change
        )
    ctx.console.print(table)
    failed = [result for result in results if not result.ok]
    ctx.console.print(f"{len(results) - len(failed)} recorded, {len(failed)} failed")
    if failed:
        sys.exit(1)


@main.command()
@click.argument("targets", nargs=-1)
@click.pass_obj
def verify(ctx: Context, targets: tuple[str, ...]) -> None:
    """Replay the cassettes of TARGETS (default: all) offline; exit 1 on any failure."""
    scenarios = _scenarios(targets)
    failures = 0
    for provider in dict.fromkeys(scenario.provider for scenario in scenarios):
        table = Table(title=provider)
        for column in ("scenario", "result", "outcome"):
            table.add_column(column)
        for scenario in (s for s in scenarios if s.provider == provider):
            result = verify_scenario(scenario, ctx.cassettes)
            failures += not result.ok
            outcome = result.outcome.summary() if result.outcome else ""
            verdict = "ok" if result.ok else "FAIL: " + "; ".join(result.problems)
            table.add_row(scenario.name, verdict, outcome)
        ctx.console.print(table)
    ctx.console.print(f"{len(scenarios) - failures} passed, {failures} failed")
    if failures:
        sys.exit(1)


@main.command()
@click.argument("targets", nargs=-1)
@source_option
@click.pass_obj
def diff(ctx: Context, targets: tuple[str, ...], emulate: bool) -> None:
    """Re-record TARGETS (default: all) into a temporary place and report structural drift.

    Compared: number of exchanges, method and URL, status, header names, JSON
    key paths and types, form fields, event shapes, how a stream ended.
    Values expected to change (text, ids, timings, secrets) are ignored.

    Exit status: 0 no drift, 1 drift, 2 a scenario could not be compared.
    """
    scenarios = _scenarios(targets)
    source: Source = "emulated" if emulate else "live"
    if source == "live":
        scenarios = _live_subset(ctx, scenarios)
    with tempfile.TemporaryDirectory(prefix="wiretape-diff-") as scratch:
        results = _record_all(ctx, scenarios, source, Path(scratch))
        status = 0
        table = Table(title="drift against the committed cassettes")
        table.add_column("scenario")
        table.add_column("drift")
        for result in results:
            committed_path = cassette_path(ctx.cassettes, result.scenario.id)
            if not result.ok:
                table.add_row(result.scenario.id, f"not compared: {result.result}: {result.detail}")
                status = 2
                continue
            try:
                committed = load(committed_path)
            except CassetteFormatError as error:
                table.add_row(result.scenario.id, f"not compared: {error}")
                status = 2
                continue
            report = structural_drift(committed, load(cassette_path(Path(scratch), result.scenario.id)))
            table.add_row(result.scenario.id, "\n".join(report) if report else "none")
            if report and status == 0:
                status = 1
    ctx.console.print(table)
    ctx.console.print({0: "no drift", 1: "drift found", 2: "some scenarios could not be compared"}[status])
    sys.exit(status)


@main.command()
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=1 << 20,
    show_default=True,
    help="Largest body in bytes.",
)
@click.pass_obj
def lint(ctx: Context, max_body: int) -> None:
    """Check cassette health: unsanitised secrets, orphans, missing cassettes, format errors, oversize bodies.

    Exit status 1 when any error is found (warnings alone pass).
    """
    findings = lint_cassettes(ctx.cassettes, SCENARIOS, max_body_bytes=max_body)
    errors = [finding for finding in findings if finding.severity == "error"]
    if findings:
        table = Table(title="cassette findings")
        for column in ("cassette", "severity", "problem"):
            table.add_column(column)
        for finding in findings:
            table.add_row(str(finding.path), finding.severity, finding.problem)
        ctx.console.print(table)
    ctx.console.print(f"{len(errors)} error(s), {len(findings) - len(errors)} warning(s) in {ctx.cassettes}")
    if errors:
        sys.exit(1)


@main.command(name="list")
@click.pass_obj
def list_scenarios(ctx: Context) -> None:
    """List providers and scenarios with their cassette status and recording time."""
    table = Table(title=f"scenarios ({len(SCENARIOS)}) and cassettes in {ctx.cassettes}")
    for column in ("scenario", "call", "expects", "cassette", "recorded at"):
        table.add_column(column)
    for scenario in SCENARIOS.values():
        status, recorded_at = _cassette_status(ctx.cassettes, scenario)
        table.add_row(scenario.id, scenario.describe(), scenario.expect, status, recorded_at)
    ctx.console.print(table)


def _cassette_status(root: Path, scenario: Scenario) -> tuple[str, str]:
    try:
        path = cassette_path(root, scenario.id)
    except UnsafePathError as error:
        return f"invalid: {error}", ""
    if not path.exists():
        return "missing", ""
    try:
        data = load(path)
    except CassetteFormatError:
        return "unreadable", ""
    metadata: dict[str, Any] = data.metadata
    return "ok", str(metadata.get("recorded_at", "unknown"))


@main.command()
@click.option(
    "--sizes",
    default=",".join(map(str, DEFAULT_SIZES)),
    show_default=True,
    help="Interaction counts of the replay-scaling case (comma-separated).",
)
@click.option(
    "--repeat", "runs", type=click.IntRange(min=1), default=3, show_default=True, help="Timed runs per case."
)
@click.option(
    "--vcrpy-cap",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds after which a vcrpy replay is stopped (and larger sizes skipped).",
)
@click.option("--suite/--no-suite", default=True, show_default=True, help="Also time the offline test suite.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the figures here."
)
@click.pass_obj
def bench(ctx: Context, sizes: str, runs: int, vcrpy_cap: float, suite: bool, json_path: Path | None) -> None:
    """Benchmark wiretape against vcrpy and respx on the same data; print medians, ranges, ratios, targets.

    Cases: replay scaling (N body-matched POSTs), per-request replay with the
    cassette open, open plus one request, a 200-event stream through
    EasyChat, the recording tee's overhead, import time, the test suite.
    Exit status 1 when a target is not met.
    """
    try:
        size_list = tuple(int(size) for size in sizes.split(",") if size.strip())
    except ValueError:
        raise click.BadParameter(
            f"{sizes!r} is not a comma-separated list of integers", param_hint="--sizes"
        ) from None
    if not size_list or min(size_list) < 1:
        raise click.BadParameter("sizes must be positive integers", param_hint="--sizes")
    report = run_benchmarks(sizes=size_list, runs=runs, vcrpy_cap=vcrpy_cap, suite=suite, console=ctx.console)
    render(report, ctx.console)
    if json_path is not None:
        write_json(report, json_path)
        ctx.console.print(f"figures written to {json_path}")
    if not all(target.met for target in report.targets):
        sys.exit(1)
