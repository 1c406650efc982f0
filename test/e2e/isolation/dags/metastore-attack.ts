/**
 * Task code that tries to reach the metastore behind the orchestrator's back (issue #3). Every task
 * catches what goes wrong and returns it as evidence, so the run ends as the DAG defines (all success)
 * and the test reads what each attempt ran into from XCom.
 *
 * The test copies this file into the stack's DAG folder with the SDK import rewritten to an absolute
 * path: DAG bundles are built outside this repository, where a bare package name does not resolve.
 */
import { DynamoDBClient, ListTablesCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { bash, dag, task } from 'updraft/sdk';

/** What a failed SDK call looked like from inside the task. */
interface Attempt {
  succeeded: boolean;
  errorName: string | null;
  message: string | null;
}

async function attempt(call: () => Promise<unknown>): Promise<Attempt> {
  try {
    await call();
    return { succeeded: true, errorName: null, message: null };
  } catch (error) {
    const failure = error as Error;
    return { succeeded: false, errorName: failure.name, message: failure.message };
  }
}

/** The SDK's default configuration: credentials and endpoint from wherever the SDK looks for them. */
function defaultClient(): DynamoDBClient {
  return new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
}

const probeMetastore = task({ taskId: 'probe_metastore' }, async () => {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) environment[name] = value;
  const listTables = await attempt(() => defaultClient().send(new ListTablesCommand({})));
  return { pid: process.pid, environment, listTables };
});

const markSelfSuccess = task({ taskId: 'mark_self_success' }, async (ctx) => {
  // The metastore's own key layout for this task instance, as a task author could read it in the docs.
  const update = new UpdateItemCommand({
    TableName: 'updraft',
    Key: {
      pk: { S: `RUN#${ctx.dagId}#${ctx.runId}` },
      sk: { S: `TI#${ctx.taskId}#${ctx.mapIndex}` },
    },
    UpdateExpression: 'SET #state = :state, tryNumber = :try, tamperedBy = :who',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':state': { S: 'success' }, ':try': { N: '7' }, ':who': { S: 'task code' } },
  });
  const updateItem = await attempt(() => defaultClient().send(update));
  return { pid: process.pid, updateItem };
});

export default dag({ dagId: 'metastore_attack', schedule: null, tags: ['isolation'] }, () => {
  probeMetastore().setDownstream(markSelfSuccess());
  bash({
    taskId: 'bash_env',
    bashCommand: `echo "found=[$(env | grep -E '^(AWS_|UPDRAFT_LOCAL_)' | cut -d= -f1 | sort | tr '\\n' ' ')]"`,
  });
});
