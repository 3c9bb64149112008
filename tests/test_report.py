"""``python -m tools report``: the static HTML report, checked as XML in plain Python and in headless Chromium."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import providers
import wiretape
from tests.html_checks import external_urls, parse, text_of, with_class
from tools.bench import write_json
from tools.bench.measure import Figure, Report, Target
from tools.cli import main
from tools.report import FLAGS, build
from tools.report_pages import write_report
from tools.rerecord import DriftCheck
from tools.scenarios import SCENARIOS

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
TAMPERED = "chatgptes/async"
HOSTILE = "aichat/challenge"
SCRIPT = "<script>alert('from the cassette')</script>"
LABELS = {"ok", "FAIL", "drift", "not compared"}


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def tamper(cassettes: Path) -> None:
    """Break one scenario's replay (same length, so the chunk sizes still add up) and plant markup in another."""
    path = cassettes / f"{TAMPERED}.yaml"
    path.write_text(path.read_text().replace('"data": "You wrote: Hello', '"data": "You wrote: Hallo'))
    # Markup where verify does not look (a response header no provider reads), so the scenario still passes.
    hostile = cassettes / f"{HOSTILE}.yaml"
    assert "      - cloudflare\n" in hostile.read_text()
    hostile.write_text(hostile.read_text().replace("      - cloudflare\n", f'      - "{SCRIPT}"\n', 1))


def bench_file(path: Path) -> Path:
    report = Report(
        figures=[
            Figure("replay 10", "wiretape", [0.05, 0.06, 0.055]),
            Figure("replay 10", "vcrpy", [0.08, 0.09]),
            Figure("replay 100", "wiretape", [0.09, 0.1]),
            Figure("replay 100", "vcrpy", [1.7, 1.8]),
            Figure("replay 1000", "wiretape", [0.5, 0.55]),
            Figure("replay 1000", "vcrpy", [], note="capped: 591 of 1000 requests in 60 s"),
            Figure("per request", "respx", [0.00035]),
        ],
        targets=[Target("per-request replay / respx", 1.13, 1.0, False)],
    )
    write_json(report, path)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("report")
    cassettes = base / "cassettes"
    shutil.copytree(CASSETTES, cassettes)
    tamper(cassettes)
    out = base / "out"
    result = invoke(
        "--cassettes",
        cassettes,
        "report",
        "--cassettes-only",
        "--out",
        out,
        "--bench",
        bench_file(base / "b.json"),
    )
    assert result.exit_code == 0, result.output
    assert f"{len(SCENARIOS) + 1} pages" in result.output and "1 FAIL" in result.output
    return out


def cells(index: ET.Element) -> dict[str, ET.Element]:
    """Matrix cells by the scenario page they link to (``provider/name``)."""
    found = {}
    for cell in with_class(index, "td", "cell"):
        (link,) = cell.iter("a")
        found[(link.get("href") or "").removesuffix(".html")] = cell
    return found


def label(cell: ET.Element) -> str:
    (shown,) = with_class(cell, "span", "badge")
    return text_of(shown)


def test_every_page_is_well_formed_and_loads_nothing_from_elsewhere(report: Path) -> None:
    pages = sorted(report.rglob("*.html"))
    assert len(pages) == len(SCENARIOS) + 1
    for page in pages:
        assert external_urls(parse(page)) == [], page


def test_the_matrix_has_one_labelled_linked_cell_per_scenario(report: Path) -> None:
    found = cells(parse(report / "index.html"))
    assert sorted(found) == sorted(SCENARIOS)
    for scenario_id, cell in found.items():
        assert label(cell) in LABELS
        assert (report / f"{scenario_id}.html").is_file()
        assert "drift: not checked" in text_of(cell)
        assert "emulated" in text_of(cell) and " ago" in text_of(cell)


def test_a_failing_scenario_is_marked_fail_with_its_reason(report: Path) -> None:
    found = cells(parse(report / "index.html"))
    assert label(found[TAMPERED]) == "FAIL" and "fail" in (found[TAMPERED].get("class") or "")
    assert "replay gave chunks" in (found[TAMPERED].get("title") or "")
    assert "replay FAIL" in text_of(found[TAMPERED])
    assert {label(cell) for scenario_id, cell in found.items() if scenario_id != TAMPERED} == {"ok"}
    page = parse(report / f"{TAMPERED}.html")
    assert "replay gave chunks" in text_of(page)


def test_each_timeline_has_one_bar_per_recorded_chunk(report: Path) -> None:
    for scenario_id in SCENARIOS:
        page = parse(report / f"{scenario_id}.html")
        data = wiretape.load(CASSETTES / f"{scenario_id}.yaml")
        expected = [
            len(i.response.chunks) for i in data.interactions if i.response.chunks or i.response.error
        ]
        timelines = with_class(page, "svg", "timeline")
        assert [len(with_class(svg, "rect", "chunk")) for svg in timelines] == expected, scenario_id
        errors = [i for i in data.interactions if i.response.error is not None]
        assert len(with_class(page, "line", "error")) == len(errors), scenario_id


def test_recorded_markup_is_shown_as_text(report: Path) -> None:
    page = parse(report / f"{HOSTILE}.html")
    assert list(page.iter("script")) == []
    assert not [meta for meta in page.iter("meta") if meta.get("http-equiv")]
    assert "<script>alert('from the cassette')</script>" in text_of(page)
    assert '<meta http-equiv="refresh" content="390">' in text_of(page)


def test_providers_show_a_derived_status_and_their_declared_flags(report: Path) -> None:
    index = parse(report / "index.html")
    (table,) = with_class(index, "table", "providers")
    rows = {text_of(row[0]): row for row in table.iter("tr") if row[0].tag == "td"}
    assert set(rows) == {provider.__name__ for provider in providers.all_providers()}
    statuses = {name: text_of(row[1]) for name, row in rows.items()}
    assert statuses.pop("ChatGptEs") == "failing"
    assert set(statuses.values()) == {"working"}
    for name, row in rows.items():
        declared = [text_of(cell) for cell in row[3:]]
        assert declared == ["yes" if getattr(providers.get(name), flag) else "no" for flag in FLAGS]


def test_the_benchmark_table_and_its_log_scale_chart(report: Path) -> None:
    index = parse(report / "index.html")
    (chart,) = with_class(index, "svg", "chart")
    assert len(with_class(chart, "circle", "wiretape")) == 3
    # vcrpy capped at 1,000: only the two measured sizes are drawn.
    assert len(with_class(chart, "rect", "vcrpy")) == 2
    ticks = [text_of(tick) for tick in with_class(chart, "text", "tick")]
    assert {"10", "100", "1,000"} <= set(ticks)
    assert "capped: 591 of 1000 requests" in text_of(index) and "NOT MET" in text_of(index)


def test_drift_is_labelled_and_shown_on_the_scenario_page(tmp_path: Path) -> None:
    chosen = [SCENARIOS["equing/sync_stream"], SCENARIOS["easychat/async"], SCENARIOS["aichat/async"]]
    checks = {
        "equing/sync_stream": DriftCheck(True, ["exchange #1 response body: new: choices[].ending_reason"]),
        "easychat/async": DriftCheck(True),
        "aichat/async": DriftCheck(False, reason="unexpected: expected text, got StatusError: 500"),
    }
    report = build(CASSETTES, chosen, checks=checks, mode="emulated")
    write_report(report, tmp_path)
    found = cells(parse(tmp_path / "index.html"))
    assert {scenario_id: label(cell) for scenario_id, cell in found.items()} == {
        "equing/sync_stream": "drift",
        "easychat/async": "ok",
        "aichat/async": "not compared",
    }
    assert "drift: none" in text_of(found["easychat/async"])
    page = parse(tmp_path / "equing" / "sync_stream.html")
    (shown,) = with_class(page, "pre", "drift")
    assert text_of(shown) == "exchange #1 response body: new: choices[].ending_reason"


def test_report_emulate_rerecords_and_finds_drift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cassettes = tmp_path / "cassettes"
    shutil.copytree(CASSETTES, cassettes)
    path = cassettes / "equing" / "sync_stream.yaml"
    path.write_text(path.read_text().replace('"finish_reason"', '"ending_reason"'))
    chosen = {scenario_id: SCENARIOS[scenario_id] for scenario_id in ("equing/sync_stream", "equing/async")}
    monkeypatch.setattr("tools.cli.SCENARIOS", chosen)
    result = invoke("--cassettes", cassettes, "report", "--emulate", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    found = cells(parse(tmp_path / "out" / "index.html"))
    assert {scenario_id: label(cell) for scenario_id, cell in found.items()} == {
        "equing/sync_stream": "drift",
        "equing/async": "ok",
    }
    assert "ending_reason" in (found["equing/sync_stream"].get("title") or "")


def test_out_naming_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    result = invoke("report", "--out", tmp_path / "taken")
    assert result.exit_code == 2
    assert "is a file" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot be read"), ("{", "not JSON"), ('{"figures": [{"case": 1}]}', "not the output of")],
)
def test_a_missing_or_wrong_bench_file_is_one_line(tmp_path: Path, content: str | None, message: str) -> None:
    bench = tmp_path / "bench.json"
    if content is not None:
        bench.write_text(content)
    result = invoke("report", "--out", tmp_path / "out", "--bench", bench)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- in a real browser

# No network at all: the pages are loaded from file:// and must need nothing else.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        pytest.fail("chromium is not installed but can be: apt-get install -y chromium (.ci/run does it)")
    pytest.skip("chromium is not installed and cannot be installed here (not root, or no apt-get)")


def browse(chromium: str, profile: Path, *args: str) -> str:
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Dom(HTMLParser):
    """The rendered DOM as Chromium serialised it: elements in document order, each with its text."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[tuple[str, list[str]]] = []
        self.feed(markup)
        self.close()
        assert self.open == [], f"unclosed: {[tag for tag, _ in self.open]}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        texts: list[str] = []
        self.elements.append((tag, {name: value or "" for name, value in attrs}, texts))
        if tag not in VOID:
            self.open.append((tag, texts))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1][0] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        for _, texts in self.open:
            texts.append(data)

    def find(self, tag: str, css: str) -> list[tuple[dict[str, str], str]]:
        return [
            (attrs, "".join(texts))
            for name, attrs, texts in self.elements
            if name == tag and css in attrs.get("class", "").split()
        ]


@pytest.fixture(scope="module")
def rendered_index(report: Path, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Dom:
    """The index as Chromium renders it; the same run takes a screenshot beside it (index.png)."""
    dumped = browse(
        chromium,
        tmp_path_factory.mktemp("profile"),
        "--dump-dom",
        f"--screenshot={report / 'index.png'}",
        "--window-size=1280,2000",
        (report / "index.html").as_uri(),
    )
    return Dom(dumped)


@pytest.mark.slow
def test_chromium_renders_the_matrix_with_the_failing_scenario_marked(rendered_index: Dom) -> None:
    dom = rendered_index
    rendered = dom.find("td", "cell")
    assert len(rendered) == len(SCENARIOS)
    failing = [text for attrs, text in rendered if "fail" in attrs["class"].split()]
    assert len(failing) == 1 and failing[0].startswith("FAIL")
    assert sum(text.startswith("ok") for _, text in rendered) == len(SCENARIOS) - 1
    # Each cell's first element is its link: the failing one leads to the tampered scenario's page.
    links = [
        dom.elements[i + 1]
        for i, (name, attrs, _) in enumerate(dom.elements)
        if name == "td" and "cell" in attrs.get("class", "").split()
    ]
    assert sorted(attrs["href"] for _, attrs, _ in links) == sorted(f"{s}.html" for s in SCENARIOS)
    assert [attrs["href"] for _, attrs, texts in links if "".join(texts).startswith("FAIL")] == [
        f"{TAMPERED}.html"
    ]


@pytest.mark.slow
def test_chromium_renders_one_bar_per_chunk(report: Path, chromium: str, tmp_path: Path) -> None:
    scenario_id = "easychat/truncated"
    page = (report / f"{scenario_id}.html").as_uri()
    dom = Dom(browse(chromium, tmp_path / "profile", "--dump-dom", page))
    data = wiretape.load(CASSETTES / f"{scenario_id}.yaml")
    assert len(dom.find("rect", "chunk")) == sum(len(i.response.chunks) for i in data.interactions)
    assert len(dom.find("line", "error")) == 1


def test_chromium_takes_a_screenshot_beside_the_report(report: Path, rendered_index: Dom) -> None:
    header = (report / "index.png").read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1280, 2000)
