/**
 * Preloaded (`--import`) into every child of the local executor: a child whose parent died, even by
 * SIGKILL, is re-parented and must not run on as an orphan. It stops the way ECS stops a container
 * (SIGTERM, so the runner aborts the task and its own subprocesses), and leaves for good after a grace.
 */

/** How long the runner gets to wind down once its parent is gone (the Execution API went with it). */
const ORPHAN_GRACE_MS = 5_000;

/**
 * Set by the executor (PARENT_PID_ENV there; this file is preloaded, never imported): a parent that
 * died before this child got here has re-parented it already, so process.ppid would be the new one.
 */
const PARENT_PID_ENV = 'UPDRAFT_LOCAL_PARENT_PID';

const given = Number(process.env[PARENT_PID_ENV]);
// The container's entry refuses UPDRAFT_* variables it does not know.
delete process.env[PARENT_PID_ENV];
const parentPid = Number.isInteger(given) && given > 0 ? given : process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parentPid) return;
  clearInterval(watch);
  setTimeout(() => process.exit(1), ORPHAN_GRACE_MS).unref();
  process.kill(process.pid, 'SIGTERM');
}, 500);
watch.unref();
