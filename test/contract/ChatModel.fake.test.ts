import { FakeChatModel } from "../../src/testing/FakeChatModel.js";
import { chatModelContract } from "./ChatModel.contract.js";

chatModelContract({
  name: "FakeChatModel",
  async create() {
    const model = new FakeChatModel({ answers: ["To reset your password, open Settings, then Security, and choose Reset."], delayMs: 1 });
    return { model, dispose: () => model.dispose() };
  },
});
