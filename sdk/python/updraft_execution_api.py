"""The worker's side of Updraft's Task Execution API, in Python with the standard library only.

It speaks exactly what the TypeScript client (src/http/execution-api-client.ts) speaks: the same paths,
the `Updraft-Api-Version` header, a bearer token that names one attempt, camelCase JSON bodies. Start,
heartbeat, finish and XCom writes are idempotent on the server, which is what makes retrying them after
a network error or a 502/503/504 safe.
"""

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request

# The dated API version this client's bodies follow; the server translates it to its head version.
EXECUTION_API_VERSION = "2026-11-23"

RETURN_VALUE_KEY = "return_value"
_RETRYABLE_STATUSES = {502, 503, 504}


class ExecutionApiError(Exception):
    """The API answered with an error status; `reason` is the server's `detail.reason`."""

    def __init__(self, status, message, detail=None):
        super().__init__(message)
        self.status = status
        self.detail = detail
        self.reason = detail.get("reason") if isinstance(detail, dict) and isinstance(detail.get("reason"), str) else None


class ExecutionConflictError(ExecutionApiError):
    """409: the task instance is not in the state the call needs (another worker has it, it was cleared...)."""

    def __init__(self, message, detail=None):
        super().__init__(409, message, detail)
        current = detail.get("currentState") if isinstance(detail, dict) else None
        self.current_state = current if isinstance(current, str) else None


class ExecutionApiUnreachableError(Exception):
    """The API could not be reached (network error or timeout) even after retrying."""


def encode_task_instance_id(dag_id, run_id, task_id, map_index):
    """A task instance's id in URLs: base64url (unpadded) of the JSON array [dagId, runId, taskId, mapIndex],
    byte for byte what JavaScript's JSON.stringify writes (no spaces, non-ASCII unescaped)."""
    raw = json.dumps([dag_id, run_id, task_id, map_index], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


class ExecutionApiClient:
    """Holds one attempt's token, so a runner makes one per workload."""

    def __init__(self, base_url, token, api_version=EXECUTION_API_VERSION, max_attempts=4,
                 retry_delay_seconds=0.1, request_timeout_seconds=10.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.api_version = api_version
        self.max_attempts = max(1, max_attempts)
        self.retry_delay_seconds = retry_delay_seconds
        self.request_timeout_seconds = request_timeout_seconds

    def start(self, ti, worker_id, pid, start_date):
        """The gate: queued -> running. Raises ExecutionConflictError when the attempt may not run."""
        body = {"workerId": worker_id, "pid": pid, "startDate": start_date}
        return self._request("PATCH", "/execution/task-instances/%s/run" % _ti_id(ti), body)

    def heartbeat(self, ti, worker_id):
        """Raises ExecutionConflictError (reason `not_running`) when the task must stop."""
        self._request("PUT", "/execution/task-instances/%s/heartbeat" % _ti_id(ti), {"workerId": worker_id})

    def finish(self, ti, state, worker_id, end_date, retryable=True, return_value=None, has_return_value=False, error=None,
               reschedule_date=None, asset_events=None):
        """Ends the attempt. `has_return_value` distinguishes "push None" from "push nothing".
        `reschedule_date` (ISO text) goes with up_for_reschedule; `asset_events` ([{"uri", "extra"}]) with success."""
        body = {"state": state, "workerId": worker_id, "endDate": end_date}
        if state in ("failed", "up_for_retry"):
            body["retryable"] = retryable
        if has_return_value:
            body["returnValue"] = return_value
        if error is not None:
            body["error"] = error
        if reschedule_date is not None:
            body["rescheduleDate"] = reschedule_date
        if asset_events:
            body["assetEvents"] = asset_events
        self._request("PATCH", "/execution/task-instances/%s/state" % _ti_id(ti), body)

    def get_xcom(self, ti, key):
        """The XCom as {"key", "value"}, or None when the task instance has none under that key."""
        try:
            return self._request("GET", self._xcom_path(ti, key))
        except ExecutionApiError as error:
            if error.status == 404 and error.reason == "xcom_not_found":
                return None
            raise

    def set_xcom(self, ti, key, value):
        self._request("POST", self._xcom_path(ti, key), {"value": value})

    def get_variable(self, key):
        """{"key", "value"}. A missing variable is ExecutionApiError 404 with reason `variable_not_found`, whose
        message names every place the server searched."""
        return self._request("GET", "/execution/variables/%s" % _path_part(key))

    def set_variable(self, key, value, description=None):
        self._request("PUT", "/execution/variables/%s" % _path_part(key), {"value": value, "description": description})

    def get_connection(self, conn_id):
        """The connection in camelCase (connId, connType, host, login, password, schema, port, extra). A missing
        one is ExecutionApiError 404 with reason `connection_not_found`."""
        return self._request("GET", "/execution/connections/%s" % _path_part(conn_id))

    def _xcom_path(self, ti, key):
        return "/execution/xcoms/%s/%s" % (_ti_id(ti), _path_part(key))

    def _request(self, method, path, body=None):
        url = self.base_url + path
        headers = {"Authorization": "Bearer " + self.token, "Updraft-Api-Version": self.api_version}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body, allow_nan=False).encode("utf-8")
        last_problem = None
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                time.sleep(self.retry_delay_seconds * 2 ** (attempt - 2))
            request = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.request_timeout_seconds) as response:
                    text = response.read().decode("utf-8")
                    return json.loads(text) if text else None
            except urllib.error.HTTPError as http_error:
                failure = _error_from_response(method, path, http_error)
                if http_error.code in _RETRYABLE_STATUSES and attempt < self.max_attempts:
                    last_problem = failure
                    continue
                raise failure from None
            except (urllib.error.URLError, OSError) as network_error:
                last_problem = network_error
                continue
        if isinstance(last_problem, ExecutionApiError):
            raise last_problem
        raise ExecutionApiUnreachableError(
            "The Task Execution API at %s did not answer %s %s after %d attempts (%s). Check that the API is "
            "running and that UPDRAFT_EXECUTION_API_URL points at it." % (self.base_url, method, path, self.max_attempts, last_problem)
        )


def _path_part(text):
    # What JavaScript's encodeURIComponent leaves as is, so both clients name the same resource.
    return urllib.parse.quote(text, safe="-_.!~*'()")


def _ti_id(ti):
    return encode_task_instance_id(ti["dagId"], ti["runId"], ti["taskId"], ti["mapIndex"])


def _error_from_response(method, path, http_error):
    try:
        text = http_error.read().decode("utf-8", errors="replace")
    except OSError:
        text = ""
    detail = None
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict) and isinstance(parsed.get("detail"), dict):
            detail = parsed["detail"]
    except ValueError:
        pass  # Not our JSON error shape (a proxy answered): the raw text goes in the message.
    said = detail["message"] if detail and isinstance(detail.get("message"), str) else (text[:300] or http_error.reason)
    message = "The Task Execution API refused %s %s with %d: %s" % (method, path, http_error.code, said)
    if http_error.code == 409:
        return ExecutionConflictError(message, detail)
    return ExecutionApiError(http_error.code, message, detail)
