"""The benchmark cases. Each adds its figures (and the facts its targets need) to a Report."""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

import providers
from providers.messages import Messages
from wiretape import Cassette

from ..emulators import emulated_upstreams
from ..emulators.server import Exchange, LoopbackServer
from .data import URL, big_body_cassette, big_json, post_cassette, question, sse_events
from .measure import Figure, Plan, Report, repeat

STREAM_EVENTS = 200
EASYCHAT_SERVER = "chat10.fastgpt.me"
USER: Messages = [{"role": "user", "content": "Hello"}]


def _post_all(size: int) -> None:
    with httpx.Client() as client:
        for index in range(size):
            client.post(URL, json=question(index)).read()


def _vcrpy(path: Path, size: int, deadline: float | None = None) -> int:
    """Replay with stock vcrpy; returns how many requests were done before the deadline."""
    import vcr

    with (
        vcr.use_cassette(str(path), record_mode="none", match_on=["method", "uri", "body"]),
        httpx.Client() as client,
    ):
        for index in range(size):
            if deadline is not None and time.perf_counter() > deadline:
                return index
            client.post(URL, json=question(index)).read()
    return size


# ---------------------------------------------------------------- 1. replay scaling


def replay_scaling(report: Report, workdir: Path, sizes: list[int], plan: Plan, vcrpy_cap: float) -> None:
    capped_from: int | None = None
    for size in sizes:
        path = workdir / f"scaling-{size}.yaml"
        post_cassette(path, size)

        def ours(path: Path = path, size: int = size) -> None:
            with Cassette(path):
                _post_all(size)

        report.add(Figure(f"replay {size}", "wiretape", repeat(ours, plan.times(), warmup=plan.warmups())))
        if capped_from is not None:
            report.add(
                Figure(
                    f"replay {size}", "vcrpy", [], note=f"capped (over {vcrpy_cap:.0f} s at N={capped_from})"
                )
            )
            continue
        started = time.perf_counter()
        done = _vcrpy(path, size, deadline=started + vcrpy_cap)
        elapsed = time.perf_counter() - started
        if done < size:
            capped_from = size
            report.add(
                Figure(
                    f"replay {size}",
                    "vcrpy",
                    [],
                    note=f"capped: {done} of {size} requests in {elapsed:.0f} s",
                )
            )
            report.facts[f"vcrpy lower bound {size}"] = elapsed
            continue
        times = [elapsed]
        # Repeat only while it stays cheap: vcrpy's replay is quadratic.
        if elapsed * plan.times() < vcrpy_cap / 4:

            def theirs(path: Path = path, size: int = size) -> None:
                _vcrpy(path, size)

            times += repeat(theirs, plan.times() - 1, warmup=0)
        report.add(Figure(f"replay {size}", "vcrpy", times))


# ---------------------------------------------------------------- 2. per request, and open plus one


def per_request(report: Report, workdir: Path, plan: Plan, size: int = 200) -> None:
    path = workdir / f"per-request-{size}.yaml"
    post_cassette(path, size)

    def ours() -> float:
        with Cassette(path), httpx.Client() as client:
            started = time.perf_counter()
            for index in range(size):
                client.post(URL, json=question(index)).read()
            return (time.perf_counter() - started) / size

    def ours_configured() -> float:
        # A user's configuration: vcrpy-like URL matching plus the body, client headers ignored.
        with (
            Cassette(
                path, match_on=("method", "path", "query", "body"), ignore_headers=("user-agent", "x-*")
            ),
            httpx.Client() as client,
        ):
            started = time.perf_counter()
            for index in range(size):
                client.post(URL, json=question(index)).read()
            return (time.perf_counter() - started) / size

    def respx_one_route() -> float:
        import respx

        with respx.mock(using="httpx") as router, httpx.Client() as client:
            router.post(URL).respond(200, json={"answer": "reply"})
            started = time.perf_counter()
            for index in range(size):
                client.post(URL, json=question(index)).read()
            return (time.perf_counter() - started) / size

    def vcrpy_open() -> float:
        import vcr

        with (
            vcr.use_cassette(str(path), record_mode="none", match_on=["method", "uri", "body"]),
            httpx.Client() as client,
        ):
            started = time.perf_counter()
            for index in range(size):
                client.post(URL, json=question(index)).read()
            return (time.perf_counter() - started) / size

    note = f"mean over {size} requests, cassette or mock already open"
    # The two cheap ones run many times, interleaved, so that a slow moment of the machine hits both.
    ours_times: list[float] = []
    configured_times: list[float] = []
    respx_times: list[float] = []
    for _ in range(plan.times(5)):
        ours_times += repeat(ours, 1, warmup=plan.warmups())
        configured_times += repeat(ours_configured, 1, warmup=plan.warmups())
        respx_times += repeat(respx_one_route, 1, warmup=plan.warmups())
    report.add(Figure("per request", "wiretape", ours_times, unit="s/request", note=note))
    report.add(
        Figure(
            "per request",
            "wiretape, match_on configured",
            configured_times,
            unit="s/request",
            note=note + "; match_on=(method, path, query, body), ignore_headers=(user-agent, x-*)",
        )
    )
    report.add(Figure("per request", "respx", respx_times, unit="s/request", note=note + "; one route"))
    report.add(
        Figure(
            "per request",
            "vcrpy",
            repeat(vcrpy_open, plan.times(), warmup=plan.warmups()),
            unit="s/request",
            note=note,
        )
    )

    one = workdir / "one.yaml"
    post_cassette(one, 1)
    # One client for all runs: building a client (its TLS context) costs more than what is measured.
    client = httpx.Client()

    def ours_open_one() -> None:
        with Cassette(one):
            client.post(URL, json=question(0)).read()

    def vcrpy_open_one() -> None:
        import vcr

        with vcr.use_cassette(str(one), record_mode="none", match_on=["method", "uri", "body"]):
            client.post(URL, json=question(0)).read()

    def respx_open_one() -> None:
        import respx

        with respx.mock(using="httpx") as router:
            router.post(URL).respond(200, json={"answer": "reply 0"})
            client.post(URL, json=question(0)).read()

    many, warmups = plan.times(10), plan.warmups(3)
    with client:
        report.add(Figure("open + 1 request", "wiretape", repeat(ours_open_one, many, warmup=warmups)))
        report.add(Figure("open + 1 request", "respx", repeat(respx_open_one, many, warmup=warmups)))
        report.add(Figure("open + 1 request", "vcrpy", repeat(vcrpy_open_one, many, warmup=warmups)))


# ---------------------------------------------------------------- 3. streamed replay through EasyChat


def _easychat_app(events: list[bytes]) -> LoopbackServer:
    def app(exchange: Exchange) -> None:
        if exchange.method == "GET":
            exchange.respond(200, "ok", {"content-type": "text/html"})
        else:
            exchange.stream(200, events, {"content-type": "text/event-stream"})

    return LoopbackServer({EASYCHAT_SERVER: app})


def _easychat() -> list[str]:
    return list(providers.EasyChat.create_completion("gpt-3.5-turbo", USER, stream=True, active_server=0))


def streamed_replay(report: Report, workdir: Path, plan: Plan) -> None:
    events = sse_events(STREAM_EVENTS)
    path = workdir / "easychat-stream.yaml"
    with _easychat_app(events) as server, server.overrides(), Cassette(path, mode="all"):
        expected = _easychat()

    def ours() -> None:
        with Cassette(path):
            assert _easychat() == expected

    def respx_same_bytes() -> None:
        import respx

        class Pieces(httpx.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                yield from events

        with respx.mock(using="httpx") as router:
            router.get(f"https://{EASYCHAT_SERVER}/").respond(200, text="ok")
            router.post(f"https://{EASYCHAT_SERVER}/api/openai/v1/chat/completions").mock(
                side_effect=lambda request: httpx.Response(
                    200, headers={"content-type": "text/event-stream"}, stream=Pieces()
                )
            )
            assert _easychat() == expected

    note = f"{STREAM_EVENTS} events, {STREAM_EVENTS} chunks, through EasyChat (sync stream)"
    times, warmups = plan.times(3), plan.warmups()
    report.add(Figure("streamed replay", "wiretape", repeat(ours, times, warmup=warmups), note=note))
    report.add(Figure("streamed replay", "respx", repeat(respx_same_bytes, times, warmup=warmups), note=note))


# ---------------------------------------------------------------- 3b. big bodies


def big_body_cases(megabytes: tuple[int, ...]) -> list[str]:
    """The big-body cases for these sizes: a JSON request of each, a streamed answer of the largest."""
    return [*(f"{size} MB JSON request" for size in megabytes), f"{max(megabytes)} MB streamed answer"]


def big_bodies(report: Report, workdir: Path, plan: Plan, megabytes: tuple[int, ...]) -> None:
    """Open + replay one request with a JSON body of each size, and a streamed answer of the largest.

    Each side holds its own copy of the request body, as it would in a test: the cassette the one parsed
    from its file, the respx route one read from a fixture file; the client sends a third object, so that
    no side finds the body equal by identity (CPython's ``==`` on the same bytes object skips comparing).
    Each run sets its side up anew (untimed): the cassette opened, the fixture read.
    """
    small = [b'{"ok": true}']
    cases = {f"{size} MB JSON request": (big_json(size), small) for size in megabytes}
    # An answer streamed as text (an LLM's events), as this field's streams are: 1,000 pieces.
    repeats = 75 * max(megabytes)  # "data: 000000 " is 13 bytes: about 1 kB per piece and MB
    cases[f"{max(megabytes)} MB streamed answer"] = (
        b'{"q": 1}',
        [f"data: {index:06d} ".encode() * repeats for index in range(1000)],
    )
    with httpx.Client() as client:
        for name, (body, pieces) in cases.items():
            stem = workdir / f"big-{name.replace(' ', '-')}"
            big_body_cassette(stem.with_suffix(".yaml"), body, pieces)
            stem.with_suffix(".body").write_bytes(body)
            _big_body_case(report, client, name, stem, (body, pieces), plan)


_BIG_BODY_NOTES = {
    "wiretape": (
        "the cassette already open; matched on method, URL, headers and body: the sent body is compared "
        "once (memcmp) with the cassette's copy; the answer's recorded pieces, cut when the cassette opened "
        "(a body of 64 KiB or more)"
    ),
    "respx": (
        "a route on method, URL and body (content=) holding its own copy of the body, read from a fixture "
        "file before each run: the sent body is compared once (memcmp) with it; the answer: the same "
        "pieces, held already cut"
    ),
}


def _big_body_case(
    report: Report,
    client: httpx.Client,
    name: str,
    stem: Path,
    bodies: tuple[bytes, list[bytes]],
    plan: Plan,
) -> None:
    """One big-body case: ``stem`` names its cassette (.yaml) and fixture (.body); ``bodies`` is what the
    client sends and the answer's pieces."""
    import respx
    import vcr

    path = stem.with_suffix(".yaml")
    sent, pieces = bodies
    answer = b"".join(pieces)

    def post() -> None:
        assert client.post(URL, content=sent, headers={"content-type": "application/json"}).content == answer

    def ours() -> None:
        with Cassette(path):
            post()

    def theirs() -> None:
        with vcr.use_cassette(str(path), record_mode="none", match_on=["method", "uri", "body"]):
            post()

    def ours_open() -> float:
        with Cassette(path, allow_repeats=True):
            started = time.perf_counter()
            post()
            return time.perf_counter() - started

    def mocked_open() -> float:
        class Pieces(httpx.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                yield from pieces

        fixture = stem.with_suffix(".body").read_bytes()  # a new object, never the one the client sends
        with respx.mock(using="httpx") as router:
            router.post(URL, content=fixture).mock(
                side_effect=lambda request: httpx.Response(200, stream=Pieces())
            )
            started = time.perf_counter()
            post()
            return time.perf_counter() - started

    case = f"replay, {name}"
    note = "open + one request; the cassette parsed once before (the parse cache is warm, as in a suite)"
    warmups = plan.warmups()

    def timed(function: Callable[[], float | None], factor: int) -> list[float]:
        return repeat(function, plan.times(factor), warmup=warmups)

    report.add(Figure(case, "wiretape", timed(ours, 3), note=note))
    report.add(Figure(case, "vcrpy", timed(theirs, 1), note="match_on method, uri, body"))
    open_case = f"one request, {name}"
    report.add(Figure(open_case, "wiretape", timed(ours_open, 3), note=_BIG_BODY_NOTES["wiretape"]))
    report.add(Figure(open_case, "respx", timed(mocked_open, 3), note=_BIG_BODY_NOTES["respx"]))


# ---------------------------------------------------------------- 4. recording overhead


def recording_overhead(report: Report, workdir: Path, plan: Plan) -> None:
    def call() -> tuple[float, float]:
        started = time.perf_counter()
        first = None
        for _ in providers.Equing.create_completion("gpt-3.5-turbo", USER, stream=True):
            if first is None:
                first = time.perf_counter() - started
        return first or 0.0, time.perf_counter() - started

    plain_first, plain_total, tee_first, tee_total = [], [], [], []
    with emulated_upstreams() as upstreams, upstreams.overrides():
        for _ in range(plan.warmups()):
            call()
        # Pairs in random order: in a fixed order, the previous run's cassette write (fsync)
        # lands on the same side every time and biases it.
        order = random.Random(1234)
        for index in range(plan.times(10)):
            for with_tee in order.sample([False, True], 2):
                if with_tee:
                    with Cassette(workdir / f"tee-{index}.yaml", mode="all"):
                        first, total = call()
                    tee_first.append(first)
                    tee_total.append(total)
                else:
                    first, total = call()
                    plain_first.append(first)
                    plain_total.append(total)
    note = "Equing sync stream against the emulator"
    report.add(Figure("time to first chunk", "no tee", plain_first, note=note))
    report.add(Figure("time to first chunk", "recording tee", tee_first, note=note))
    report.add(Figure("streamed call total", "no tee", plain_total, note=note))
    report.add(
        Figure("streamed call total", "recording tee", tee_total, note=note + "; cassette written after")
    )


class _Discard(Exception):
    """Ends a recording block without writing its cassette."""


def recording_throughput(report: Report, workdir: Path, plan: Plan, megabytes: int) -> None:
    """A streamed answer of ``megabytes`` MB read through the recording tee, and without it; and, for
    reference, kept in a list by the reader itself: what holding the answer in memory costs, whoever
    holds it (fresh pages, where a reader that drops each piece reuses the same memory)."""
    piece = b"x" * 65536
    count = megabytes * 16

    def app(exchange: Exchange) -> None:
        exchange.stream(200, [piece] * count, {"content-type": "application/octet-stream"})

    def call(client: httpx.Client, kept: list[bytes] | None = None) -> float:
        started = time.perf_counter()
        with client.stream("GET", "https://big.test/") as response:
            if kept is None:
                size = sum(len(data) for data in response.iter_raw())
            else:
                kept.extend(response.iter_raw())
                size = sum(map(len, kept))
        assert size == len(piece) * count
        return time.perf_counter() - started

    def through_tee(client: httpx.Client, index: int) -> float:
        # Timed is the call; the block then ends by an exception, so nothing is written
        # (sanitising and dumping a large cassette is not what this row measures).
        with contextlib.suppress(_Discard), Cassette(workdir / f"big-{index}.yaml", mode="all"):
            took = call(client)
            raise _Discard
        return took

    variants: dict[str, Callable[[httpx.Client, int], float]] = {
        "no tee": lambda client, _: call(client),
        "recording tee": through_tee,
        "kept by the reader, no tee": lambda client, _: call(client, []),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    with LoopbackServer({"big.test": app}) as server, server.overrides():
        from providers.http import ClientSpec, sync_client

        with sync_client(ClientSpec(provider="bench")) as client:
            for _ in range(plan.warmups()):
                call(client)
            # In random order: in a fixed one, what a run leaves behind (memory to reuse or to give back)
            # would land on the same variant every time.
            order = random.Random(4321)
            for index in range(plan.times(3)):
                for name in order.sample(list(variants), len(variants)):
                    times[name].append(variants[name](client, index))
    note = f"a {megabytes} MB answer in 64 KiB pieces, read through httpx; the cassette write not timed"
    for name, taken in times.items():
        report.add(Figure(f"streamed {megabytes} MB", name, taken, note=note))


# ---------------------------------------------------------------- 5. imports, 6. the suite


def _python(code: str) -> str:
    """Run ``python -c code``; its output. Bytecode is cached (the warm-up run writes it), as for any
    installed package: with PYTHONDONTWRITEBYTECODE set, each run would compile this project's modules
    from source, while httpx's come compiled from its install."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    ).stdout


def _process(code: str) -> float:
    started = time.perf_counter()
    _python(code)
    return time.perf_counter() - started


def _in_process(code: str) -> float:
    return float(_python(code).strip())


def imports(report: Report, plan: Plan) -> None:
    count = plan.times(2) if plan.runs > 1 else 1
    modules = ("providers", "httpx", "wiretape", "httpx, wiretape")
    for _ in range(plan.warmups()):
        for module in modules:
            _process(f"import {module}")  # the warm-up caches the bytecode
    times: dict[str, list[float]] = {module: [] for module in modules}
    # Taken in turn, so that a slow moment of the machine hits them all alike.
    for _ in range(count):
        for module in modules:
            times[module].append(_process(f"import {module}"))
    for module in modules:
        report.add(
            Figure("python -c 'import X'", module, times[module], note="a whole process; bytecode cached")
        )
    timer = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
    report.add(
        Figure(
            "import in process",
            "providers",
            repeat(lambda: _in_process(timer.format("import providers")), count, warmup=plan.warmups()),
        )
    )
    report.add(
        Figure(
            "import in process",
            "httpx",
            repeat(lambda: _in_process(timer.format("import httpx")), count, warmup=plan.warmups()),
        )
    )
    lazy = (
        "import providers, sys, time; assert 'curl_cffi' not in sys.modules; t = time.perf_counter(); "
        "from providers.http import require_curl; require_curl('bench'); import httpx_curl_cffi; "
        "print(time.perf_counter() - t)"
    )
    report.add(
        Figure(
            "curl_cffi on first use",
            "providers",
            repeat(lambda: _in_process(lazy), count, warmup=plan.warmups()),
            note="not imported by `import providers`; paid by the first Aichat/ChatGptEs call",
        )
    )


def test_suite(report: Report, root: Path) -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-n", "2"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - started
    summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    report.add(Figure("offline test suite (-n 2)", "pytest", [elapsed], note=summary))


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="wiretape-bench-") as directory:
        yield Path(directory)
