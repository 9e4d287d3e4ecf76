import { repositoryContract } from "../../../test/contracts/repository.contract.js";
import { FakeMembershipStore, FakeMessageChangeStore, FakeMessageStore, FakeRoomStore } from "./fakes.js";

// The fakes the domain's unit tests run on must behave as the SQL repositories do
// (test/integration/repository-contract.test.ts runs the same suite on every database).
repositoryContract("in-memory fakes", async () => {
  const rooms = new FakeRoomStore();
  const messages = new FakeMessageStore(rooms);
  return {
    messages,
    rooms,
    memberships: new FakeMembershipStore(messages),
    changes: new FakeMessageChangeStore(messages),
    async saveUser(user) {
      messages.saveUser(user);
    },
    async close() {},
  };
});
