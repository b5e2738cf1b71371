import { PrepareScriptInputError } from '../../../../shared/domain/prepare/index.js';

/** The input error `run` throws; fails the test when it throws nothing or something else. */
export function rejection(run: () => unknown): PrepareScriptInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof PrepareScriptInputError) return error;
    throw error;
  }
  throw new Error('expected a PrepareScriptInputError');
}
