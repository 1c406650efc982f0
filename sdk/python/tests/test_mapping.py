"""Dynamic task mapping in updraft_task.py: a mapped instance's elements, and lists for the task mapped over."""

import json
import unittest

from task_process import RUN, STARTED, TaskProcessCase


class MappingTest(TaskProcessCase):
    def test_mapped_and_map_item_arguments_come_from_the_start_answer(self):
        self.fake.answer("PATCH", RUN, (200, dict(STARTED, mappedInputs={"args": {"1": "b.csv", "2": {"n": 2}}, "fields": {}})))
        result = self.run_task("def main(context, prefix, file, item):\n    return [prefix, file, item]\n",
                               args=[{"kind": "literal", "value": "p"}, {"kind": "mapped"},
                                     {"kind": "map_item", "groupId": "per_file"}])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.finish_body()["returnValue"], ["p", "b.csv", {"n": 2}])

    def test_a_mapped_argument_without_mapped_inputs_fails_naming_the_older_api(self):
        result = self.run_task("def main(context, file):\n    return file\n", args=[{"kind": "mapped"}])
        self.assertEqual(self.finish_body()["state"], "failed")
        self.assertIn("did not send the mapped inputs", result.stderr)

    def test_a_return_value_mapped_over_must_be_a_list(self):
        mapped_over = {"UPDRAFT_TASK_MAPPED_OVER": json.dumps({"return_value": 'task "process"'})}
        result = self.run_task("def main(context):\n    return 'a.csv'\n", extra_env=mapped_over)
        self.assertEqual(self.finish_body()["state"], "failed")
        self.assertIn('Task "transform" returned a string, but task "process" maps over its return value', result.stderr)
        result = self.run_task("def main(context):\n    return None\n", extra_env=mapped_over)
        self.assertIn('Task "transform" returned nothing, but task "process" maps over its return value', result.stderr)

    def test_a_push_mapped_over_must_be_a_list(self):
        mapped_over = {"UPDRAFT_TASK_MAPPED_OVER": json.dumps({"files": 'task group "per_file"'})}
        result = self.run_task("def main(context):\n    context['ti'].xcom_push('files', {'a': 1})\n", extra_env=mapped_over)
        self.assertEqual(self.finish_body()["state"], "failed")
        self.assertIn('Task "transform" pushed a dict as XCom "files", but task group "per_file" maps over it', result.stderr)


if __name__ == "__main__":
    unittest.main()
