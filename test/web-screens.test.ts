// The web app's screens rendered (react-dom/server) from the real API's answers: every screen
// renders, and the inbox shows what the API returned. Interaction is the browser test's job.
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, memberOf } from "./support/api-client.js";
import { startCosbot, type Harness } from "./support/cosbot-under-test.js";
import { customerImage, customerText } from "./support/payloads.js";

// Not followed by the server's tsc (the web app has its own tsconfig); vitest compiles the TSX.
const webSrc = "../web/src/";
const load = (path: string) => import(/* @vite-ignore */ webSrc + path) as Promise<any>;

describe("the web app's screens", () => {
  let h: Harness;
  let render: (path: string) => string;
  let cid = "";
  // What the API answered for the thread: the render must show each of them (how many AI replies
  // the text and the photo got depends on the quiet period, so it is not fixed here).
  let apiMessages: { author: string }[] = [];
  beforeAll(async () => {
    h = await startCosbot();
    await h.post(customerText("wamid.s1", "Hello, do you deliver?"));
    await h.post(customerImage("wamid.s2", "my cake"));
    await h.settle();
    const owner = await memberOf(h, h.portfolioId, "owner", { name: "Olivia Owner" });
    const get = async (path: string) => (await api(h, "GET", path, { as: owner })).body;
    const p = `/portfolios/${h.portfolioId}`;
    const list = await get(`${p}/conversations`);
    cid = list.conversations[0].id;
    await api(h, "POST", `${p}/conversations/${cid}/replies`, { as: owner, body: { text: "Yes, we deliver." } });
    await h.settle();
    const head = await get(`${p}/conversations/${cid}`);
    const data = {
      me: await get("/me"),
      list: await get(`${p}/conversations`),
      head,
      messages: await get(`${p}/conversations/${cid}/messages`),
      members: await get(`${p}/members`),
      agent: await get(`${p}/agent`),
      channels: await get(`${p}/channels`),
      notes: await get(`${p}/customers/${head.customer.id}/notes`),
    };
    apiMessages = data.messages.messages;
    const [{ QueryClient, QueryClientProvider }, { MemoryRouter }, { App }, { ToastProvider }, { keys }] = await Promise.all([
      import("@tanstack/react-query"), import("react-router"), load("app.tsx"), load("components/ui/toast.tsx"), load("lib/queries.ts"),
    ]);
    (globalThis as any).localStorage ??= { getItem: () => null, setItem: () => {} };
    const pid = h.portfolioId;
    render = (path: string) => {
      const qc = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
      qc.setQueryData(keys.me, data.me);
      qc.setQueryData([...keys.conversations(pid), {}], { pages: [data.list], pageParams: [null] });
      qc.setQueryData(keys.conversation(pid, cid), data.head);
      qc.setQueryData(keys.messages(pid, cid), { pages: [data.messages], pageParams: [null] });
      qc.setQueryData(keys.members(pid), data.members);
      qc.setQueryData(keys.agent(pid), data.agent);
      qc.setQueryData(keys.channels(pid), data.channels);
      qc.setQueryData(keys.notes(pid, data.head.customer.id), data.notes);
      return renderToString(
        createElement(QueryClientProvider, { client: qc }, createElement(ToastProvider, null, createElement(MemoryRouter, { initialEntries: [path] }, createElement(App)))),
      );
    };
  });
  afterAll(async () => {
    await h?.close();
  });

  const count = (html: string, needle: string) => html.split(needle).length - 1;

  it("lists the conversation with its customer, preview, mode and unread count", () => {
    const html = render(`/p/${h.portfolioId}/inbox`);
    expect(count(html, 'data-testid="conversation-item"')).toBe(1);
    expect(html).toContain("Test Customer");
    expect(html).toContain("Yes, we deliver.");
    expect(html).toContain(">Manual<");
  });

  it("shows every message of the thread with its author, kind and status", () => {
    const html = render(`/p/${h.portfolioId}/inbox/${cid}`);
    // Two from the customer, the owner's reply, and one or two AI replies.
    expect(apiMessages.length).toBeGreaterThanOrEqual(4);
    expect(count(html, 'data-testid="message"')).toBe(apiMessages.length);
    expect(html).toContain('data-author="customer" data-status="received" data-kind="image"');
    expect(html).toContain("Photo");
    expect(html).toContain("my cake");
    expect(count(html, 'data-author="ai"')).toBe(apiMessages.filter((m) => m.author === "ai").length);
    expect(count(html, 'data-author="ai"')).toBeGreaterThanOrEqual(1);
    expect(html).toMatch(/Olivia Owner<\/span>/);
    expect(html).toContain('data-testid="message-status" data-status="sent"');
    expect(html).toContain('data-testid="mode-switch" data-mode="manual"');
    expect(html).toContain('data-testid="composer"');
    expect(html).toContain('data-testid="window-pill"');
    expect(html).toContain('data-testid="customer-panel"');
  });

  it("renders the settings, the playground and the first steps", () => {
    const pid = h.portfolioId;
    expect(render(`/p/${pid}/settings/channels`)).toContain('data-testid="channel" data-state="active"');
    expect(render(`/p/${pid}/settings/agent`)).toContain("Ava");
    expect(render(`/p/${pid}/settings/members`)).toContain("Olivia Owner");
    expect(render(`/p/${pid}/playground`)).toContain('data-testid="playground-notice"');
    expect(render(`/p/${pid}/start`)).toContain("Connect a channel");
  });
});
