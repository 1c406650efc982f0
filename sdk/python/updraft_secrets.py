"""Variables and connections for Python tasks, read through the Task Execution API.

The task process holds no secrets of its own: every read is a request with the attempt's token. Whatever
secret a task reads is announced to the worker at once with a control line

    ::updraft::mask {"connection": {...}}   or   ::updraft::mask {"variable": {"key": ..., "value": ...}}

which the worker registers with the task log's masker and never writes to the log, so the value shows as
`***` in every line after it. The line goes to both stdout and stderr: the worker reads the two pipes
independently, so only a line on the same stream is sure to be read before what the task prints next.
"""

import json
import sys

import updraft_execution_api as api

MASK_PREFIX = "::updraft::mask "

_NOT_SET = object()

CONNECTION_FIELDS = (
    ("conn_id", "connId"),
    ("conn_type", "connType"),
    ("host", "host"),
    ("login", "login"),
    ("password", "password"),
    ("schema", "schema"),
    ("port", "port"),
    ("extra", "extra"),
)


class VariableNotDefinedError(KeyError):
    """A variable no secrets backend defines, read without a default (a KeyError, as Airflow's Variable.get raises)."""

    def __init__(self, key, message):
        super().__init__(key)
        self.key = key
        self.message = message

    def __str__(self):
        return self.message


class ConnectionNotFoundError(LookupError):
    """A connection no secrets backend defines (Airflow's AirflowNotFoundException)."""

    def __init__(self, conn_id, message):
        super().__init__(message)
        self.conn_id = conn_id


def announce_secret(payload):
    """Writes the mask control line; the value itself never reaches the task log."""
    line = MASK_PREFIX + json.dumps(payload, separators=(",", ":")) + "\n"
    # The original streams, not sys.stdout/sys.stderr: task code may have redirected those to a buffer
    # it prints later, and the worker must see the line before that.
    for stream in (sys.__stdout__, sys.__stderr__):
        if stream is None:
            continue
        stream.write(line)
        stream.flush()


class Connection:
    """Airflow's Connection fields, snake_case. `extra` is the decoded dict (Airflow's `extra_dejson`)."""

    def __init__(self, conn_id, conn_type=None, host=None, login=None, password=None, schema=None, port=None, extra=None):
        self.conn_id = conn_id
        self.conn_type = conn_type
        self.host = host
        self.login = login
        self.password = password
        self.schema = schema
        self.port = port
        self.extra = extra if isinstance(extra, dict) else {}

    @classmethod
    def from_api(cls, body):
        return cls(**{snake: body.get(camel) for snake, camel in CONNECTION_FIELDS})

    @property
    def extra_dejson(self):
        return self.extra

    def to_dict(self):
        return {snake: getattr(self, snake) for snake, _ in CONNECTION_FIELDS}

    def __getitem__(self, name):
        """`conn["host"]` as well as `conn.host`, for code that treats the connection as a dict."""
        if name not in dict(CONNECTION_FIELDS):
            raise KeyError(name)
        return getattr(self, name)

    def __eq__(self, other):
        return isinstance(other, Connection) and self.to_dict() == other.to_dict()

    def __repr__(self):
        # No password and no extra: a repr ends up in tracebacks and debug prints.
        return "Connection(conn_id=%r, conn_type=%r, host=%r, login=%r, schema=%r, port=%r)" % (
            self.conn_id, self.conn_type, self.host, self.login, self.schema, self.port)


class Variables:
    """`context["variables"]`: Airflow's Variable.get / Variable.set for the running task."""

    def __init__(self, client):
        self._client = client

    def get(self, key, default=_NOT_SET, deserialize_json=False):
        """The value; `default` when the variable is not defined, or VariableNotDefinedError without one."""
        try:
            value = self._client.get_variable(key)["value"]
        except api.ExecutionApiError as error:
            if error.status != 404 or error.reason != "variable_not_found":
                raise
            if default is not _NOT_SET:
                return default
            where = error.detail.get("message") if isinstance(error.detail, dict) else None
            where = where or ('Variable "%s" is not defined. Set UPDRAFT_VAR_%s, create the secret updraft/variables/%s, '
                              "or store it in the metastore." % (key, key.upper(), key))
            raise VariableNotDefinedError(key, '%s Or pass a default: context["variables"].get(%r, default).' % (where, key)) from None
        announce_secret({"variable": {"key": key, "value": value}})
        if deserialize_json:
            return json.loads(value)
        return value

    def set(self, key, value, description=None, serialize_json=False):
        """Stores the variable in the first writable secrets backend (the metastore)."""
        if serialize_json:
            text = json.dumps(value, indent=2)
        else:
            text = value if isinstance(value, str) else str(value)
        announce_secret({"variable": {"key": key, "value": text}})
        self._client.set_variable(key, text, description)


class Connections:
    """`context["connections"]`: Airflow's BaseHook.get_connection for the running task."""

    def __init__(self, client):
        self._client = client

    def get(self, conn_id):
        try:
            body = self._client.get_connection(conn_id)
        except api.ExecutionApiError as error:
            if error.status != 404 or error.reason != "connection_not_found":
                raise
            message = error.detail.get("message") if isinstance(error.detail, dict) else None
            raise ConnectionNotFoundError(conn_id, message or (
                'Connection "%s" is not defined. Set UPDRAFT_CONN_%s, create the secret updraft/connections/%s, '
                "or store it in the metastore." % (conn_id, conn_id.upper(), conn_id))) from None
        announce_secret({"connection": body})
        return Connection.from_api(body)
