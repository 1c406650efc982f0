"""context["variables"] and context["connections"]: the requests they make, what task code gets, the mask lines."""

import json
import unittest

from fake_api import FakeExecutionApi
from task_process import TaskProcessCase

import updraft_execution_api as api

CONNECTION = {
    "connId": "warehouse", "connType": "postgres", "host": "db.internal", "login": "etl",
    "password": "s3cr3t-pw!", "schema": "analytics", "port": 5432, "extra": {"sslmode": "require"},
}
VAR_NOT_FOUND = {"detail": {"reason": "variable_not_found",
                            "message": 'Variable "api_key" was not found. Searched, in order: environment variable UPDRAFT_VAR_API_KEY.'}}
CONN_NOT_FOUND = {"detail": {"reason": "connection_not_found",
                             "message": 'Connection "nope" was not found. Searched, in order: environment variable UPDRAFT_CONN_NOPE.'}}


def mask_lines(output):
    return [json.loads(line[len("::updraft::mask "):]) for line in output.splitlines() if line.startswith("::updraft::mask ")]


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeExecutionApi().__enter__()
        self.client = api.ExecutionApiClient(self.fake.url, "tok-1", retry_delay_seconds=0.001)

    def tearDown(self):
        self.fake.__exit__()

    def test_keys_and_ids_are_encoded_as_the_typescript_client_encodes_them(self):
        self.fake.answer("GET", "/execution/variables/a%2Fb%20c", (200, {"key": "a/b c", "value": "v"}))
        self.fake.answer("PUT", "/execution/variables/a%2Fb%20c", (204, None))
        self.fake.answer("GET", "/execution/connections/my%20db", (200, CONNECTION))
        self.assertEqual(self.client.get_variable("a/b c"), {"key": "a/b c", "value": "v"})
        self.client.set_variable("a/b c", "w", "why")
        self.assertEqual(self.client.get_connection("my db"), CONNECTION)
        [put] = self.fake.calls("PUT")
        self.assertEqual(put["body"], {"value": "w", "description": "why"})
        self.assertEqual(put["headers"]["authorization"], "Bearer tok-1")


class SecretsInTaskTest(TaskProcessCase):
    def test_a_connection_has_airflows_fields_and_is_announced_for_masking_before_the_task_prints(self):
        self.fake.answer("GET", "/execution/connections/warehouse", (200, CONNECTION))
        result = self.run_task("""
            def main(context):
                conn = context["connections"].get("warehouse")
                print("password", conn.password)
                return dict(conn.to_dict(), repr=repr(conn), sslmode=conn.extra_dejson["sslmode"], host=conn["host"])
        """)
        self.assertEqual(result.returncode, 0, result.stderr)
        returned = self.finish_body()["returnValue"]
        self.assertEqual(returned, {
            "conn_id": "warehouse", "conn_type": "postgres", "host": "db.internal", "login": "etl",
            "password": "s3cr3t-pw!", "schema": "analytics", "port": 5432, "extra": {"sslmode": "require"},
            "sslmode": "require", "repr": returned["repr"],
        })
        self.assertNotIn("s3cr3t", returned["repr"])
        # On both streams, and on stdout before the line that prints the password.
        self.assertEqual(mask_lines(result.stdout), [{"connection": CONNECTION}])
        self.assertEqual(mask_lines(result.stderr), [{"connection": CONNECTION}])
        stdout = result.stdout.splitlines()
        self.assertLess(stdout.index('::updraft::mask ' + json.dumps({"connection": CONNECTION}, separators=(",", ":"))),
                        stdout.index("password s3cr3t-pw!"))

    def test_a_missing_connection_fails_the_task_with_the_servers_explanation(self):
        self.fake.answer("GET", "/execution/connections/nope", (404, CONN_NOT_FOUND))
        result = self.run_task("""
            from updraft_task import ConnectionNotFoundError
            def main(context):
                try:
                    context["connections"].get("nope")
                except ConnectionNotFoundError as error:
                    print("caught", error.conn_id)
                    raise
        """)
        self.assertEqual(result.returncode, 2)
        self.assertIn("caught nope", result.stdout)
        self.assertEqual(self.finish_body()["error"], "ConnectionNotFoundError: " + CONN_NOT_FOUND["detail"]["message"])
        self.assertEqual(mask_lines(result.stdout), [])

    def test_variables_get_set_and_json_are_announced_for_masking(self):
        self.fake.answer("GET", "/execution/variables/api_key", (200, {"key": "api_key", "value": "k-123456"}))
        self.fake.answer("GET", "/execution/variables/limits", (200, {"key": "limits", "value": '{"rows": 10}'}))
        self.fake.answer("PUT", "/execution/variables/cursor", (204, None))
        result = self.run_task("""
            def main(context):
                variables = context["variables"]
                variables.set("cursor", {"page": 2}, description="where we stopped", serialize_json=True)
                return [variables.get("api_key"), variables.get("limits", deserialize_json=True)]
        """)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.finish_body()["returnValue"], ["k-123456", {"rows": 10}])
        [put] = self.fake.calls("PUT", "/variables/")
        self.assertEqual(put["body"], {"value": '{\n  "page": 2\n}', "description": "where we stopped"})
        self.assertEqual(mask_lines(result.stderr), [
            {"variable": {"key": "cursor", "value": '{\n  "page": 2\n}'}},
            {"variable": {"key": "api_key", "value": "k-123456"}},
            {"variable": {"key": "limits", "value": '{"rows": 10}'}},
        ])

    def test_a_missing_variable_gives_the_default_or_fails_naming_the_key(self):
        self.fake.answer("GET", "/execution/variables/api_key", (404, VAR_NOT_FOUND))
        with_default = self.run_task("""
            def main(context):
                return [context["variables"].get("api_key", "fallback"), context["variables"].get("api_key", None)]
        """)
        self.assertEqual(with_default.returncode, 0, with_default.stderr)
        self.assertEqual(self.finish_body()["returnValue"], ["fallback", None])
        self.fake.requests.clear()

        without = self.run_task("""
            def main(context):
                try:
                    context["variables"].get("api_key")
                except KeyError as error:  # as Airflow's Variable.get raises
                    print("caught", error.key)
                    raise
        """)
        self.assertEqual(without.returncode, 2)
        self.assertIn("caught api_key", without.stdout)
        self.assertEqual(self.finish_body()["error"],
                         "VariableNotDefinedError: " + VAR_NOT_FOUND["detail"]["message"] +
                         " Or pass a default: context[\"variables\"].get('api_key', default).")

    def test_other_api_errors_are_not_taken_for_a_missing_secret(self):
        self.fake.answer("GET", "/execution/variables/api_key", (403, {"detail": {"reason": "forbidden", "message": "token expired"}}))
        result = self.run_task("""
            def main(context):
                return context["variables"].get("api_key", "fallback")
        """)
        self.assertEqual(result.returncode, 2)
        self.assertIn("403: token expired", self.finish_body()["error"])


if __name__ == "__main__":
    unittest.main()
