import pino from "pino";

export type Logger = pino.Logger;

/** Message text, phone numbers and secrets never reach the logs, whichever object carries them. */
const redactPaths = [
  "text", "*.text", "body", "*.body", "caption", "*.caption",
  "from", "*.from", "to", "*.to", "wa_id", "*.wa_id", "phone", "*.phone", "recipient_id", "*.recipient_id",
  "platformUserId", "*.platformUserId", "accessToken", "*.accessToken", "appSecret", "*.appSecret",
  "verifyToken", "*.verifyToken", "apiKey", "*.apiKey", "authorization", "*.authorization", "*.headers.authorization",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: "[redacted]" }, base: undefined }, destination);
}
