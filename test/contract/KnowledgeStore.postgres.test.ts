import { PostgresKnowledgeStore } from "../../src/postgres/PostgresKnowledgeStore.js";
import { useTestDatabase } from "../support/postgres/testDatabase.js";
import { knowledgeStoreContract, track } from "./KnowledgeStore.contract.js";

// The contract on PostgreSQL (a real server, else PGlite): each test a knowledge base of its own in this file's database.
// The writers' part needs connections that really run at once: KnowledgeStore.postgres.server.test.ts.
const database = useTestDatabase();

knowledgeStoreContract(
  track({
    name: "PostgresKnowledgeStore",
    place: async () => database.knowledge(),
    open: async (knowledge, options) => PostgresKnowledgeStore.open({ postgres: await database.postgres(), knowledge, ...options, pollMs: 200 }),
  }),
);
