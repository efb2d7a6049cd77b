import { expect, it } from "vitest";
import { InProcessLeadership } from "../../src/channels/Leadership.js";
import { leadershipContract } from "./Leadership.contract.js";

// In one process, two channels share one InProcessLeadership: that object is both replicas.
leadershipContract({
  name: "InProcessLeadership",
  replicas: async () => {
    const leadership = new InProcessLeadership();
    return [leadership, leadership];
  },
});

it("InProcessLeadership: a lone holder leads at once, without standing by, and its lease is never lost", async () => {
  let standby = false;
  const lease = await new InProcessLeadership().acquire("discord-gateway:abc", { onStandby: () => (standby = true) });
  expect(standby).toBe(false);
  expect(lease.lost.aborted).toBe(false);
  await lease.release();
});
