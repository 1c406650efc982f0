import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FARGATE_CONTEXT, functionNamed, resourcesOf, synthUpdraftStack } from './synth-stack.ts';

let template: Template;
beforeAll(() => {
  ({ template } = synthUpdraftStack(FARGATE_CONTEXT));
});

describe('ECS for the fargate executor', () => {
  it('is a cluster with the Fargate and Fargate Spot capacity providers, and no VPC of its own', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: 'updraft-dev', CapacityProviders: ['FARGATE', 'FARGATE_SPOT'] });
    template.resourceCountIs('AWS::EC2::VPC', 0);
  });

  it('has an ARM64 task definition whose one container is the repository image, logging to its own group', () => {
    const [, definition] = resourcesOf(template, 'AWS::ECS::TaskDefinition')[0]!;
    expect(definition.Properties).toMatchObject({
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '1024',
      Memory: '2048',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    const [container] = definition.Properties.ContainerDefinitions;
    expect(container).toMatchObject({ Name: 'task-runner', Essential: true, StopTimeout: 30, LogConfiguration: { LogDriver: 'awslogs' } });
    expect(JSON.stringify(container.Image)).toContain('container-assets');
    expect(container.Environment).toBeUndefined();
  });

  it('configures the executor through [fargate] keys on the scheduler: cluster, task definition, subnets, groups, log group', () => {
    const environment = functionNamed(template, 'scheduler')[1].Properties.Environment.Variables;
    expect(environment).toMatchObject({
      UPDRAFT__CORE__EXECUTOR: 'lambda,fargate',
      UPDRAFT__FARGATE__CONTAINER_NAME: 'task-runner',
      UPDRAFT__FARGATE__SUBNETS: 'subnet-0a1b2c3d,subnet-4e5f6a7b',
      UPDRAFT__FARGATE__SECURITY_GROUPS: 'sg-0123abcd',
      UPDRAFT__FARGATE__ASSIGN_PUBLIC_IP: 'false',
      UPDRAFT__FARGATE__LOG_STREAM_PREFIX: 'updraft',
    });
    expect(environment.UPDRAFT__FARGATE__TASK_DEFINITION).toEqual({ Ref: resourcesOf(template, 'AWS::ECS::TaskDefinition')[0]![0] });
    expect(environment.UPDRAFT__FARGATE__CLUSTER).toEqual({ Ref: resourcesOf(template, 'AWS::ECS::Cluster')[0]![0] });
    // The containers the executor starts are told where the Execution API and the bucket are.
    expect(Object.keys(environment)).toEqual(expect.arrayContaining(['UPDRAFT_EXECUTION_API_URL', 'UPDRAFT_BUCKET']));
  });

  it('is left out with fargate=false, and the scheduler then sends tasks only to the queue', () => {
    const { template: withoutEcs } = synthUpdraftStack({ fargate: 'false' });
    withoutEcs.resourceCountIs('AWS::ECS::Cluster', 0);
    withoutEcs.resourceCountIs('AWS::ECS::TaskDefinition', 0);
    const environment = functionNamed(withoutEcs, 'scheduler')[1].Properties.Environment.Variables;
    expect(environment.UPDRAFT__CORE__EXECUTOR).toBe('lambda');
    expect(Object.keys(environment).filter((key) => key.includes('FARGATE'))).toEqual([]);
  });
});

describe('HTTP APIs', () => {
  it('are two HTTP APIs, each with a $default stage that throttles and writes JSON access logs', () => {
    const apis = resourcesOf(template, 'AWS::ApiGatewayV2::Api');
    expect(apis.map(([, api]) => api.Properties.Name).sort()).toEqual(['updraft-dev-execution-api', 'updraft-dev-rest-api']);
    for (const [, stage] of resourcesOf(template, 'AWS::ApiGatewayV2::Stage')) {
      expect(stage.Properties).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) },
        AccessLogSettings: { DestinationArn: expect.anything() },
      });
      expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    }
  });

  it('are what the worker and the outputs point at', () => {
    const executionApi = resourcesOf(template, 'AWS::ApiGatewayV2::Api').find(([, api]) => api.Properties.Name.endsWith('execution-api'))![0];
    expect(functionNamed(template, 'worker')[1].Properties.Environment.Variables.UPDRAFT_EXECUTION_API_URL).toEqual({ 'Fn::GetAtt': [executionApi, 'ApiEndpoint'] });
    template.hasOutput('ExecutionApiUrl', { Value: { 'Fn::GetAtt': [executionApi, 'ApiEndpoint'] } });
  });

  it('may invoke their own function only', () => {
    for (const name of ['execution-api', 'rest-api']) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [functionNamed(template, name)[0], 'Arn'] },
      });
    }
  });
});

describe('token signing key', () => {
  it('is a generated secret, named to the scheduler and the Execution API by ARN', () => {
    const [[secretId, secret]] = resourcesOf(template, 'AWS::SecretsManager::Secret');
    expect(secret!.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    for (const name of ['scheduler', 'execution-api']) {
      expect(functionNamed(template, name)[1].Properties.Environment.Variables.UPDRAFT_TOKEN_KEY_SECRET_ID).toEqual({ Ref: secretId });
    }
  });
});

describe('event delivery', () => {
  it('keeps DAG file events the processor could not take in a dead-letter queue, after retries', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.s3'] }),
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 } })],
    });
  });

  it('alarms on that dead-letter queue as on the task one', () => {
    const eventQueue = resourcesOf(template, 'AWS::SQS::Queue').find(([id]) => id.startsWith('EventDeadLetterQueue'))![0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'updraft-dev-event-dead-letters',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [eventQueue, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('lets the worker report failed records one by one, up to parallelism at once', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 32 },
    });
  });

  it('routes only STOPPED task changes of its own cluster to the scheduler', () => {
    const clusterId = resourcesOf(template, 'AWS::ECS::Cluster')[0]![0];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { clusterArn: [{ 'Fn::GetAtt': [clusterId, 'Arn'] }], lastStatus: ['STOPPED'] } },
    });
  });
});
