export { canRetry, MAX_RETRY_DELAY_SECONDS, retryDelaySeconds, type FailedAttempt, type RetryPolicy } from './retry.ts';
export {
  evaluateTriggerRule,
  summarizeUpstream,
  type TriggerRuleContext,
  type TriggerRuleOutcome,
  type UpstreamSummary,
} from './trigger-rules.ts';
export { decideDagRunState, explainDagRunState, type DecidedRunState, type RunStateDecision } from './run-state.ts';
export {
  DEFAULT_EXECUTION_TIMEOUT_GRACE_SECONDS,
  planTaskInstances,
  type PlanInput,
  type PlanningSettings,
  type TaskTransition,
  type TransitionKind,
} from './task-planning.ts';
export { planRunCreation, type PlannedRun, type RunCreationInput, type RunCreationPlan } from './run-creation.ts';
export { fastPathGateAfterSuccess, type FastPathGate } from './fast-path-gate.ts';
