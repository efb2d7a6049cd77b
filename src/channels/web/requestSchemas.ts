import { z } from "zod";
import type { WebConfig } from "./webConfig.js";

/** The JSON bodies the API accepts, checked field by field (unknown fields are refused, so typos do not pass silently). */
export function requestSchemas(config: Pick<WebConfig, "maxMessageChars">) {
  const text = (field: string, max: number) =>
    z
      .string({ required_error: `${field} is required`, invalid_type_error: `${field} must be a string` })
      .trim()
      .min(1, `${field} must not be empty`)
      .max(max, `${field} must be at most ${max} characters`);
  return {
    message: z.object({ text: text("text", config.maxMessageChars) }).strict(),
    feedback: z
      .object({
        turnId: text("turnId", 100),
        vote: z.enum(["up", "down"], { errorMap: () => ({ message: 'vote must be "up" or "down"' }) }),
        comment: text("comment", 1000).optional(),
      })
      .strict(),
    handoff: z
      .object({
        name: text("name", 200),
        email: text("email", 320).email("email must be an email address"),
        message: text("message", config.maxMessageChars),
      })
      .strict(),
  };
}

export type RequestSchemas = ReturnType<typeof requestSchemas>;
