import type { ContentfulStatusCode } from "hono/utils/http-status";
import { LlamadeskError, type ErrorCode } from "../../errors.js";

/** A request that cannot be served: its HTTP status, a stable code and a message for the client. Becomes `{ "error": { code, message } }`. */
export class HttpError extends LlamadeskError {
  readonly status: ContentfulStatusCode;
  /** Extra response headers (`Retry-After`). */
  readonly headers: Record<string, string>;

  constructor(status: ContentfulStatusCode, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.name = "HttpError";
    this.status = status;
    this.headers = headers;
  }
}

/** The JSON body of every error response: a code to match on and a message that says what was wrong. Never a stack trace. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}
