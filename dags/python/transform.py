"""The Python step of dags/python-mixed.ts: summarises the orders a TypeScript task extracted.

Run by Updraft's Python client: `main(context, orders)` gets Airflow's context dict and the upstream
task's return value; what it returns is this task's return_value XCom, read by the next TypeScript task.
"""

from updraft_task import SkipTask


def main(context, orders):
    if not orders:
        raise SkipTask("no orders for %s" % context["ds"])
    rate = context["params"]["usdToEur"]
    total = sum(order["amount"] * (rate if order["currency"] == "USD" else 1) for order in orders)
    print("Transforming %d orders for %s (try %d)" % (len(orders), context["ds"], context["ti"].try_number))
    context["log"].info("USD to EUR rate %s", rate)
    return {"orderCount": len(orders), "totalEur": round(total, 2), "currencies": sorted({o["currency"] for o in orders})}
