import type { parseHTML } from "linkedom";

/** A parsed page (linkedom's document). */
export type HtmlDocument = ReturnType<typeof parseHTML>["document"];
/** An element of one. */
export type HtmlElement = NonNullable<ReturnType<HtmlDocument["querySelector"]>>;
