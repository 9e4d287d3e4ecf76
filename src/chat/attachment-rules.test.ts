import { describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/in-process-bus.js";
import { InMemoryPresence } from "../presence/in-memory-presence.js";
import { ChatService } from "./chat-service.js";
import type { UploadOwnership } from "./ports.js";
import {
  FakeMembershipStore,
  FakeMessageChangeStore,
  FakeMessageStore,
  FakeRoomStore,
  FakeUserDirectory,
  RecordingSubscriber,
  unlimited,
} from "./testing/fakes.js";

const ada = { id: "u-ada", name: "Ada", image: "/a.svg" };
const FILE = "AAAAAAAAAAAAAAAAAAAAAA";

async function chatWith(uploads?: UploadOwnership) {
  const rooms = new FakeRoomStore();
  const messages = new FakeMessageStore(rooms);
  const chat = new ChatService({
    messages,
    rooms,
    presence: new InMemoryPresence(),
    memberships: new FakeMembershipStore(messages),
    users: new FakeUserDirectory(messages),
    changes: new FakeMessageChangeStore(messages),
    bus: new InProcessBus(),
    clock: { now: () => 1_000 },
    limits: { sends: unlimited, roomCreations: unlimited, changes: unlimited },
    ...(uploads && { uploads }),
  });
  await chat.ensureDefaultRoom();
  const roomId = rooms.rooms[0]?.id ?? "";
  const socket = new RecordingSubscriber("1", ada);
  const participant = chat.participant(socket);
  await participant.join({ type: "join", roomId });
  return { roomId, socket, participant, messages };
}

describe("sends with attachments", () => {
  it("refuses ids the uploads port does not vouch for, naming them, and stores nothing", async () => {
    const asked: Array<[string, string, readonly string[]]> = [];
    const { roomId, socket, participant, messages } = await chatWith({
      unavailable: async (ownerId, clientId, ids) => {
        asked.push([ownerId, clientId, ids]);
        return [...ids];
      },
    });
    await participant.send({ type: "send", roomId, clientId: "c1", body: "", attachments: [FILE, FILE] });
    expect(asked).toEqual([[ada.id, "c1", [FILE]]]);
    const [error] = socket.ofType("error");
    expect(error).toMatchObject({ code: "attachment_unavailable", clientId: "c1" });
    expect(error?.message).toContain(FILE);
    expect(messages.rows).toHaveLength(0);
  });

  it("refuses every attachment when no uploads port is wired (files are off)", async () => {
    const { roomId, socket, participant } = await chatWith();
    await participant.send({ type: "send", roomId, clientId: "c1", body: "hi", attachments: [FILE] });
    expect(socket.ofType("error")[0]?.code).toBe("attachment_unavailable");
  });

  it("lets a message with files have no text, and hands the ids to the store", async () => {
    const { roomId, socket, participant, messages } = await chatWith({ unavailable: async () => [] });
    await participant.send({ type: "send", roomId, clientId: "c1", body: "", attachments: [FILE] });
    expect(socket.ofType("ack")).toHaveLength(1);
    expect(messages.rows).toHaveLength(1);
    // Without files, an empty body is still refused.
    await participant.send({ type: "send", roomId, clientId: "c2", body: " " });
    expect(socket.ofType("error")[0]?.code).toBe("message_empty");
  });
});
