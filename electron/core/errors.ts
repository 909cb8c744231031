/**
 * An error a person can act on: a stable code for programs, a message that says what failed,
 * where (file, offset, line) and what to do.
 */
export type ErrorCode =
  | 'E_INVALID'
  | 'E_NOT_FOUND'
  | 'E_WORKSPACE'
  | 'E_NO_WORKSPACE'
  | 'E_FORMAT'
  | 'E_PARSE'
  | 'E_CANCELLED'
  | 'E_WORKER'
  | 'E_MODEL'
  | 'E_UNAVAILABLE'
  | 'E_INTERNAL';

export class WorkbenchError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'WorkbenchError';
    this.code = code;
    this.details = details;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
