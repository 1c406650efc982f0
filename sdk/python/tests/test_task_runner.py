"""updraft_task.py run as the worker runs it: a child process, configured by environment, against a fake API."""

import json
import os
import unittest

from task_process import RUN, STARTED, TI, TI_ID, TaskProcessCase

import updraft_execution_api as api


class TaskRunnerTest(TaskProcessCase):
    def test_success_passes_context_and_upstream_args_and_pushes_the_result(self):
        result = self.run_task("""
            def main(context, rows, label):
                print("rows", rows, "for", context["ds"], context["ds_nodash"])
                context["log"].info("factor %s", context["params"]["factor"])
                return {
                    "label": label, "total": sum(rows) * context["params"]["factor"],
                    "try": context["ti"].try_number, "max_tries": context["ti"].max_tries,
                    "run_id": context["run_id"], "conf": context["conf"], "ts": context["ts"],
                    "year": context["logical_date"].year, "start": context["data_interval_start"].isoformat(),
                }
        """, args=[{"kind": "xcom", "taskId": "extract", "key": "return_value"}, {"kind": "literal", "value": "L"}])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("rows [1, 2, 3] for 2026-03-01 20260301", result.stdout)
        self.assertIn("::updraft::INFO factor 10", result.stderr)
        self.assertIn("::updraft::INFO Marking task as SUCCESS.", result.stderr)
        self.assertEqual(self.finish_body(), {
            "state": "success", "workerId": "host:1:worker-0",
            "returnValue": {"label": "L", "total": 60, "try": 2, "max_tries": 3, "run_id": TI["runId"],
                            "conf": {"region": "eu"}, "ts": "2026-03-01T00:00:00+00:00", "year": 2026,
                            "start": "2026-02-28T00:00:00+00:00"},
        })
        [start] = self.fake.calls("PATCH", "/run")
        self.assertEqual(start["body"]["workerId"], "host:1:worker-0")
        self.assertEqual(start["headers"]["authorization"], "Bearer tok-9")

    def test_args_not_in_the_start_answer_are_pulled(self):
        self.fake.answer("GET", "/execution/xcoms/%s/count" % api.encode_task_instance_id("mixed", TI["runId"], "stats", -1),
                         (200, {"key": "count", "value": 7}))
        self.fake.answer("GET", "/execution/xcoms/%s/return_value" % api.encode_task_instance_id("mixed", TI["runId"], "absent", -1),
                         (404, {"detail": {"reason": "xcom_not_found"}}))
        result = self.run_task("def run(context, n, missing):\n    return [n, missing]\n", callable_name="run",
                               args=[{"kind": "xcom", "taskId": "stats", "key": "count"},
                                     {"kind": "xcom", "taskId": "absent", "key": "return_value"}])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.finish_body()["returnValue"], [7, None])

    def test_none_pushes_nothing_and_xcom_push_writes_an_xcom(self):
        self.fake.answer("POST", "/execution/xcoms/%s/rows" % TI_ID, (201, None))
        result = self.run_task("def main(context):\n    context['ti'].xcom_push('rows', 5)\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("returnValue", self.finish_body())
        self.assertEqual(self.fake.calls("POST")[0]["body"], {"value": 5})

    def test_outlets_send_one_asset_event_each_with_the_extra_the_task_set(self):
        result = self.run_task("""
            def main(context):
                context["outlet_events"]["s3://lake/orders/"].extra["rows"] = 42
                return 1
        """, extra_env={"UPDRAFT_TASK_OUTLETS": json.dumps(["s3://lake/orders/", "s3://lake/audit/"])})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.finish_body()["assetEvents"], [
            {"uri": "s3://lake/orders/", "extra": {"rows": 42}},
            {"uri": "s3://lake/audit/", "extra": {}},
        ])

    def test_an_outlet_the_task_does_not_have_fails_it_naming_its_outlets(self):
        result = self.run_task("""
            def main(context):
                context["outlet_events"]["s3://lake/other/"].extra["rows"] = 1
        """, extra_env={"UPDRAFT_TASK_OUTLETS": json.dumps(["s3://lake/orders/"])})
        self.assertNotEqual(result.returncode, 0)
        body = self.finish_body()
        self.assertEqual(body["state"], "failed")
        self.assertNotIn("assetEvents", body)
        self.assertIn("its outlets are: s3://lake/orders/", body["error"])

    def test_a_failed_task_sends_no_asset_events(self):
        result = self.run_task("""
            def main(context):
                raise ValueError("no")
        """, extra_env={"UPDRAFT_TASK_OUTLETS": json.dumps(["s3://lake/orders/"])})
        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn("assetEvents", self.finish_body())

    def test_an_exception_fails_retryably_with_the_traceback_in_the_log(self):
        result = self.run_task("""
            def main(context):
                raise ValueError("bad row 3")
        """)
        self.assertEqual(result.returncode, 2)
        self.assertIn("::updraft::ERROR Task failed: Traceback (most recent call last):\n"
                      '::updraft::ERROR   File "%s", line 3, in main' % os.path.join(self.dir.name, "task.py"), result.stderr)
        self.assertIn("::updraft::ERROR ValueError: bad row 3", result.stderr)
        self.assertEqual(self.finish_body(), {"state": "failed", "workerId": "host:1:worker-0", "retryable": True, "error": "ValueError: bad row 3"})

    def test_skip_task_skips_and_fail_no_retry_fails_without_retry(self):
        skipped = self.run_task("""
            from updraft_task import SkipTask
            def main(context):
                raise SkipTask("no data today")
        """)
        self.assertEqual(skipped.returncode, 4, skipped.stderr)
        self.assertIn("::updraft::INFO Task skipped: no data today", skipped.stderr)
        self.assertEqual(self.finish_body()["state"], "skipped")
        self.fake.requests.clear()
        failed = self.run_task("""
            import updraft_task
            def main(context):
                raise updraft_task.FailNoRetry("param table is required")
        """)
        self.assertEqual(failed.returncode, 2)
        self.assertEqual(self.finish_body(), {"state": "failed", "workerId": "host:1:worker-0", "retryable": False,
                                              "error": "FailNoRetry: param table is required"})

    def test_reschedule_task_parks_the_same_try_until_its_date(self):
        result = self.run_task("""
            import datetime
            from updraft_task import RescheduleTask
            def main(context):
                when = datetime.datetime(2030, 1, 1, 1, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
                raise RescheduleTask(when, "the partition is not there yet")
        """)
        self.assertEqual(result.returncode, 8, result.stderr)
        self.assertIn("::updraft::INFO Rescheduling task: it runs again at 2030-01-01T01:00:00+01:00", result.stderr)
        self.assertEqual(self.finish_body(), {"state": "up_for_reschedule", "workerId": "host:1:worker-0",
                                              "rescheduleDate": "2030-01-01T00:00:00+00:00"})

    def test_a_result_that_is_not_json_fails_the_task_with_a_clear_message(self):
        result = self.run_task("def main(context):\n    return context['logical_date']\n")
        self.assertEqual(result.returncode, 2)
        self.assertIn('The return value of task "transform" is not JSON-serializable', self.finish_body()["error"])

    def test_a_missing_callable_fails_without_retry(self):
        result = self.run_task("def other(context):\n    pass\n")
        self.assertEqual(result.returncode, 2)
        body = self.finish_body()
        self.assertFalse(body["retryable"])
        self.assertIn("has no function named 'main'", body["error"])

    def test_a_refused_start_runs_nothing_and_exits_3(self):
        self.fake.answer("PATCH", RUN, (409, {"detail": {"reason": "invalid_state", "currentState": "success"}}))
        result = self.run_task("def main(context):\n    print('ran')\n")
        self.assertEqual(result.returncode, 3)
        self.assertNotIn("ran", result.stdout)
        self.assertEqual(self.fake.calls("PATCH", "/state"), [])

    def test_an_unavailable_api_at_start_exits_6(self):
        self.fake.answer("PATCH", RUN, (503, {"detail": {"message": "down"}}))
        result = self.run_task("def main(context):\n    print('ran')\n")
        self.assertEqual(result.returncode, 6)
        self.assertNotIn("ran", result.stdout)

    def test_a_lost_attempt_stops_the_process_with_exit_5(self):
        started = dict(STARTED, heartbeatIntervalSeconds=0.05)
        self.fake.answer("PATCH", RUN, (200, started))
        self.fake.answer("PUT", "/execution/task-instances/%s/heartbeat" % TI_ID,
                         (409, {"detail": {"reason": "not_running", "currentState": "failed"}}))
        result = self.run_task("import threading\ndef main(context):\n    threading.Event().wait(30)\n")
        self.assertEqual(result.returncode, 5)
        self.assertIn("no longer running here (state failed)", result.stderr)
        self.assertEqual(self.fake.calls("PATCH", "/state"), [])


if __name__ == "__main__":
    unittest.main()
