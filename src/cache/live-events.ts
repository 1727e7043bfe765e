import type { LiveEvent, LiveEvents } from "../core/live/ports.js";
import type { Bus } from "./ports.js";

export const liveTopic = (portfolioId: string) => `live:${portfolioId}`;

/** Live events fan out through the bus, so every server process can pass them to its browsers. */
export class BusLiveEvents implements LiveEvents {
  constructor(
    private readonly bus: Bus,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  async publish(portfolioId: string, event: LiveEvent): Promise<void> {
    await this.bus.publish(liveTopic(portfolioId), JSON.stringify(event)).catch(this.onError);
  }
}
