"""Run one function over many tasks in several processes; results in order.

Where the OS can fork, this process forks `jobs - 1` children that already
hold the tasks (nothing is pickled on the way in) and works alongside them.
Every process claims the next small chunk from a shared counter, so all of
them finish together. A child appends each chunk's results to a private
temporary file, which this process reads between its own chunks. No thread
here has to wait for the interpreter lock to feed the children: with a
process pool, whose feeder thread competes with this process's own work,
the second core sat idle a third of the time.

Without fork (Windows), a process pool runs the tasks instead. A child that
dies leaves its tasks without results; this process runs them itself, so a
crash in a worker is reported (or repeated) exactly as in a serial run.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import tempfile
from collections.abc import Callable

CAN_FORK = hasattr(os, "fork")
_CHUNKS_PER_PROCESS = 32  # small chunks: a process that finishes early waits at most one chunk


class Workers:
    """`jobs` processes, this one included. `map` keeps the order of `tasks`;
    `progress(n)` is called as n more tasks are done."""

    def __init__(self, jobs: int, fork: bool | None = None) -> None:
        self.jobs = max(1, jobs)
        self.fork = CAN_FORK if fork is None else fork
        self._pool = None  # without fork: a ProcessPoolExecutor, kept across calls

    def map(self, fn: Callable, tasks: list, progress: Callable[[int], None] | None = None,
            meanwhile: Callable[[], None] | None = None, keep: Callable | None = None) -> list:
        """`meanwhile()`, if given, is called once in this process: once the
        children are working (they take more of the tasks while it runs), or
        first, when this process runs every task itself. `keep(result)`, if
        given, is called in this process on each result as it comes in, and
        what it returns is stored: a result is made compact before the next
        arrive, not once all of them are held."""
        meanwhile = meanwhile or (lambda: None)
        progress = _Callbacks(progress or (lambda done: None), keep)
        if self.jobs == 1 or len(tasks) < 2 * self.jobs:
            return _run_here(fn, tasks, progress, meanwhile)
        if self.fork:
            return self._map_forked(fn, tasks, progress, meanwhile)
        return self._map_pooled(fn, tasks, progress, meanwhile)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _map_forked(self, fn: Callable, tasks: list, progress: _Callbacks,
                    meanwhile: Callable[[], None]) -> list:
        size = max(1, len(tasks) // (self.jobs * _CHUNKS_PER_PROCESS))
        try:
            counter = _SharedCounter()
        except OSError:  # no usable temporary directory: one process it is
            return _run_here(fn, tasks, progress, meanwhile)

        def chunks():
            while (start := counter.take(size)) < len(tasks):
                yield range(start, min(start + size, len(tasks)))

        results: list = [None] * len(tasks)
        done = [False] * len(tasks)

        def take(records) -> None:
            for index, result in records:
                results[index] = progress.keep(result)
                done[index] = True
                progress(1)

        children: list[_Child] = []
        try:
            for _ in range(self.jobs - 1):
                try:
                    children.append(_Child.start(fn, tasks, chunks))
                except OSError:  # out of processes or temporary space: fewer children
                    break
            meanwhile()
            for chunk in chunks():
                for index in chunk:
                    results[index] = _run_one(fn, tasks[index], progress)
                    done[index] = True
                for child in children:  # read what is ready while the children go on
                    take(child.ready())
            for child in children:
                if child.wait():
                    take(child.ready())
        finally:
            for child in children:
                child.stop()
            counter.close()
        for index, finished in enumerate(done):
            if not finished:  # its child died: run it here, as a serial run would
                results[index] = _run_one(fn, tasks[index], progress)
        return results

    def _map_pooled(self, fn: Callable, tasks: list, progress: _Callbacks,
                    meanwhile: Callable[[], None]) -> list:
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor  # only here: it costs 7 ms to import

            # a spawned worker does not inherit a paused garbage collector
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=gc.disable)
        results = []
        chunk = max(1, len(tasks) // (self.jobs * 4))
        running = self._pool.map(fn, tasks, chunksize=chunk)  # submits every chunk now
        meanwhile()
        for result in running:
            results.append(progress.keep(result))
            progress(1)
        return results


class _SharedCounter:
    """A number shared by this process and the children it forks, kept in an
    unnamed temporary file and guarded by a POSIX record lock on it. Such a
    lock belongs to the process holding it, so the kernel releases it if that
    process dies: a killed child cannot leave the others waiting."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        os.pwrite(self._file.fileno(), bytes(8), 0)

    def take(self, amount: int) -> int:
        """Add `amount`; return the value before."""
        import fcntl  # Unix only, like fork

        fd = self._file.fileno()
        fcntl.lockf(fd, fcntl.LOCK_EX)
        try:
            value = int.from_bytes(os.pread(fd, 8, 0), "little")
            os.pwrite(fd, (value + amount).to_bytes(8, "little"), 0)
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN)
        return value

    def close(self) -> None:
        self._file.close()


class _Callbacks:
    """The caller's `progress` (called as this object) and `keep` (see Workers.map)."""

    def __init__(self, progress: Callable[[int], None], keep: Callable | None) -> None:
        self._progress = progress
        self.keep = keep or (lambda result: result)

    def __call__(self, done: int) -> None:
        self._progress(done)


def _run_here(fn: Callable, tasks: list, progress: _Callbacks, meanwhile: Callable[[], None]) -> list:
    """Every task in this process, `meanwhile` first."""
    meanwhile()
    return [_run_one(fn, task, progress) for task in tasks]


def _run_one(fn: Callable, task, progress: _Callbacks):
    result = progress.keep(fn(task))
    progress(1)
    return result


class _Child:
    """A forked child running the chunks it claims. After each chunk it
    appends one record (8-byte length, then the pickled (index, result)
    pairs) to a private file (mkstemp: mode 0600, created exclusively), which
    the parent reads as records complete, between its own chunks."""

    def __init__(self, pid: int, fd: int, path: str) -> None:
        self.pid, self.fd, self.path = pid, fd, path
        self.offset = 0  # where the next unread record starts
        self.running = True

    @classmethod
    def start(cls, fn: Callable, tasks: list, chunks) -> _Child:
        fd, path = tempfile.mkstemp(prefix="batchlint-", suffix=".results")
        try:
            pid = os.fork()
        except OSError:
            os.close(fd)
            os.unlink(path)
            raise
        if pid == 0:  # the child: never returns into the caller's code
            status = 1
            try:
                for chunk in chunks():
                    _write_all(fd, _record([(index, fn(tasks[index])) for index in chunk]))
                status = 0
            finally:
                os._exit(status)
        return cls(pid, fd, path)

    def ready(self) -> list:
        """The (index, result) pairs of every record written in full so far."""
        out: list = []
        size = os.fstat(self.fd).st_size
        while self.offset + 8 <= size:
            length = int.from_bytes(os.pread(self.fd, 8, self.offset), "little")
            if self.offset + 8 + length > size:
                break  # still being written
            out += pickle.loads(_read_exactly(self.fd, length, self.offset + 8))
            self.offset += 8 + length
        return out

    def wait(self) -> bool:
        """Wait for the child to exit; whether it finished its chunks."""
        _, status = os.waitpid(self.pid, 0)
        self.running = False
        return os.waitstatus_to_exitcode(status) == 0

    def stop(self) -> None:
        """Kill the child if it still runs (the parent was interrupted), remove its file."""
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.running = False
        os.close(self.fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def _record(pairs: list) -> bytes:
    data = pickle.dumps(pairs, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(8, "little") + data


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exactly(fd: int, length: int, offset: int) -> bytes:
    parts = []
    while length:
        part = os.pread(fd, length, offset)
        if not part:
            raise OSError("results file shorter than its record")
        parts.append(part)
        length -= len(part)
        offset += len(part)
    return b"".join(parts)
