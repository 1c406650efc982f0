import { expect } from 'vitest';
import { DagDefinitionError } from '../../src/sdk/index.ts';

/** Runs a DAG definition that must be refused and answers the DagDefinitionError it threw, for its message. */
export function definitionError(define: () => unknown): DagDefinitionError {
  try {
    define();
  } catch (error) {
    expect(error).toBeInstanceOf(DagDefinitionError);
    return error as DagDefinitionError;
  }
  throw new Error('expected a DagDefinitionError, but nothing was thrown');
}
