"""The ``marketsim`` command (typer): common.py holds the app and the checks every command shares,
simulate.py the commands that run the model (run, validate, sweep, report, scenarios, dashboard), decide.py
those that help decide a budget (assess, optimize, calibrate), play.py the class market game (game). Here: the
entry point and its SIGTERM."""

from __future__ import annotations

import os
import signal
import sys
import threading

from . import simulate  # noqa: F401, I001 - registers its commands first: the help lists them in this order
from . import decide  # noqa: F401, E402 - then these
from . import play  # noqa: F401, E402 - and the game
from .common import INTERRUPTED, app, ready

__all__ = ["app", "main", "ready"]


TERM_GRACE_SECONDS = 20.0


def _interrupt(signum, frame) -> None:
    """SIGTERM: the same clean stop as Ctrl-C (runs ended, finished results kept), with a deadline. An
    exception raised between a lock's acquire and its release can deadlock the worker pool's shutdown
    (CPython issue 125886 and kin), and a job scheduler's timeout must end the command whatever
    happens: if the clean stop has not ended it in TERM_GRACE_SECONDS, it ends at once."""
    watchdog = threading.Timer(TERM_GRACE_SECONDS, _force_exit)
    watchdog.daemon = True
    watchdog.start()
    raise KeyboardInterrupt


def _force_exit() -> None:
    sys.stderr.write(f"interrupted: the clean stop took over {TERM_GRACE_SECONDS:g} s, so it ends here; finished "
                     "runs are kept\n")
    sys.stderr.flush()
    os._exit(INTERRUPTED)


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # what job schedulers and timeouts send
    app()
