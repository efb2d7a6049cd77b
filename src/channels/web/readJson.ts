import type { Context } from "hono";
import type { z } from "zod";
import { HttpError } from "./HttpError.js";

/**
 * The request's JSON body, checked against `schema`. Wrong content type: 415; not JSON: 400; wrong shape:
 * 400 naming the field. (Size is checked before, by the body limit.)
 */
export async function readJson<S extends z.ZodTypeAny>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, "REQUEST_INVALID", `Send the body as JSON with the header Content-Type: application/json (got ${type ? `"${type}"` : "none"}).`);
  }
  const text = await c.req.text();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "REQUEST_INVALID", `The body is not valid JSON: ${(error as Error).message}.`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    const message = issue.code === "unrecognized_keys" ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}` : issue.message;
    throw new HttpError(400, "REQUEST_INVALID", `Invalid request body: ${where}${message}.`);
  }
  return parsed.data;
}
