"""Runs one attempt of an Updraft `python` task: `python3 updraft_task.py`, configured by environment.

The TypeScript worker downloads the task's script and starts this file with:

    UPDRAFT_WORKLOAD          the workload JSON (ti, token, logKey, ...)
    UPDRAFT_EXECUTION_API_URL base URL of the Task Execution API
    UPDRAFT_WORKER_ID         the id this attempt is started, heartbeated and finished under
    UPDRAFT_TASK_SCRIPT       path of the downloaded script
    UPDRAFT_TASK_CALLABLE     the function to call in it (default "main")
    UPDRAFT_TASK_ARGS         JSON list of {"kind": "literal", "value"} / {"kind": "xcom", "taskId", "key"} /
                              {"kind": "mapped"} / {"kind": "map_item", "groupId"} (a mapped instance's element)
    UPDRAFT_TASK_DO_XCOM_PUSH "false" to not push the return value (default "true")
    UPDRAFT_TASK_OUTLETS      JSON list of the URIs of the assets the task updates (default none)
    UPDRAFT_MAP_INDEX         the instance's map index (-1 when the task is not mapped); for task code
    UPDRAFT_TASK_MAPPED_OVER  JSON object: this task's XCom keys that a mapped task maps over -> who (default none)

The callable is called as `fn(context, *args)`. Task code imports its signals (and the secrets' errors) from here:

    from updraft_task import SkipTask, FailNoRetry, VariableNotDefinedError, ConnectionNotFoundError

The exit code tells the worker how the attempt ended (docs/tasks-in-other-languages.md).
"""

import datetime
import json
import logging
import os
import sys
import threading
import traceback
import types

import updraft_execution_api as api
import updraft_secrets as secrets
from updraft_secrets import Connection, ConnectionNotFoundError, VariableNotDefinedError  # noqa: F401 - for task code

EXIT_SUCCESS = 0
EXIT_CRASHED = 1
EXIT_FAILED = 2
EXIT_NOT_STARTED = 3
EXIT_SKIPPED = 4
EXIT_INTERRUPTED = 5
EXIT_START_UNAVAILABLE = 6
EXIT_START_REFUSED = 7
EXIT_RESCHEDULED = 8

# stderr lines that start with this carry a log level for the task log; other stderr lines are errors.
LOG_PREFIX = "::updraft::"


class SkipTask(Exception):
    """Raise to mark the task skipped (Airflow's AirflowSkipException)."""

    updraft_signal = "skip"


class FailNoRetry(Exception):
    """Raise to fail the task without using its remaining retries (Airflow's AirflowFailException)."""

    updraft_signal = "fail_no_retry"


class RescheduleTask(Exception):
    """Raise to give the worker back and run the same try again at `reschedule_date`, a timezone-aware
    datetime (Airflow's AirflowRescheduleException, what a sensor in reschedule mode does)."""

    updraft_signal = "reschedule"

    def __init__(self, reschedule_date, message=None):
        if not isinstance(reschedule_date, datetime.datetime) or reschedule_date.tzinfo is None:
            raise TypeError("RescheduleTask needs a timezone-aware datetime, e.g. "
                            "datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)")
        super().__init__(message or "The task asked to run again at %s." % reschedule_date.isoformat())
        self.reschedule_date = reschedule_date


_SIGNALS_BY_CLASS_NAME = {
    "AirflowSkipException": "skip",
    "AirflowFailException": "fail_no_retry",
    "AirflowRescheduleException": "reschedule",
}


def task_signal_of(error):
    """'skip', 'fail_no_retry', 'reschedule' or None. By attribute, not isinstance: the task may hold another copy of this module."""
    signal = getattr(error, "updraft_signal", None)
    if signal in ("skip", "fail_no_retry", "reschedule"):
        return signal
    return _SIGNALS_BY_CLASS_NAME.get(type(error).__name__)


class _PrefixedHandler(logging.Handler):
    """Writes each line of a record as `::updraft::LEVEL line`, so the worker keeps levels in the task log."""

    def emit(self, record):
        level = {"CRITICAL": "ERROR"}.get(record.levelname, record.levelname)
        try:
            text = self.format(record)
            sys.stderr.write("".join("%s%s %s\n" % (LOG_PREFIX, level, line) for line in text.splitlines() or [""]))
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - a log line must never fail the task
            self.handleError(record)


log = logging.getLogger("updraft.task")
log.propagate = False
log.setLevel(logging.INFO)
if not log.handlers:
    log.addHandler(_PrefixedHandler())


class TaskInstance:
    """The `ti` of the context: identity of the attempt plus xcom_pull / xcom_push, as in Airflow."""

    def __init__(self, key, max_tries, xcoms):
        self.dag_id = key["dagId"]
        self.run_id = key["runId"]
        self.task_id = key["taskId"]
        self.map_index = key["mapIndex"]
        self.try_number = key["tryNumber"]
        self.max_tries = max_tries
        self._xcoms = xcoms

    def xcom_pull(self, task_ids=None, key=api.RETURN_VALUE_KEY):
        """One task id gives its value (None when missing); a list gives a list, as in Airflow."""
        if task_ids is None:
            task_ids = self.task_id
        if isinstance(task_ids, (list, tuple)):
            return [self._xcoms.pull(task_id, key) for task_id in task_ids]
        return self._xcoms.pull(task_ids, key)

    def xcom_push(self, key, value):
        if not isinstance(key, str) or key == "":
            raise ValueError("xcom_push needs a non-empty string key.")
        self._xcoms.push(key, _json_checked(value, 'The XCom "%s" pushed by task "%s"' % (key, self.task_id)))


class XComAccess:
    """Upstream return values come with the start answer; other XComs are fetched once and remembered."""

    def __init__(self, client, ti, upstream_xcoms):
        self._client = client
        self._ti = ti
        self._known = {(task_id, api.RETURN_VALUE_KEY): value for task_id, value in (upstream_xcoms or {}).items()}

    def find(self, task_id, key=api.RETURN_VALUE_KEY):
        """(True, value) or (False, None)."""
        if (task_id, key) in self._known:
            return True, self._known[(task_id, key)]
        is_self = task_id == self._ti["taskId"]
        other = dict(self._ti, taskId=task_id, mapIndex=self._ti["mapIndex"] if is_self else -1)
        answer = self._client.get_xcom(other, key)
        if answer is None:
            return False, None
        if not is_self:  # this task's own XComs can change while it runs
            self._known[(task_id, key)] = answer.get("value")
        return True, answer.get("value")

    def pull(self, task_id, key=api.RETURN_VALUE_KEY):
        return self.find(task_id, key)[1]

    # This task's XCom keys that a mapped task maps over -> who; a push under one must be a list.
    mapped_over = {}

    def push(self, key, value):
        who = self.mapped_over.get(key)
        if who is not None and not isinstance(value, list):
            raise UnmappableXComError('Task "%s" pushed %s as XCom "%s", but %s maps over it: push a list (the items to '
                                      "map over)." % (self._ti["taskId"], _describe_value(value), key, who))
        self._client.set_xcom(self._ti, key, value)


def _instant(text):
    # fromisoformat reads "Z" only from Python 3.11 on.
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(datetime.timezone.utc)


class OutletEvents:
    """Airflow's `outlet_events`: one event per outlet, sent with the success; set `extra` to describe the update.

        context["outlet_events"]["s3://lake/orders/"].extra["rows"] = 42
    """

    class Event:
        def __init__(self):
            self.extra = {}

    def __init__(self, task_id, uris):
        self._task_id = task_id
        self._events = {uri: OutletEvents.Event() for uri in uris}

    def __getitem__(self, uri):
        uri = getattr(uri, "uri", uri)
        if uri not in self._events:
            known = ", ".join(self._events) or "none"
            raise KeyError('Task "%s" has no outlet %r; its outlets are: %s. Add the asset to the task\'s outlets '
                           "to emit an event for it." % (self._task_id, uri, known))
        return self._events[uri]

    def to_request(self):
        events = []
        for uri, event in self._events.items():
            extra = _json_checked(event.extra, 'The extra of the outlet event for "%s" of task "%s"' % (uri, self._task_id))
            if not isinstance(extra, dict):
                raise TypeError('The extra of the outlet event for "%s" of task "%s" must be a dict.' % (uri, self._task_id))
            events.append({"uri": uri, "extra": extra})
        return events


def build_context(ti, started, xcoms, client, outlet_events=None):
    """Airflow's context names, snake_case; instants are aware UTC datetimes."""
    run = started["dagRun"]
    logical_date = _instant(run["logicalDate"])
    task_instance = TaskInstance(ti, started["taskInstance"]["maxTries"], xcoms)
    ds = logical_date.strftime("%Y-%m-%d")
    return {
        "dag_id": ti["dagId"],
        "task_id": ti["taskId"],
        "run_id": ti["runId"],
        "map_index": ti["mapIndex"],
        "try_number": ti["tryNumber"],
        "max_tries": started["taskInstance"]["maxTries"],
        "ds": ds,
        "ds_nodash": ds.replace("-", ""),
        "ts": logical_date.isoformat(),
        "logical_date": logical_date,
        "data_interval_start": _instant(run["dataIntervalStart"]),
        "data_interval_end": _instant(run["dataIntervalEnd"]),
        "run_after": _instant(run["runAfter"]),
        "run_type": run["runType"],
        "conf": run.get("conf") or {},
        "params": started.get("params") or {},
        "ti": task_instance,
        "task_instance": task_instance,
        "log": log,
        "variables": secrets.Variables(client),
        "connections": secrets.Connections(client),
        "outlet_events": outlet_events if outlet_events is not None else OutletEvents(ti["taskId"], []),
    }


def resolve_args(specs, xcoms, mapped_inputs=None):
    """A missing return_value is None (the upstream returned nothing); another missing key is an error.

    `mapped` / `map_item` arguments are a mapped instance's elements, from the start answer's mappedInputs.
    """
    values = []
    for position, spec in enumerate(specs):
        if spec.get("kind") == "literal":
            values.append(spec.get("value"))
            continue
        if spec.get("kind") in ("mapped", "map_item"):
            args = (mapped_inputs or {}).get("args")
            if not isinstance(args, dict):
                raise LookupError("The Execution API did not send the mapped inputs of this instance: it is older than "
                                  "the worker. Upgrade the Execution API to the version of the workers, then clear the task.")
            if str(position) not in args:
                raise LookupError("The Execution API sent no value for mapped argument %d. The DAG version of the run "
                                  "and the bundle may differ; clear the task." % position)
            values.append(args[str(position)])
            continue
        found, value = xcoms.find(spec["taskId"], spec["key"])
        if not found and spec["key"] != api.RETURN_VALUE_KEY:
            raise LookupError(
                'The XCom "%s" of task "%s" that this task takes as an argument does not exist. Make sure "%s" '
                "pushes it before this task runs." % (spec["key"], spec["taskId"], spec["taskId"])
            )
        values.append(value)
    return values


class UnmappableXComError(Exception):
    """A task returned or pushed something a mapped task cannot map over (Airflow's UnmappableXComTypePushed)."""


def check_mapped_return(task_id, mapped_over, result):
    """A return value that a mapped task maps over must be a list; the attempt fails (retries apply) otherwise."""
    who = mapped_over.get(api.RETURN_VALUE_KEY)
    if who is None or isinstance(result, list):
        return
    what = "returned nothing" if result is None else "returned %s" % _describe_value(result)
    raise UnmappableXComError('Task "%s" %s, but %s maps over its return value: return a list (the items to map over).'
                              % (task_id, what, who))


def _describe_value(value):
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a dict"
    return "a %s" % type(value).__name__


def load_callable(script, name):
    if not os.path.isfile(script):
        # Retryable: the script may be uploaded before the next try.
        raise FileNotFoundError("The task script %s is not in the DAGs folder. Upload it under dags/ in the bucket "
                                "(the path is relative to the DAGs folder root), then clear the task." % script)
    directory = os.path.dirname(os.path.abspath(script))
    if directory not in sys.path:
        sys.path.insert(0, directory)  # so the script can import its sibling modules
    # Compiled under the path as given (importlib would make it absolute), so tracebacks show dags/<script>.
    module = types.ModuleType("updraft_user_task")
    module.__file__ = script
    sys.modules[module.__name__] = module
    with open(script, "rb") as handle:
        exec(compile(handle.read(), script, "exec"), module.__dict__)
    fn = getattr(module, name, None)
    if not callable(fn):
        raise FailNoRetry("The task script %s has no function named %r. Define it as `def %s(context, *args):` or "
                          "set `callable` in pythonTask() to the function's name." % (script, name, name))
    return fn


def _json_checked(value, what):
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise TypeError("%s is not JSON-serializable (%s). Return or push only None, bool, int, float, str, "
                        "lists and dicts of them." % (what, error)) from None


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


class _Heartbeat(threading.Thread):
    """Beats every interval; a 409 means the attempt is no longer ours, and the process stops at once."""

    def __init__(self, client, ti, worker_id, seconds):
        super().__init__(daemon=True, name="updraft-heartbeat")
        self._client, self._ti, self._worker_id = client, ti, worker_id
        self._seconds = seconds if isinstance(seconds, (int, float)) and seconds > 0 else 30
        self._stopped = threading.Event()

    def run(self):
        while not self._stopped.wait(self._seconds):
            try:
                self._client.heartbeat(self._ti, self._worker_id)
            except api.ExecutionConflictError as error:
                if self._stopped.is_set():
                    return
                log.warning("The API says this attempt is no longer running here (state %s); stopping the task.",
                            error.current_state or "unknown")
                sys.stdout.flush()
                os._exit(EXIT_INTERRUPTED)
            except Exception as error:  # noqa: BLE001 - the next beat may get through
                log.warning("Heartbeat failed; the next one will try again: %s", error)

    def stop(self):
        self._stopped.set()


def run_attempt(env):
    """Runs the attempt the environment describes and returns the exit code."""
    workload = json.loads(env["UPDRAFT_WORKLOAD"])
    ti = workload["ti"]
    worker_id = env.get("UPDRAFT_WORKER_ID") or "python:%d" % os.getpid()
    client = api.ExecutionApiClient(env["UPDRAFT_EXECUTION_API_URL"], workload["token"])
    try:
        started = client.start(ti, worker_id, os.getpid(), _now())
    except api.ExecutionConflictError as error:
        log.info("The API did not let this attempt start (%s); nothing ran.", error.reason or "conflict")
        return EXIT_NOT_STARTED
    except api.ExecutionApiUnreachableError as error:
        log.error("Could not start the attempt: %s", error)
        return EXIT_START_UNAVAILABLE
    except api.ExecutionApiError as error:
        log.error("Could not start the attempt: %s", error)
        return EXIT_START_UNAVAILABLE if error.status >= 500 or error.status == 429 else EXIT_START_REFUSED

    heartbeat = _Heartbeat(client, ti, worker_id, started.get("heartbeatIntervalSeconds"))
    heartbeat.start()
    finish = {}
    try:
        xcoms = XComAccess(client, ti, started.get("upstreamXComs"))
        fn = load_callable(env["UPDRAFT_TASK_SCRIPT"], env.get("UPDRAFT_TASK_CALLABLE") or "main")
        args = resolve_args(json.loads(env.get("UPDRAFT_TASK_ARGS") or "[]"), xcoms, started.get("mappedInputs"))
        mapped_over = json.loads(env.get("UPDRAFT_TASK_MAPPED_OVER") or "{}")
        xcoms.mapped_over = mapped_over
        outlet_events = OutletEvents(ti["taskId"], json.loads(env.get("UPDRAFT_TASK_OUTLETS") or "[]"))
        result = fn(build_context(ti, started, xcoms, client, outlet_events), *args)
        do_xcom_push = env.get("UPDRAFT_TASK_DO_XCOM_PUSH", "true") != "false"
        check_mapped_return(ti["taskId"], mapped_over, result if do_xcom_push else None)
        success = {"state": "success"}
        # Airflow pushes no XCom for a None result.
        if do_xcom_push and result is not None:
            success.update(has_return_value=True,
                           return_value=_json_checked(result, 'The return value of task "%s"' % ti["taskId"]))
        # One event per outlet, sent with the success so both are recorded or neither.
        asset_events = outlet_events.to_request()
        if asset_events:
            success["asset_events"] = asset_events
        finish = success
    except BaseException as error:  # noqa: BLE001 - every way the task ends is reported
        finish = _failure_of(error)
    finally:
        heartbeat.stop()
        sys.stdout.flush()

    try:
        client.finish(ti, worker_id=worker_id, end_date=_now(), **finish)
    except Exception as error:  # noqa: BLE001
        log.error("Could not report the end of the attempt (%s): %s", finish["state"], error)
        return EXIT_INTERRUPTED
    log.info("Marking task as %s.", finish["state"].upper())
    return {"success": EXIT_SUCCESS, "skipped": EXIT_SKIPPED, "up_for_reschedule": EXIT_RESCHEDULED}.get(finish["state"], EXIT_FAILED)


def _failure_of(error):
    signal = task_signal_of(error)
    if signal == "skip":
        log.info("Task skipped: %s", error)
        return {"state": "skipped"}
    when = getattr(error, "reschedule_date", None)
    if signal == "reschedule" and isinstance(when, datetime.datetime) and when.tzinfo is not None:
        log.info("Rescheduling task: it runs again at %s (%s)", when.isoformat(), error)
        return {"state": "up_for_reschedule", "reschedule_date": when.astimezone(datetime.timezone.utc).isoformat()}
    log.error("Task failed: %s", "".join(traceback.format_exception(type(error), error, _user_frames(error.__traceback__))).rstrip())
    retryable = signal != "fail_no_retry"
    if not retryable:
        log.info("This failure is not retried.")
    return {"state": "failed", "retryable": retryable, "error": "%s: %s" % (type(error).__name__, error)}


def _user_frames(tb):
    """The traceback from the task's own code on: the runner's frame above it says nothing to the user."""
    here = os.path.abspath(__file__)
    user = tb
    while user is not None and os.path.abspath(user.tb_frame.f_code.co_filename) == here:
        user = user.tb_next
    return user if user is not None else tb


def main():
    missing = [name for name in ("UPDRAFT_WORKLOAD", "UPDRAFT_EXECUTION_API_URL", "UPDRAFT_TASK_SCRIPT") if not os.environ.get(name)]
    if missing:
        log.error("updraft_task.py is started by the Updraft worker; missing environment: %s", ", ".join(missing))
        return EXIT_CRASHED
    return run_attempt(os.environ)


if __name__ == "__main__":
    # Task scripts `import updraft_task`: make that the running module, not a second copy with other classes.
    sys.modules.setdefault("updraft_task", sys.modules[__name__])
    sys.exit(main())
