// The demo's stand-in for the model: short, plausible answers from Mia of Demo Bakery, chosen by
// keywords in what the customer wrote since the agent last spoke (a burst counts as one question).
import { type ChatRequest, messageText, type ReplySpec } from "../../test/fakes/index.js";

/** What Mia knows; the fake's answers only use these facts, as the instructions demand. */
export const bakeryInstructions = [
  "You are Mia, the assistant of Demo Bakery, a neighbourhood bakery at Market Square 3.",
  "Answer customers on WhatsApp, Messenger and Instagram: friendly, brief, plain chat messages, in the customer's language.",
  "Facts you may use:",
  "- Opening hours: Monday to Saturday 7:00-18:00, Sunday 8:00-14:00. Croissants are out of the oven at 8:30.",
  "- Delivery: within 5 km of the shop, 8:00-10:00 the next morning, EUR 3.50 per order.",
  "- Prices: sourdough loaf EUR 5.50, cinnamon roll EUR 2.00, custom cakes from EUR 45.",
  "- Custom cakes need 3 days' notice.",
  "- Gluten-free: a buckwheat loaf on Fridays, EUR 6.50; the kitchen is not gluten-free, so traces are possible.",
  "- Vegan: the sourdough loaf is vegan; the cinnamon rolls are made with butter and milk.",
  "If you do not know something, say so and offer to ask a colleague. Never promise anything not listed here.",
].join("\n");

/** The customer's words since the last assistant turn, oldest first. */
export function pendingCustomerText(request: ChatRequest): string {
  const trailing: string[] = [];
  for (const m of [...request.messages].reverse()) {
    if (m.role === "assistant") break;
    if (m.role === "user") trailing.unshift(messageText(m));
  }
  return trailing.join("\n");
}

const answers: Array<[RegExp, string]> = [
  [
    /\bgluten/i,
    "Hi! Every Friday we bake a buckwheat loaf (EUR 6.50). Our kitchen isn't gluten-free, though, so traces are possible.",
  ],
  [
    /\bvegan/i,
    "Hi! Not yet, sorry: our cinnamon rolls are made with butter and milk. The sourdough loaf is vegan, though (EUR 5.50).",
  ],
  [
    /\b(cake|photo|picture|like this)\b/i,
    "Thanks for the photo, what a lovely cake! We can make something like that: custom cakes start at EUR 45 and need 3 days' notice, so for Saturday please confirm by Wednesday.",
  ],
  [
    /\bdeliver/i,
    "Yes, we deliver within 5 km for EUR 3.50, so Elm Street is fine. 2 sourdough loaves and a dozen cinnamon rolls come to EUR 35.00 plus delivery, and we can bring them tomorrow between 8 and 10. Shall I pass the order on to the team?",
  ],
  [
    /\b(open|hours|sunday|closing)\b/i,
    "Hi! Yes, we're open on Sundays from 8:00 to 14:00, and the croissants come out of the oven at 8:30.",
  ],
  [/\b(thanks|thank you)\b/i, "You're welcome, see you soon!"],
];

export function shopAssistantReply(request: ChatRequest): ReplySpec {
  const text = pendingCustomerText(request);
  return answers.find(([pattern]) => pattern.test(text))?.[1] ?? "Thanks for your message! Let me check with the team and get back to you shortly.";
}
