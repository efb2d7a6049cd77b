import { PostgresKnowledgeStore } from "../../src/postgres/PostgresKnowledgeStore.js";
import { requireRealServer, useTestDatabase } from "../support/postgres/testDatabase.js";
import { knowledgeStoreWriterContract, track } from "./KnowledgeStore.contract.js";

requireRealServer();
const database = useTestDatabase();

// Each store its own pool: two processes, as far as the database can tell.
knowledgeStoreWriterContract(
  track({
    name: "PostgresKnowledgeStore",
    place: async () => database.knowledge(),
    open: async (knowledge, options) =>
      PostgresKnowledgeStore.open({ postgres: await (await database.database()).open(), knowledge, ...options, pollMs: 200 }),
  }),
);
