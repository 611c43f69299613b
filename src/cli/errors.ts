/**
 * User errors: anything the user can fix (a bad scenario, a missing file, a bad flag). The error
 * boundary in main prints them as what / where / how to fix, and exits 1 without a stack trace.
 * Everything else that escapes a command is a bug (exit 2).
 */
import type { Issue } from '../scenario/issues.js';

export interface UserErrorDetails {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** YAML path, e.g. clusters[0].nodes. */
  readonly path?: string;
  readonly hint?: string;
  /** Several problems at once (a scenario that failed validation). */
  readonly issues?: readonly Issue[];
}

export class UserError extends Error {
  readonly details: UserErrorDetails;

  constructor(message: string, details: UserErrorDetails = {}) {
    super(message);
    this.name = 'UserError';
    this.details = details;
  }

  static fromIssues(issues: readonly Issue[], summary: string): UserError {
    return new UserError(summary, { issues });
  }
}
