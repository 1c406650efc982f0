import { ECSServiceException, type Task } from '@aws-sdk/client-ecs';

/** Shapes of ECS answers as the SDK hands them over (dates already parsed), for the mocked client. */

export const CLUSTER_ARN = 'arn:aws:ecs:us-west-2:111122223333:cluster/updraft';

export function taskArn(id: string): string {
  return `arn:aws:ecs:us-west-2:111122223333:task/updraft/${id}`;
}

/** A Fargate task as RunTask returns it: just placed, PROVISIONING. */
export function provisioningTask(id: string, overrides: Partial<Task> = {}): Task {
  return {
    attachments: [
      {
        id: '1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8',
        type: 'ElasticNetworkInterface',
        status: 'PRECREATED',
        details: [{ name: 'subnetId', value: 'subnet-0a1b2c3d' }],
      },
    ],
    availabilityZone: 'us-west-2c',
    capacityProviderName: 'FARGATE',
    clusterArn: CLUSTER_ARN,
    containers: [
      {
        containerArn: `arn:aws:ecs:us-west-2:111122223333:container/updraft/${id}/cf159fd6-3e3f-4a9e-84f9-66cbe726af01`,
        taskArn: taskArn(id),
        name: 'runner',
        image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/updraft-runner:latest',
        lastStatus: 'PENDING',
        networkInterfaces: [],
        cpu: '0',
      },
    ],
    cpu: '1024',
    createdAt: new Date('2025-03-14T09:26:34.402Z'),
    desiredStatus: 'RUNNING',
    enableExecuteCommand: false,
    group: 'updraft:example_dag',
    lastStatus: 'PROVISIONING',
    launchType: 'FARGATE',
    memory: '2048',
    overrides: { containerOverrides: [{ name: 'runner' }], inferenceAcceleratorOverrides: [] },
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    startedBy: 'ud-3f9a2c7e1b-1',
    tags: [],
    taskArn: taskArn(id),
    taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/updraft-runner:3',
    version: 1,
    ephemeralStorage: { sizeInGiB: 20 },
    ...overrides,
  };
}

/** A task as DescribeTasks returns it after its runner container exited. */
export function stoppedTask(id: string, exitCode: number): Task {
  const task = provisioningTask(id);
  return {
    ...task,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    startedAt: new Date('2025-03-14T09:26:58.103Z'),
    stoppingAt: new Date('2025-03-14T09:41:02.211Z'),
    stoppedAt: new Date('2025-03-14T09:41:15.004Z'),
    containers: [{ ...task.containers![0]!, lastStatus: 'STOPPED', exitCode }],
  };
}

/** An error as the SDK throws it for an ECS error response. */
export function ecsError(name: string, message: string, httpStatusCode = 400): ECSServiceException {
  return new ECSServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, requestId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111', attempts: 1, totalRetryDelay: 0 },
    message,
  });
}
