"""gunicorn settings shared by the production image, docker-compose and the benchmark
(``gunicorn -c config/gunicorn.conf.py config.wsgi:application``); bind and workers are given
on the command line."""

import gc


def post_worker_init(worker):
    """Django and every app are imported by now: move those long-lived objects (about 130,000)
    out of the garbage collector's sight. Otherwise each full collection scans them all, a pause
    of up to about 100 ms that falls on some request roughly once per hundred (measured on the
    benchmark's werkvoorraad; in the tail, p95 and above)."""
    gc.freeze()


def child_exit(server, worker):
    """A gunicorn worker that ended leaves its Prometheus files behind (multiprocess mode, see
    regio/metrics.py): its counters keep counting in the sum, its live gauges are dropped."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
