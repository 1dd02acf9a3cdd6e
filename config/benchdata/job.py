"""``python -m config.benchdata.job JAAR``: the largest job (the verevening of the regio with the
most kostenregels, rolled back) in its own process; prints what ran and its peak RSS in KiB."""

import resource
import sys
import time


def main(jaar: int) -> int:
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Count

    from financien import runs
    from financien.models import Kostenregel
    from regio.models import Regio

    grootste = (
        Kostenregel.objects.filter(jaar=jaar).values("regio").annotate(n=Count("id")).order_by("-n")
    ).first()
    regio = Regio.objects.get(pk=grootste["regio"])
    started = time.perf_counter()
    with transaction.atomic():
        runs.bereken_run(regio, jaar)
        transaction.set_rollback(True)
    seconden = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"verevening {regio.code}, {grootste['n']:,} kostenregels, {seconden:.2f} s rss={rss}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
