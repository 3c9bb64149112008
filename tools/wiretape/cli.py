"""``wiretape``: check and show any cassette file or directory.

Exit status: 0 success (``lint``: no error, warnings allowed); 1 ``lint``
found an error; 2 usage error (a wrong option, a path that does not exist, a
file ``show`` cannot read).
"""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__
from .errors import CassetteFormatError
from .file import load, write_atomically
from .html import cassette_page
from .lint import MAX_BODY_BYTES, NoSuchPathError, detect_secrets_available, lint_paths
from .show import render
from .terminal import escaped

USAGE_ERROR = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="wiretape", message="%(prog)s %(version)s")
def main() -> None:
    """Record/replay HTTP cassettes (vcrpy format): lint and show them.

    Recording and replaying happen in your tests: the pytest plugin
    (@pytest.mark.cassette, --record-mode) or wiretape.cassette().

    Exit status: 0 success; 1 lint found an error; 2 usage error (a wrong
    option, a path that does not exist, a file show cannot read).
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=MAX_BODY_BYTES,
    show_default=True,
    help="Largest request or response body, in bytes.",
)
@click.option(
    "--detect-secrets/--no-detect-secrets",
    "use_detect_secrets",
    default=True,
    show_default=True,
    help="Also run detect-secrets' scanners (when it is installed).",
)
def lint(paths: tuple[Path, ...], max_body: int, use_detect_secrets: bool) -> None:
    """Check cassette FILES or DIRECTORIES: format, secrets left in, oversize bodies, provenance.

    One line per finding: FILE[:LINE]: severity: problem [at KEY PATH].
    Exit status 1 when an error is found (warnings alone pass), 2 when a path does not exist.
    """
    try:
        findings = lint_paths(paths, max_body_bytes=max_body, use_detect_secrets=use_detect_secrets)
    except NoSuchPathError as error:
        raise click.UsageError(str(error)) from None
    for finding in findings:
        at = f" at {finding.key}" if finding.key else ""
        # A finding quotes the cassette (a key, a secret's first characters): never its control characters.
        click.echo(escaped(f"{finding.where()}: {finding.severity}: {finding.problem}{at}"))
    errors = sum(finding.severity == "error" for finding in findings)
    note = "" if detect_secrets_available() or not use_detect_secrets else " (detect-secrets not installed)"
    click.echo(f"{errors} error(s), {len(findings) - errors} warning(s){note}")
    if errors:
        raise SystemExit(1)


@main.command()
@click.argument("cassette", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--chunks/--no-chunks", default=True, show_default=True, help="Show each stream's chunk timeline."
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path),
    help="Write a self-contained HTML page instead: requests, responses, each stream's SVG timeline.",
)
def show(cassette: Path, chunks: bool, html_path: Path | None) -> None:
    """Show a CASSETTE: one row per interaction, then each streamed response's chunks
    (arrival time from the request, size, pause before it) and the error that ended it."""
    if html_path is not None and html_path.is_dir():
        raise click.UsageError(f"--html {html_path}: is a directory; name the page's file")
    if not cassette.exists():
        raise click.UsageError(f"{cassette}: no such file")
    try:
        data = load(cassette)
    except CassetteFormatError as error:
        click.echo(f"error: {escaped(error)}", err=True)
        raise SystemExit(USAGE_ERROR) from None
    if html_path is not None:
        try:
            write_atomically(html_path, cassette_page(cassette.name, data))
        except OSError as error:
            click.echo(f"error: cannot write {html_path}: {error.strerror or error}", err=True)
            raise SystemExit(USAGE_ERROR) from None
        click.echo(f"{html_path}: {len(data.interactions)} interaction(s)")
        return
    for line in render(cassette, data, chunks=chunks):
        click.echo(line)
