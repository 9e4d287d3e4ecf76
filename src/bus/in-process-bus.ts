import type { Bus, BusEvent } from "../chat/ports.js";
import { InProcessTopic } from "./in-process-topic.js";

/** The embedded default: events go straight to this process's hub, in publish order. */
export class InProcessBus extends InProcessTopic<BusEvent> implements Bus {}
