"""``python -m tools``: record, verify, diff, lint and list the scenario cassettes."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from wiretape import CassetteFormatError, UnsafePathError, load
from wiretape.file import write_atomically
from wiretape.lint import Finding, detect_secrets_available

from .bench import CASES, DEFAULT_BIG, DEFAULT_RECORD_MB, DEFAULT_SIZES, render, write_json
from .bench import run as run_benchmarks
from .emulators.behaviours import Behaviour
from .junit import Timed, junit_xml
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
from .report import Mode
from .report import build as build_report
from .report_bench import BenchFileError, load_bench
from .report_pages import write_report
from .rerecord import DriftCheck, compare
from .scenarios import SCENARIOS, Scenario, UnknownTargetError, cassette_path, select

DEFAULT_CASSETTES = "cassettes"
DEFAULT_REPORT = "contract-report"


NOT_COMPARED = 2
USAGE_ERROR = 2


def _console() -> Console:
    # Tables stay readable when the output is a pipe or a CI log, not only on a terminal;
    # markup off: file names like "[paris].yaml" are printed as they are.
    return Console(width=None if sys.stdout.isatty() else 200, highlight=False, markup=False)


class Context:
    def __init__(self) -> None:
        self.cassettes = Path(os.environ.get("WIRETAPE_CASSETTES") or DEFAULT_CASSETTES)
        self.console = _console()

    def existing_cassettes(self) -> Path:
        """The cassette directory, which must exist (one line, exit 2, when it does not)."""
        if not self.cassettes.is_dir():
            raise click.UsageError(f"no cassette directory at {self.cassettes} (see --cassettes)")
        return self.cassettes


def _id_table(title: str, id_column: str, ids: list[str], *columns: str) -> Table:
    """A table whose first column (the ids users copy) is never cut: the other columns fold first."""
    table = Table(title=title)
    table.add_column(id_column, no_wrap=True, min_width=max(map(len, ids), default=0))
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _set_cassettes(context: click.Context, _: click.Parameter, value: Path | None) -> None:
    if value is not None:
        context.ensure_object(Context).cassettes = value


def cassettes_option(command: Any) -> Any:
    """``--cassettes DIR``, accepted before or after the subcommand."""
    return click.option(
        "--cassettes",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        expose_value=False,
        callback=_set_cassettes,
        help=f"Directory of the cassettes (<provider>/<scenario>.yaml); default ./{DEFAULT_CASSETTES} "
        "or $WIRETAPE_CASSETTES.",
    )(command)


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
@click.pass_context
def main(context: click.Context) -> None:
    """Record, replay and check this repository's scenario cassettes.

    TARGETS are provider names (EasyChat, chatgptes…) or scenario ids
    (easychat/sync_stream); see `python -m tools list`. For any other
    cassette file or directory, use the `wiretape` command (lint, show).
    """
    context.ensure_object(Context)


main = cassettes_option(main)


source_option = click.option(
    "--emulate/--live",
    "emulate",
    default=True,
    show_default=True,
    help="Record against the built-in emulated upstreams (offline) or the live services.",
)


def _record_all(
    ctx: Context, scenarios: list[Scenario], source: Source, root: Path, *, keep_unexpected: bool = False
) -> list[RecordResult]:
    results = []
    with upstreams(source) as where, _progress(ctx.console) as progress:
        overall = progress.add_task("all scenarios", total=len(scenarios))
        for scenario in scenarios:
            task = progress.add_task(scenario.id, total=1)
            results.append(record_scenario(scenario, root, where, keep_unexpected=keep_unexpected))
            progress.update(task, completed=1)
            progress.remove_task(task)
            progress.advance(overall)
    return results


def _live_subset(ctx: Context, scenarios: list[Scenario], *, unreachable_status: int) -> list[Scenario]:
    faults = [scenario for scenario in scenarios if scenario.emulator_only]
    if faults:
        ctx.console.print(
            f"live: skipping {len(faults)} scenario(s) whose upstream behaviour only the emulators produce"
        )
    chosen = [scenario for scenario in scenarios if not scenario.emulator_only]
    try:
        check_reachable(chosen)
    except UnreachableUpstreamError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(unreachable_status)
    return chosen


@main.command()
@click.argument("targets", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Re-record every scenario of the catalogue.")
@source_option
@cassettes_option
@click.pass_obj
def record(ctx: Context, targets: tuple[str, ...], everything: bool, emulate: bool) -> None:
    """Re-record the cassettes of TARGETS (or --all), atomically.

    A cassette is replaced only when the call ends with the outcome its
    scenario expects: text (from the emulators, the echo of the prompt), or
    the error class with a message naming the provider and the cause.
    Otherwise the previous cassette is kept, one line says what was expected
    and what came, and the exit status is 1.
    """
    if not targets and not everything:
        raise click.UsageError("name providers or scenarios to record, or pass --all")
    scenarios = _scenarios(targets)
    _writable(ctx.cassettes)
    source: Source = "emulated" if emulate else "live"
    if source == "live":
        scenarios = _live_subset(ctx, scenarios, unreachable_status=1)
    results = _record_all(ctx, scenarios, source, ctx.cassettes)
    table = _id_table(
        f"recorded against the {source} upstreams",
        "scenario",
        [result.scenario.id for result in results],
        "result",
        "exchanges",
        "chunks",
        "bytes",
        "change",
    )
    for result in results:
        change = "new" if result.changed is None else ("changed" if result.changed else "unchanged")
        if not result.ok:
            change = "kept previous"
        table.add_row(
            result.scenario.id,
            _verb(result),
            str(result.exchanges),
            str(result.chunks),
            str(result.bytes),
            change,
        )
    ctx.console.print(table)
    failed = [result for result in results if not result.ok]
    for result in failed:
        # Unwrapped, one line each: what the catalogue expected and what came.
        click.echo(f"{_verb(result)} {result.scenario.id}: {result.detail}; kept the previous cassette")
    ctx.console.print(f"{len(results) - len(failed)} recorded, {len(failed)} failed")
    if failed:
        sys.exit(1)


def _verb(result: RecordResult) -> str:
    return {"recorded": "recorded", "unexpected": "refused", "crashed": "crashed"}[result.result]


@main.command()
@click.argument("targets", nargs=-1)
@click.option(
    "--junit",
    "junit_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the results as JUnit XML (a testcase per scenario, classname the provider).",
)
@cassettes_option
@click.pass_obj
def verify(ctx: Context, targets: tuple[str, ...], junit_path: Path | None) -> None:
    """Replay the cassettes of TARGETS (default: all) offline; exit 1 on any failure."""
    scenarios = _scenarios(targets)
    root = ctx.existing_cassettes()
    failures = 0
    timed: list[Timed] = []
    for provider in dict.fromkeys(scenario.provider for scenario in scenarios):
        chosen = [s for s in scenarios if s.provider == provider]
        table = _id_table(provider, "scenario", [s.id for s in chosen], "result", "outcome")
        for scenario in chosen:
            started = time.perf_counter()
            result = verify_scenario(scenario, root)
            timed.append(Timed(result, time.perf_counter() - started))
            failures += not result.ok
            outcome = result.outcome.summary() if result.outcome else ""
            verdict = "ok" if result.ok else "FAIL: " + "; ".join(result.problems)
            table.add_row(scenario.id, verdict, outcome)
        ctx.console.print(table)
    ctx.console.print(f"{len(scenarios) - failures} passed, {failures} failed")
    if junit_path is not None:
        _write_text(junit_path, junit_xml(timed))
        ctx.console.print(f"JUnit XML written to {junit_path}")
    if failures:
        sys.exit(1)


def _write_text(path: Path, content: str) -> None:
    try:
        write_atomically(path, content)
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror or error}") from None


@main.command()
@click.argument("targets", nargs=-1)
@source_option
@cassettes_option
@click.pass_obj
def diff(ctx: Context, targets: tuple[str, ...], emulate: bool) -> None:
    """Re-record TARGETS (default: all) into a temporary place and report structural drift.

    Compared, exchange by exchange: method and URL, status, header names, the
    values of the headers the providers read (content-type, the names of the
    cookies set, retry-after), JSON key paths and types, form fields, event
    names and shapes, the forms a page carries its nonce and post id in, how a
    stream ended; and the number of exchanges. Values expected to change (text,
    ids, timings, secrets, cookie values) are ignored. A recording whose outcome
    `record` would refuse is compared too (the cause is often an earlier
    exchange); the committed cassette is never touched. Each drifted scenario
    shows the refusal, if any, then the first exchange that differs and why.

    Exit status: 0 no drift, 1 drift (or an outcome `record` would refuse), 2 could
    not compare (a scenario crashed while recording, a committed cassette is
    missing or unreadable, a live host is unreachable).
    """
    scenarios = _scenarios(targets)
    root = ctx.existing_cassettes()
    source: Source = "emulated" if emulate else "live"
    if source == "live":
        scenarios = _live_subset(ctx, scenarios, unreachable_status=NOT_COMPARED)
    with tempfile.TemporaryDirectory(prefix="wiretape-diff-") as scratch:
        results = _record_all(ctx, scenarios, source, Path(scratch), keep_unexpected=True)
        statuses = [
            _report_drift(result.scenario.id, compare(root, Path(scratch), result)) for result in results
        ]
    status = max(statuses, default=0)
    click.echo({0: "no drift", 1: "drift found", 2: "some scenarios could not be compared"}[status])
    sys.exit(status)


def _report_drift(scenario_id: str, check: DriftCheck) -> int:
    """Print one scenario's drift (one line each, unwrapped); its exit status."""
    if not check.compared:
        click.echo(f"{scenario_id}: not compared: {check.reason}")
        return NOT_COMPARED
    if not check.drifted:
        click.echo(f"{scenario_id}: no drift")
        return 0
    click.echo(f"{scenario_id}: drift")
    if check.refused:
        click.echo(f"  refused: {check.refused}")
    for position, line in enumerate(check.lines):
        click.echo(f"  {'first difference: ' if position == 0 else ''}{line}")
    return 1


def _fresh_checks(ctx: Context, root: Path, mode: Mode) -> dict[str, DriftCheck] | None:
    """Re-record the catalogue into a scratch directory (as ``diff`` does) and compare; None: not asked."""
    if mode == "cassettes":
        return None
    scenarios = list(SCENARIOS.values())
    if mode == "live":
        scenarios = _live_subset(ctx, scenarios, unreachable_status=NOT_COMPARED)
    with tempfile.TemporaryDirectory(prefix="wiretape-report-") as scratch:
        results = _record_all(ctx, scenarios, mode, Path(scratch), keep_unexpected=True)
        return {result.scenario.id: compare(root, Path(scratch), result) for result in results}


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=DEFAULT_REPORT,
    show_default=True,
    help="Directory of the report (index.html, one page per scenario); created if missing.",
)
@click.option(
    "--cassettes-only",
    "mode",
    flag_value="cassettes",
    default=True,
    help="Replay the committed cassettes only; drift is not checked (the default, offline, seconds).",
)
@click.option(
    "--emulate", "mode", flag_value="emulated", help="Also re-record against the emulators and show drift."
)
@click.option(
    "--live", "mode", flag_value="live", help="Also re-record against the live services and show drift."
)
@click.option(
    "--bench",
    "bench_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A `python -m tools bench --json` file: add its table and a replay-time chart.",
)
@cassettes_option
@click.pass_obj
def report(ctx: Context, out: Path, mode: Mode, bench_path: Path | None) -> None:
    """Write a static HTML report (no server, no external URL; opens from file://).

    index.html: each provider's status (working, failing, stale) and declared
    flags; a provider × scenario matrix (verdict, outcome as recorded, replay,
    drift, source and age of the recording; the reasons in each cell's
    tooltip); the benchmark with --bench. One page per scenario: the
    sanitised exchanges, each stream's timeline, the drift. Exit status 0 when
    written, whatever the verdicts (`verify` and `diff` are the gates).
    """
    started = time.perf_counter()
    root = ctx.existing_cassettes()
    if out.exists() and not out.is_dir():
        raise click.UsageError(f"--out {out}: is a file; name a directory for the report")
    try:
        bench = load_bench(bench_path) if bench_path is not None else None
    except BenchFileError as error:
        raise click.UsageError(f"--bench {error}") from None
    data = build_report(root, SCENARIOS.values(), checks=_fresh_checks(ctx, root, mode), mode=mode)
    try:
        pages = write_report(data, out, bench)
    except OSError as error:
        raise click.ClickException(f"cannot write the report to {out}: {error.strerror or error}") from None
    size = sum(page.stat().st_size for page in pages)
    verdicts = Counter(row.label.text for row in data.rows)
    ctx.console.print(
        f"{pages[0]}: {len(pages)} pages, {size / 1024:.0f} KiB, in {time.perf_counter() - started:.1f} s; "
        + ", ".join(f"{count} {verdict}" for verdict, count in verdicts.items())
    )


@main.command()
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=1 << 20,
    show_default=True,
    help="Largest body in bytes.",
)
@click.option(
    "--detect-secrets/--no-detect-secrets",
    "use_detect_secrets",
    default=True,
    show_default=True,
    help="Also run detect-secrets' scanners.",
)
@cassettes_option
@click.pass_obj
def lint(ctx: Context, max_body: int, use_detect_secrets: bool) -> None:
    """Check the catalogue's cassettes: every check of `wiretape lint` (format, unsanitised
    secrets, detect-secrets, oversize bodies, provenance) plus orphans and missing cassettes.

    Exit status 1 when any error is found (warnings alone pass), 2 when the directory is missing or
    detect-secrets is asked for but not installed (CI's lint step must not pass without its scanners).
    """
    if use_detect_secrets and not detect_secrets_available():
        raise click.UsageError(
            "detect-secrets is not installed: pip install 'wiretape[lint]', or pass --no-detect-secrets"
        )
    root = ctx.existing_cassettes()
    findings = lint_cassettes(root, SCENARIOS, max_body_bytes=max_body, use_detect_secrets=use_detect_secrets)
    errors = [finding for finding in findings if finding.severity == "error"]
    if findings:
        places = [_place(root, finding) for finding in findings]
        table = _id_table(f"cassette findings in {root}", "cassette", places, "severity", "problem", "key")
        for place, finding in zip(places, findings, strict=True):
            table.add_row(place, finding.severity, finding.problem, finding.key or "")
        ctx.console.print(table)
    ctx.console.print(f"{len(errors)} error(s), {len(findings) - len(errors)} warning(s) in {root}")
    if errors:
        sys.exit(1)


def _place(root: Path, finding: Finding) -> str:
    """``provider/scenario.yaml[:line]``, relative to the cassette directory."""
    try:
        path = finding.path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        path = str(finding.path)
    return f"{path}:{finding.line}" if finding.line is not None else path


@main.command(name="list")
@click.option("--behaviours", is_flag=True, help="List the emulated upstreams' behaviours instead.")
@cassettes_option
@click.pass_obj
def list_scenarios(ctx: Context, behaviours: bool) -> None:
    """List providers and scenarios with their cassette status and recording time
    (or, with --behaviours, the behaviours a scenario can ask of the emulated upstreams)."""
    if behaviours:
        table = _id_table(
            "emulated upstream behaviours", "behaviour", [b.value for b in Behaviour], "what it does"
        )
        for behaviour in Behaviour:
            table.add_row(behaviour.value, behaviour.description)
        ctx.console.print(table)
        return
    root = ctx.existing_cassettes()
    table = _id_table(
        f"scenarios ({len(SCENARIOS)}) and cassettes in {root}",
        "scenario",
        list(SCENARIOS),
        "call",
        "expects",
        "cassette",
        "recorded at",
    )
    for scenario in SCENARIOS.values():
        status, recorded_at = _cassette_status(root, scenario)
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


def _positive_integers(text: str, option: str) -> tuple[int, ...]:
    try:
        values = tuple(int(value) for value in text.split(",") if value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a comma-separated list of integers", param_hint=option
        ) from None
    if not values or min(values) < 1:
        raise click.BadParameter("sizes must be positive integers", param_hint=option)
    return values


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
@click.option(
    "--big-mb",
    default=",".join(map(str, DEFAULT_BIG)),
    show_default=True,
    help="Sizes in MB of the big-body cases (JSON requests; a streamed answer of the largest).",
)
@click.option(
    "--record-mb",
    type=click.IntRange(min=1),
    default=DEFAULT_RECORD_MB,
    show_default=True,
    help="Size in MB of the streamed answer the recording-throughput case reads.",
)
@click.option("--suite/--no-suite", default=True, show_default=True, help="Also time the offline test suite.")
@click.option(
    "--smoke",
    is_flag=True,
    help="Run each case once, without warming up: shows that every case runs (its figures mean nothing).",
)
@click.option(
    "--case",
    "only",
    multiple=True,
    type=click.Choice(CASES),
    help="Run only this case (repeatable); the targets shown are those its figures give.",
)
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the figures here."
)
@click.pass_obj
def bench(
    ctx: Context,
    sizes: str,
    runs: int,
    vcrpy_cap: float,
    big_mb: str,
    record_mb: int,
    suite: bool,
    smoke: bool,
    only: tuple[str, ...],
    json_path: Path | None,
) -> None:
    """Benchmark wiretape against vcrpy and respx on the same data; print medians, ranges, ratios, targets.

    Cases: replay scaling (N body-matched POSTs), per-request replay with the
    cassette open (default and configured matching), open plus one request, a
    200-event stream through EasyChat, big bodies (JSON requests, a streamed
    answer), the recording tee's overhead, import time, the test suite.
    Exit status 1 when a target is not met.
    """
    size_list = _positive_integers(sizes, "--sizes")
    big = _positive_integers(big_mb, "--big-mb")
    report = run_benchmarks(
        sizes=size_list,
        runs=runs,
        smoke=smoke,
        vcrpy_cap=vcrpy_cap,
        suite=suite,
        big=big,
        record_mb=record_mb,
        only=only,
        console=ctx.console,
    )
    render(report, ctx.console)
    if json_path is not None:
        write_json(report, json_path)
        ctx.console.print(f"figures written to {json_path}")
    if not all(target.met for target in report.targets):
        sys.exit(1)
