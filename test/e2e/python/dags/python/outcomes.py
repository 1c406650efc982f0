import time

from updraft_task import SkipTask


def parse(value):
    return int(value)


def raises(context):
    print("about to parse")
    parse("not a number")


def skips(context):
    raise SkipTask("nothing to do on %s" % context["ds"])


def too_slow(context):
    print("starting a long job", flush=True)
    time.sleep(60)


def emits(context):
    context["outlet_events"]["s3://lake/orders/"].extra["rows"] = 3
