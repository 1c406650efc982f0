import type { Template } from 'aws-cdk-lib/assertions';
import { resourcesOf } from './synth-stack.ts';

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/** The role a function runs as (its `Role` is `Fn::GetAtt [<role>, Arn]`). */
export function roleOf(fn: { Properties: Record<string, any> }): string {
  return fn.Properties.Role['Fn::GetAtt'][0];
}

/** Every statement that applies to a role: inline policies attached to it and policies of its own. */
export function statementsOf(template: Template, roleId: string): Statement[] {
  const attached = resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
  const role = template.findResources('AWS::IAM::Role')[roleId];
  if (!role) throw new Error(`no role ${roleId}`);
  const own = ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((policy) => policy.PolicyDocument.Statement);
  return [...attached, ...own];
}

export function actionsOf(statements: readonly Statement[]): string[] {
  return statements.filter((s) => s.Effect === 'Allow').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

/** AWS managed policies a role carries (we want none: they grant far more than a function needs). */
export function managedPoliciesOf(template: Template, roleId: string): unknown[] {
  return (template.findResources('AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns ?? []) as unknown[];
}

/** The services (`dynamodb`, `secretsmanager`...) a role may call. */
export function servicesOf(template: Template, roleId: string): Set<string> {
  return new Set(actionsOf(statementsOf(template, roleId)).map((action) => action.split(':')[0]!));
}
