"""Run a Python module with this process's clock shifted, like a host whose clock is off:

    python -m tests.chaos.skewed_clock -5 -m celery -A tvr_site worker …

time-machine moves time.time(), datetime.now() and their kin (not the monotonic clock,
which has no relation to the wall clock anyway) for this process and the pool processes
it forks; the clock keeps ticking.
"""

import datetime as dt
import runpy
import sys

import time_machine


def main() -> None:
    offset = float(sys.argv[1])
    if sys.argv[2] != "-m":
        raise SystemExit("usage: python -m tests.chaos.skewed_clock SECONDS -m MODULE [ARGS…]")
    module = sys.argv[3]
    sys.argv = [module, *sys.argv[4:]]
    with time_machine.travel(dt.timedelta(seconds=offset), tick=True):
        runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
