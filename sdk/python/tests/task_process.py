"""A task run as the worker runs it (a python3 child configured by environment) against the fake API."""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from fake_api import SDK_DIR, FakeExecutionApi

import updraft_execution_api as api

TI = {"dagId": "mixed", "runId": "manual__2026-03-01T00:00:00+00:00", "taskId": "transform", "mapIndex": -1, "tryNumber": 2}
TI_ID = api.encode_task_instance_id(TI["dagId"], TI["runId"], TI["taskId"], -1)
RUN = "/execution/task-instances/%s/run" % TI_ID
STATE = "/execution/task-instances/%s/state" % TI_ID
STARTED = {
    "dagRun": {
        "dagId": "mixed", "runId": TI["runId"], "logicalDate": "2026-03-01T00:00:00.000Z",
        "dataIntervalStart": "2026-02-28T00:00:00.000Z", "dataIntervalEnd": "2026-03-01T00:00:00.000Z",
        "runAfter": "2026-03-01T00:00:00.000Z", "runType": "manual", "conf": {"region": "eu"},
    },
    "taskInstance": {"taskId": "transform", "mapIndex": -1, "tryNumber": 2, "maxTries": 3},
    "params": {"factor": 10},
    "upstreamXComs": {"extract": [1, 2, 3]},
    "heartbeatIntervalSeconds": 30,
}


class TaskProcessCase(unittest.TestCase):
    """No tests of its own: the base of the test cases that run a task script in a child process."""

    def setUp(self):
        self.fake = FakeExecutionApi().__enter__()
        self.fake.answer("PATCH", RUN, (200, STARTED))
        self.fake.answer("PATCH", STATE, (204, None))
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.fake.__exit__()
        self.dir.cleanup()

    def run_task(self, source, args=None, callable_name=None, extra_env=None):
        script = os.path.join(self.dir.name, "task.py")
        with open(script, "w") as handle:
            handle.write(textwrap.dedent(source))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "UPDRAFT_WORKLOAD": json.dumps({"kind": "ExecuteTask", "ti": TI, "token": "tok-9", "logKey": "logs/x"}),
            "UPDRAFT_EXECUTION_API_URL": self.fake.url,
            "UPDRAFT_WORKER_ID": "host:1:worker-0",
            "UPDRAFT_TASK_SCRIPT": script,
            "UPDRAFT_TASK_ARGS": json.dumps(args or []),
        }
        if callable_name:
            env["UPDRAFT_TASK_CALLABLE"] = callable_name
        env.update(extra_env or {})
        return subprocess.run([sys.executable, os.path.join(SDK_DIR, "updraft_task.py")], env=env,
                              capture_output=True, text=True, timeout=60)

    def finish_body(self):
        [request] = self.fake.calls("PATCH", "/state")
        body = dict(request["body"])
        self.assertRegex(body.pop("endDate"), r"^\d{4}-\d\d-\d\dT.*Z$")
        return body

