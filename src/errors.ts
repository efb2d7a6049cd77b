/** Stable error codes: match on these, not on messages. */
export type ErrorCode =
  | "INVALID_OPTION"
  | "INVALID_ARGUMENT"
  | "SOURCE_NOT_FOUND"
  | "SOURCE_UNREADABLE"
  | "NOTHING_INGESTED"
  | "INGEST_ERRORS"
  | "INDEX_NOT_FOUND"
  | "INDEX_CORRUPT"
  | "INDEX_LOCKED"
  | "INDEX_FORMAT_UNSUPPORTED"
  | "INDEX_LOCKED"
  | "EMBEDDER_MISMATCH"
  | "EMBEDDER_FAILED"
  | "MODEL_NOT_FOUND"
  | "MODEL_FAILED"
  | "MODEL_SOURCE_UNREACHABLE"
  | "MODEL_DOWNLOAD_FAILED"
  | "MODEL_NOT_GGUF"
  | "MODEL_UNREACHABLE"
  | "MODEL_AUTH_FAILED"
  | "MODEL_RATE_LIMITED"
  | "MODEL_BAD_RESPONSE"
  | "PROMPT_TOO_LONG"
  | "QUERIES_INVALID"
  | "PROMPT_INVALID"
  | "CONVERSATION_NOT_FOUND"
  | "TURN_NOT_FOUND"
  | "STORE_FAILED"
  | "STORE_FORMAT_UNSUPPORTED"
  | "DATABASE_UNREACHABLE"
  | "DATABASE_SCHEMA_NEWER"
  | "DATABASE_NOT_CONFIGURED"
  | "KNOWLEDGE_NOT_EMPTY"
  | "ABORTED"
  | "MODEL_UNAVAILABLE"
  | "CONFIG_INVALID"
  | "CHANNEL_CONFIG_INVALID"
  | "CHANNEL_AUTH_FAILED"
  | "CHANNEL_START_FAILED"
  | "SOURCE_CONFIG_INVALID"
  | "SOURCE_AUTH_FAILED"
  | "SOURCE_FAILED"
  | "CANDIDATE_NOT_FOUND"
  | "ALTERNATE_NOT_FOUND"
  | "NOTHING_TO_EXPORT"
  | "REQUEST_INVALID"
  | "RATE_LIMITED"
  | "ORIGIN_NOT_ALLOWED"
  | "API_KEY_INVALID"
  | "REQUEST_TOO_LARGE"
  | "ROUTE_NOT_FOUND"
  | "SERVER_STOPPING"
  | "WIDGET_NOT_BUILT"
  | "ADMIN_SIGN_IN_REQUIRED"
  | "ADMIN_CROSS_SITE"
  | "ADMIN_CSRF"
  | "INTERNAL_ERROR";

/**
 * The one error type llamadesk throws on purpose. The message says what happened
 * and how to fix it; `code` is stable for programs.
 */
export class LlamadeskError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LlamadeskError";
    this.code = code;
  }
}

export function isLlamadeskError(error: unknown, code?: ErrorCode): error is LlamadeskError {
  return error instanceof LlamadeskError && (code === undefined || error.code === code);
}
