import type { Migration } from "../migrate.js";
import { stateStores } from "./001_state_stores.js";
import { knowledge } from "./002_knowledge.js";
import { webState } from "./003_web_state.js";
import { claims } from "./004_claims.js";
import { insights } from "./005_insights.js";

/**
 * llamadesk's PostgreSQL schema, step by step: `openPostgres` applies the steps a database lacks, in order.
 * To change the schema, add a file `NNN_what.ts` exporting the next `Migration` (version = its place in this
 * list) and append it here. Never edit or reorder a step that was released: databases already applied it.
 */
export const MIGRATIONS: readonly Migration[] = [stateStores, knowledge, webState, claims, insights];
