import type { TaskInstanceState } from '../model/states.ts';
import { FINISHED_TASK_STATES } from '../model/states.ts';
import type { TriggerRule } from '../model/trigger-rules.ts';

/**
 * Trigger-rule evaluation as Airflow 3's TriggerRuleDep does it with `flag_upstream_failed` (the mode the
 * scheduler runs in): besides deciding whether a task may run, it decides early when a task can never
 * run, so skips and upstream failures propagate down the graph without waiting for every upstream.
 */

/** Counts over a task's direct upstream task instances, as Airflow's `_UpstreamTIStates`. */
export interface UpstreamSummary {
  /** Number of direct upstream task instances (finished or not). */
  upstream: number;
  success: number;
  skipped: number;
  failed: number;
  upstreamFailed: number;
  removed: number;
  /** Upstreams in any finished state. */
  done: number;
  /** How many of the direct upstreams are setup tasks, and how those ended. */
  upstreamSetup: number;
  successSetup: number;
  skippedSetup: number;
}

/**
 * What the scheduler should do with a task instance that has not run yet:
 * `ready` run it; `waiting` leave it; `skip` mark it skipped; `upstream_failed` mark it upstream_failed.
 */
export type TriggerRuleOutcome = 'ready' | 'waiting' | 'skip' | 'upstream_failed';

/**
 * @param states states of the direct upstream task instances (unfinished ones included; they count
 *   towards `upstream` but not `done`).
 * @param setupStates the states of those upstreams that are setup tasks (a subset of `states`).
 */
export function summarizeUpstream(
  states: readonly TaskInstanceState[],
  setupStates: readonly TaskInstanceState[] = [],
): UpstreamSummary {
  return summarizeUpstreamCounts(countStates(states), countStates(setupStates));
}

/** How many instances are in each state: the form a mapped upstream of thousands is summarized in. */
export type StateCounts = ReadonlyMap<TaskInstanceState, number>;

export function countStates(states: readonly TaskInstanceState[]): Map<TaskInstanceState, number> {
  const counts = new Map<TaskInstanceState, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  return counts;
}

/** As `summarizeUpstream`, from per-state counts. */
export function summarizeUpstreamCounts(counts: StateCounts, setupCounts: StateCounts = new Map()): UpstreamSummary {
  const total = (of: StateCounts) => [...of.values()].reduce((sum, n) => sum + n, 0);
  let done = 0;
  for (const [state, n] of counts) if (FINISHED_TASK_STATES.has(state)) done += n;
  return {
    upstream: total(counts),
    success: counts.get('success') ?? 0,
    skipped: counts.get('skipped') ?? 0,
    failed: counts.get('failed') ?? 0,
    upstreamFailed: counts.get('upstream_failed') ?? 0,
    removed: counts.get('removed') ?? 0,
    done,
    upstreamSetup: total(setupCounts),
    successSetup: setupCounts.get('success') ?? 0,
    skippedSetup: setupCounts.get('skipped') ?? 0,
  };
}

export interface TriggerRuleContext {
  /** -1 for unmapped task instances; mapped ones discount removed upstreams, as Airflow does. */
  mapIndex?: number;
}

/** Evaluates one trigger rule over a task's direct upstreams. */
export function evaluateTriggerRule(
  rule: TriggerRule,
  summary: UpstreamSummary,
  context: TriggerRuleContext = {},
): TriggerRuleOutcome {
  if (summary.upstream === 0 || rule === 'always') return 'ready';
  const flagged = flagUpstream(rule, summary);
  if (flagged) return flagged;
  return isMet(rule, summary, context.mapIndex ?? -1) ? 'ready' : 'waiting';
}

/** The early decisions Airflow takes with `flag_upstream_failed`; null when the rule decides nothing yet. */
function flagUpstream(rule: TriggerRule, s: UpstreamSummary): 'skip' | 'upstream_failed' | null {
  const upstreamDone = s.done >= s.upstream;
  switch (rule) {
    case 'all_success':
      if (s.upstreamFailed || s.failed) return 'upstream_failed';
      if (s.skipped) return 'skip';
      return null;
    case 'all_failed':
      return s.success || s.skipped ? 'skip' : null;
    case 'one_success':
      if (upstreamDone && s.done === s.skipped) return 'skip';
      if (upstreamDone && s.success <= 0) return 'upstream_failed';
      return null;
    case 'one_failed':
      return upstreamDone && !(s.failed || s.upstreamFailed) ? 'skip' : null;
    case 'one_done':
      return upstreamDone && !(s.failed || s.success) ? 'skip' : null;
    case 'none_failed':
      return s.upstreamFailed || s.failed ? 'upstream_failed' : null;
    case 'none_failed_min_one_success':
      if (s.upstreamFailed || s.failed) return 'upstream_failed';
      if (s.skipped === s.upstream) return 'skip';
      return null;
    case 'none_skipped':
      return s.skipped ? 'skip' : null;
    case 'all_skipped':
      return s.success || s.failed || s.upstreamFailed ? 'skip' : null;
    case 'all_done_min_one_success': {
      // Skipped upstreams do not count as "done" for this rule.
      const nonSkippedDone = s.success + s.failed + s.upstreamFailed + s.removed;
      if (s.skipped > 0) return 'skip';
      if (nonSkippedDone >= s.upstream - s.skipped && s.success === 0) return 'upstream_failed';
      return null;
    }
    case 'all_done_setup_success':
      if (upstreamDone && s.upstreamSetup && s.skippedSetup >= s.upstreamSetup) return 'skip';
      if (upstreamDone && s.upstreamSetup && s.successSetup === 0) return 'upstream_failed';
      return null;
    case 'all_done':
    case 'always':
      return null;
  }
}

/** Whether the rule lets the task run now (Airflow's passing status). */
function isMet(rule: TriggerRule, s: UpstreamSummary, mapIndex: number): boolean {
  const upstreamDone = s.done >= s.upstream;
  const removedDiscount = mapIndex > -1 ? s.removed : 0;
  switch (rule) {
    case 'one_success':
      return s.success > 0;
    case 'one_failed':
      return s.failed > 0 || s.upstreamFailed > 0;
    case 'one_done':
      return s.success + s.failed > 0;
    case 'all_success':
      return s.upstream - s.success - removedDiscount <= 0;
    case 'all_failed':
      return s.upstream - s.failed - s.upstreamFailed - removedDiscount <= 0;
    case 'all_done':
      return upstreamDone;
    case 'none_failed':
    case 'none_failed_min_one_success':
      return s.upstream - s.success - s.skipped - removedDiscount <= 0;
    case 'none_skipped':
      return upstreamDone && s.skipped === 0;
    case 'all_skipped':
      return s.upstream - s.skipped <= 0;
    case 'all_done_setup_success':
      return upstreamDone && !(s.upstreamSetup && !s.successSetup);
    case 'all_done_min_one_success': {
      const nonSkippedDone = s.success + s.failed + s.upstreamFailed + s.removed - removedDiscount;
      const nonSkippedUpstream = s.upstream - s.skipped - removedDiscount;
      return s.skipped === 0 && nonSkippedDone >= nonSkippedUpstream && s.success > 0;
    }
    case 'always':
      return true;
  }
}
