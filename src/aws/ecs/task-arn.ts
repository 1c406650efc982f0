/**
 * The ECS task id: the last segment of a task ARN, in the old (`task/<id>`) and the new
 * (`task/<cluster>/<id>`) ARN format alike. Given an id, returns it unchanged.
 */
export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}
