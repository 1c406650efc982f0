import unittest

from fake_api import FakeExecutionApi

import updraft_execution_api as api

TI = {"dagId": "etl", "runId": "manual__2026-01-01T00:00:00+00:00", "taskId": "transform", "mapIndex": -1, "tryNumber": 1}
# What the TypeScript side computes: Buffer.from(JSON.stringify([...])).toString('base64url').
TI_ID = "WyJldGwiLCJtYW51YWxfXzIwMjYtMDEtMDFUMDA6MDA6MDArMDA6MDAiLCJ0cmFuc2Zvcm0iLC0xXQ"


class EncodeIdTest(unittest.TestCase):
    def test_matches_the_typescript_encoding(self):
        self.assertEqual(api.encode_task_instance_id(TI["dagId"], TI["runId"], TI["taskId"], -1), TI_ID)

    def test_non_ascii_is_utf8_not_escaped_and_unpadded(self):
        # JSON.stringify(["d","ré","t",0]) = ["d","ré","t",0] in UTF-8, base64url without "=".
        self.assertEqual(api.encode_task_instance_id("d", "ré", "t", 0), "WyJkIiwicsOpIiwidCIsMF0")


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeExecutionApi().__enter__()
        self.client = api.ExecutionApiClient(self.fake.url + "/", "tok-1", retry_delay_seconds=0.001)

    def tearDown(self):
        self.fake.__exit__()

    def test_start_sends_the_documented_request_and_returns_the_answer(self):
        self.fake.answer("PATCH", "/execution/task-instances/%s/run" % TI_ID, (200, {"heartbeatIntervalSeconds": 5}))
        answer = self.client.start(TI, "w-1", 42, "2026-01-01T00:00:01Z")
        self.assertEqual(answer, {"heartbeatIntervalSeconds": 5})
        [request] = self.fake.calls("PATCH", "/run")
        self.assertEqual(request["body"], {"workerId": "w-1", "pid": 42, "startDate": "2026-01-01T00:00:01Z"})
        self.assertEqual(request["headers"]["authorization"], "Bearer tok-1")
        self.assertEqual(request["headers"]["updraft-api-version"], api.EXECUTION_API_VERSION)
        self.assertEqual(request["headers"]["content-type"], "application/json")

    def test_a_409_is_a_conflict_with_reason_and_current_state(self):
        detail = {"reason": "running_elsewhere", "currentState": "running", "message": "another worker runs it"}
        self.fake.answer("PATCH", "/execution/task-instances/%s/run" % TI_ID, (409, {"detail": detail}))
        with self.assertRaises(api.ExecutionConflictError) as raised:
            self.client.start(TI, "w-1", 42, "2026-01-01T00:00:01Z")
        self.assertEqual(raised.exception.reason, "running_elsewhere")
        self.assertEqual(raised.exception.current_state, "running")
        self.assertIn("409: another worker runs it", str(raised.exception))
        self.assertEqual(len(self.fake.calls("PATCH")), 1)  # a conflict is not retried

    def test_503_is_retried_until_it_succeeds(self):
        path = "/execution/task-instances/%s/heartbeat" % TI_ID
        self.fake.answer("PUT", path, (503, {"detail": {"message": "busy"}}), (503, None), (204, None))
        self.client.heartbeat(TI, "w-1")
        self.assertEqual([r["body"] for r in self.fake.calls("PUT")], [{"workerId": "w-1"}] * 3)

    def test_a_persistent_503_ends_as_the_api_error(self):
        self.fake.answer("PUT", "/execution/task-instances/%s/heartbeat" % TI_ID, (503, {"detail": {"message": "busy"}}))
        with self.assertRaises(api.ExecutionApiError) as raised:
            self.client.heartbeat(TI, "w-1")
        self.assertEqual(raised.exception.status, 503)
        self.assertEqual(len(self.fake.calls("PUT")), 4)

    def test_an_unreachable_api_is_reported_after_the_attempts(self):
        client = api.ExecutionApiClient("http://127.0.0.1:9", "tok", max_attempts=2, retry_delay_seconds=0.001)
        with self.assertRaises(api.ExecutionApiUnreachableError) as raised:
            client.heartbeat(TI, "w-1")
        self.assertIn("UPDRAFT_EXECUTION_API_URL", str(raised.exception))

    def test_finish_sends_return_value_only_when_asked(self):
        path = "/execution/task-instances/%s/state" % TI_ID
        self.fake.answer("PATCH", path, (204, None))
        self.client.finish(TI, "success", "w-1", "2026-01-01T00:00:02Z", has_return_value=True, return_value=None)
        self.client.finish(TI, "failed", "w-1", "2026-01-01T00:00:02Z", retryable=False, error="ValueError: bad")
        first, second = [r["body"] for r in self.fake.calls("PATCH", "/state")]
        self.assertEqual(first, {"state": "success", "workerId": "w-1", "endDate": "2026-01-01T00:00:02Z", "returnValue": None})
        self.assertEqual(second, {"state": "failed", "workerId": "w-1", "endDate": "2026-01-01T00:00:02Z", "retryable": False, "error": "ValueError: bad"})

    def test_xcom_read_write_and_missing(self):
        path = "/execution/xcoms/%s/row%%20count" % TI_ID
        self.fake.answer("GET", path, (200, {"key": "row count", "value": 3}))
        self.fake.answer("POST", path, (201, None))
        self.fake.answer("GET", "/execution/xcoms/%s/none" % TI_ID, (404, {"detail": {"reason": "xcom_not_found"}}))
        self.assertEqual(self.client.get_xcom(TI, "row count"), {"key": "row count", "value": 3})
        self.assertIsNone(self.client.get_xcom(TI, "none"))
        self.client.set_xcom(TI, "row count", [1, {"a": None}])
        self.assertEqual(self.fake.calls("POST")[0]["body"], {"value": [1, {"a": None}]})
        self.assertNotIn("content-type", self.fake.calls("GET")[0]["headers"])

    def test_an_unknown_404_is_an_error(self):
        with self.assertRaises(api.ExecutionApiError) as raised:
            self.client.get_xcom(TI, "elsewhere")
        self.assertEqual((raised.exception.status, raised.exception.reason), (404, "no_route"))


if __name__ == "__main__":
    unittest.main()
