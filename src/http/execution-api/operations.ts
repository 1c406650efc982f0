/**
 * The Execution API's operations by stable id. Version changes, the OpenAPI document and the routes all
 * name an endpoint by this id, so a path can move without its migrations losing track of it.
 */
export const OPERATION_IDS = [
  'health',
  'startTaskInstance',
  'heartbeatTaskInstance',
  'finishTaskInstance',
  'skipDownstreamTaskInstances',
  'getXCom',
  'setXCom',
  'getVariable',
  'setVariable',
  'getConnection',
  // Deferral: the triggerer's reports.
  'fireTrigger',
  'failTrigger',
  'getDagRunStates',
] as const;

export type OperationId = (typeof OPERATION_IDS)[number];
