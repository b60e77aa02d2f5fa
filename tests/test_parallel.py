"""Workers (batchlint/parallel.py): several processes, the answers of one."""

from __future__ import annotations

import os
import tempfile
import time

import pytest

from batchlint.parallel import CAN_FORK, Workers

PARENT = os.getpid()
MODES = [(1, None), (2, None), (3, None), (2, False)]  # (jobs, fork); False: the process-pool fallback


def square(n: int) -> int:
    return n * n


def slow_pid(n: int) -> tuple[int, int]:
    time.sleep(0.002)
    return n, os.getpid()


def dies_in_a_child(n: int) -> int:
    if os.getpid() != PARENT:
        os._exit(7)
    return n * n


def fails_on_57(n: int) -> int:
    if n == 57:
        raise ValueError("task 57")
    return n


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Where the children's result files go, to check none is left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.parametrize("jobs, fork", MODES)
def test_results_keep_the_order_of_the_tasks(jobs, fork, private_tmp):
    done = []
    workers = Workers(jobs, fork=fork)
    try:
        assert workers.map(square, list(range(200)), done.append) == [n * n for n in range(200)]
    finally:
        workers.close()
    assert sum(done) == 200  # progress heard of every task once
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize("jobs, fork", MODES)
def test_keep_runs_here_on_each_result_and_its_answer_is_stored(jobs, fork, private_tmp):
    seen_in = set()

    def keep(result):
        seen_in.add(os.getpid())
        return -result

    workers = Workers(jobs, fork=fork)
    try:
        assert workers.map(square, list(range(200)), keep=keep) == [-n * n for n in range(200)]
        assert workers.map(square, list(range(200))) == [n * n for n in range(200)]  # without it: as returned
    finally:
        workers.close()
    assert seen_in == {os.getpid()}  # never in a child: what it makes compact is this process's memory


@pytest.mark.skipif(not CAN_FORK, reason="needs fork")
def test_this_process_and_the_child_share_the_work(private_tmp):
    results = Workers(2).map(slow_pid, list(range(100)))
    assert [n for n, _pid in results] == list(range(100))
    pids = {pid for _n, pid in results}
    assert PARENT in pids and len(pids) == 2


@pytest.mark.skipif(not CAN_FORK, reason="needs fork")
def test_a_child_that_dies_loses_no_task(private_tmp):
    assert Workers(2).map(dies_in_a_child, list(range(60))) == [n * n for n in range(60)]
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize("jobs, fork", MODES)
def test_an_error_in_any_process_is_raised_as_in_a_serial_run(jobs, fork, private_tmp):
    workers = Workers(jobs, fork=fork)
    try:
        with pytest.raises(ValueError, match="task 57"):
            workers.map(fails_on_57, list(range(100)))
    finally:
        workers.close()
    assert list(private_tmp.iterdir()) == []


@pytest.mark.skipif(not CAN_FORK, reason="needs fork")
@pytest.mark.parametrize("broken", ["mkstemp", "TemporaryFile", "fork"])
def test_no_temporary_space_or_no_fork_means_fewer_processes_not_an_error(broken, monkeypatch, private_tmp):
    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os if broken == "fork" else tempfile, broken, refuse)
    assert Workers(2).map(square, list(range(50))) == [n * n for n in range(50)]
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize("jobs, fork", MODES)
@pytest.mark.parametrize("tasks", [0, 3, 200])  # none, too few to share, enough
def test_meanwhile_runs_once_in_this_process(jobs, fork, tasks, private_tmp):
    calls = []
    workers = Workers(jobs, fork=fork)
    try:
        results = workers.map(square, list(range(tasks)), meanwhile=lambda: calls.append(os.getpid()))
    finally:
        workers.close()
    assert results == [n * n for n in range(tasks)]
    assert calls == [PARENT]


@pytest.mark.skipif(not CAN_FORK, reason="needs fork")
def test_the_child_takes_more_tasks_while_this_process_is_busy_meanwhile(private_tmp):
    results = Workers(2).map(slow_pid, list(range(100)), meanwhile=lambda: time.sleep(0.2))
    assert [n for n, _pid in results] == list(range(100))
    by_child = sum(1 for _n, pid in results if pid != PARENT)
    assert by_child > 60  # nearly all: it works while this process sleeps (about 50 if it waited for it)
