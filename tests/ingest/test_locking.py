"""App markers on an embedded store: a live app is told from a killed one by its lock."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.errors import StoreLockedError
from ingest.locking import register_app, running_apps, store_lock
from tests.helpers import APP_PROCESS, start_process, stop_process

# an "app" naming its marker with the test process's id (two containers' apps are both 1)
SAME_ID = ("import os, sys, time, fcntl; from pathlib import Path; "
           "m = Path(sys.argv[1]) / 'apps' / f'{os.getppid()}-other'; "
           "m.parent.mkdir(parents=True, exist_ok=True); d = os.open(m, os.O_RDWR | os.O_CREAT); "
           "fcntl.flock(d, fcntl.LOCK_SH); print('ready', flush=True); time.sleep(120)")


def test_a_live_app_is_seen_and_one_killed_is_not(tmp_path: Path) -> None:
    app = start_process(APP_PROCESS, tmp_path)
    try:
        assert running_apps(tmp_path) == [app.pid]
        with pytest.raises(StoreLockedError, match=f"process {app.pid}"), store_lock(tmp_path):
            pass
    finally:
        stop_process(app)
    assert len(list((tmp_path / "apps").iterdir())) == 1
    assert running_apps(tmp_path) == []  # the kernel released its lock: stale, removed
    assert list((tmp_path / "apps").iterdir()) == []
    with store_lock(tmp_path):
        pass


def test_an_app_with_this_processs_id_in_another_namespace_still_counts(tmp_path: Path) -> None:
    # from a code review: two containers sharing a store both run the app as process 1, and
    # each took the other's marker (named by process id alone) for its own
    other = start_process(SAME_ID, tmp_path)
    try:
        assert running_apps(tmp_path) == [os.getpid()]
    finally:
        stop_process(other)
    assert running_apps(tmp_path) == []


def test_this_apps_own_marker_is_not_another_app(tmp_path: Path) -> None:
    register_app(tmp_path)
    assert running_apps(tmp_path) == []
    with store_lock(tmp_path):
        pass
