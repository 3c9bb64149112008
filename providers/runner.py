"""Run async code from sync callers, including callers inside a running event loop.

Each call gets a private event loop on a worker thread, so a sync caller
never touches (or trips over) the loop of the thread it runs in. Context
variables of the caller are visible to the async code.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TypeVar

T = TypeVar("T")


class _LoopThread:
    def __init__(self) -> None:
        import asyncio  # here, not at module level: `import providers` stays light

        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="wiretape-sync-bridge", daemon=True
        )

    def __enter__(self) -> _LoopThread:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self.loop.shutdown_asyncgens(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()

    def run(self, awaitable: Awaitable[T], context: contextvars.Context) -> T:
        import asyncio

        async def wrapper() -> T:
            return await awaitable

        future = context.run(asyncio.run_coroutine_threadsafe, wrapper(), self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run the awaitable made by ``factory`` to completion and return its result."""
    context = contextvars.copy_context()
    with _LoopThread() as bridge:
        return bridge.run(factory(), context)


def iterate_sync(factory: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
    """Iterate the async iterator made by ``factory``, item by item, as it produces them."""
    context = contextvars.copy_context()
    with _LoopThread() as bridge:
        iterator = factory()
        try:
            while True:
                try:
                    item = bridge.run(iterator.__anext__(), context)
                except StopAsyncIteration:
                    return
                yield item
        finally:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                bridge.run(aclose(), context)


async def iterate_async(factory: Callable[[], Iterator[T]]) -> AsyncIterator[T]:
    """Iterate a blocking iterator in a worker thread, item by item, without blocking the loop."""
    import asyncio

    iterator = await asyncio.to_thread(factory)
    done = object()
    try:
        while True:
            item = await asyncio.to_thread(next, iterator, done)
            if item is done:
                return
            yield item  # type: ignore[misc]
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            await asyncio.to_thread(close)
