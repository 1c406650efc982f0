import type { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../src/core/deployment/function-names.ts';
import { actionsOf, managedPoliciesOf, roleOf, servicesOf, statementsOf } from './iam-statements.ts';
import { FARGATE_CONTEXT, functionNamed, synthUpdraftStack } from './synth-stack.ts';

/** Services that would let task code reach Updraft's state or secrets around the Execution API. */
const FORBIDDEN_TO_TASK_CODE = ['dynamodb', 'secretsmanager'];

/** The roles task code runs as, and the services they may call that task code should not. */
function taskCodeViolations(template: Template, taskRoleIds: string[]): string[] {
  return taskRoleIds.flatMap((roleId) =>
    [...servicesOf(template, roleId)].filter((service) => FORBIDDEN_TO_TASK_CODE.includes(service)).map((service) => `${roleId}: ${service}`),
  );
}

function taskCodeRoles(template: Template): string[] {
  const worker = roleOf(functionNamed(template, 'worker')[1]);
  const taskDefinitions = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  const containerTaskRoles = taskDefinitions.map((definition) => definition.Properties.TaskRoleArn['Fn::GetAtt'][0] as string);
  return [worker, ...containerTaskRoles];
}

let template: Template;
beforeAll(() => {
  ({ template } = synthUpdraftStack(FARGATE_CONTEXT));
});

describe('least privilege', () => {
  it('gives the code that runs tasks (worker function, Fargate task role) no DynamoDB and no Secrets Manager permission', () => {
    const roles = taskCodeRoles(template);
    expect(roles).toHaveLength(2);
    expect(taskCodeViolations(template, roles)).toEqual([]);
  });

  it('lets the task code only read bundles and DAG files and write logs in the bucket', () => {
    const containerTaskRole = taskCodeRoles(template)[1]!;
    expect(new Set(actionsOf(statementsOf(template, containerTaskRole)))).toEqual(new Set(['s3:GetObject', 's3:PutObject']));
    const worker = taskCodeRoles(template)[0]!;
    // The worker also polls its queue (Lambda's event source mapping uses the function's role) and writes its log group.
    expect(servicesOf(template, worker)).toEqual(new Set(['s3', 'sqs', 'logs']));
  });

  it('detects a DynamoDB grant added to the worker (the check above can fail)', () => {
    const { template: widened } = synthUpdraftStack(FARGATE_CONTEXT, (stack) =>
      // No wildcard, so cdk-nag lets it through: it is this test's check that must catch it.
      stack.functions.roles.worker.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [stack.table.tableArn] })),
    );
    expect(taskCodeViolations(widened, taskCodeRoles(widened))).toEqual([`${roleOf(functionNamed(widened, 'worker')[1])}: dynamodb`]);
  });

  it('gives Secrets Manager to the Execution API (connections, variables, token key), the scheduler (token key) and the REST API (its own token secret) only', () => {
    const withSecrets = FUNCTION_NAMES.filter((name) => servicesOf(template, roleOf(functionNamed(template, name)[1])).has('secretsmanager'));
    expect(withSecrets.sort()).toEqual(['execution-api', 'rest-api', 'scheduler']);
    const secretsOf = (name: string) =>
      statementsOf(template, roleOf(functionNamed(template, name)[1]))
        .filter((s) => actionsOf([s]).some((action) => action.startsWith('secretsmanager:')))
        .map((s) => s.Resource);
    // One generated secret each, by reference: the REST API cannot sign task tokens.
    expect(secretsOf('scheduler')).toEqual([{ Ref: expect.stringMatching(/^TokenSigningKey/) }]);
    expect(secretsOf('rest-api')).toEqual([{ Ref: expect.stringMatching(/^RestApiJwtSecret/) }]);
  });

  it('reads connections and variables only under updraft/connections/ and updraft/variables/', () => {
    const statements = statementsOf(template, roleOf(functionNamed(template, 'execution-api')[1]));
    const prefixed = statements.filter((s) => actionsOf([s]).includes('secretsmanager:GetSecretValue') && Array.isArray(s.Resource));
    const text = JSON.stringify(prefixed.map((s) => s.Resource));
    expect(text).toContain(':secret:updraft/connections/*');
    expect(text).toContain(':secret:updraft/variables/*');
  });

  it('gives the metastore to the scheduler, the DAG processor, the Execution API and the REST API only', () => {
    const withTable = FUNCTION_NAMES.filter((name) => servicesOf(template, roleOf(functionNamed(template, name)[1])).has('dynamodb'));
    expect(withTable.sort()).toEqual(['dag-processor', 'execution-api', 'rest-api', 'scheduler']);
  });

  it('uses no AWS managed policy and no wildcard action on any function role', () => {
    for (const name of FUNCTION_NAMES) {
      const roleId = roleOf(functionNamed(template, name)[1]);
      expect(managedPoliciesOf(template, roleId), name).toEqual([]);
      expect(actionsOf(statementsOf(template, roleId)).filter((action) => action === '*' || action.endsWith(':*')), name).toEqual([]);
    }
  });

  it('lets the executors pass exactly the two task roles to ECS, and run exactly the task-runner task definition', () => {
    const [taskDefinitionId, taskDefinition] = Object.entries(template.findResources('AWS::ECS::TaskDefinition'))[0]!;
    const passable = [taskDefinition.Properties.TaskRoleArn, taskDefinition.Properties.ExecutionRoleArn];
    for (const name of ['scheduler', 'execution-api']) {
      const statements = statementsOf(template, roleOf(functionNamed(template, name)[1]));
      const passRole = statements.filter((s) => actionsOf([s]).includes('iam:PassRole'));
      expect(passRole, name).toHaveLength(1);
      expect(new Set((passRole[0]!.Resource as unknown[]).map((arn) => JSON.stringify(arn)))).toEqual(new Set(passable.map((arn) => JSON.stringify(arn))));
      expect(passRole[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
      const runTask = statements.filter((s) => actionsOf([s]).includes('ecs:RunTask'));
      expect(runTask.map((s) => s.Resource), name).toEqual([{ Ref: taskDefinitionId }]);
    }
    for (const name of ['worker', 'dag-processor', 'rest-api']) {
      expect(servicesOf(template, roleOf(functionNamed(template, name)[1])).has('iam'), name).toBe(false);
    }
  });
});
