// The Vercel function: every path vercel.json rewrites here reaches the one Hono app.
export { default } from "../src/serverless/vercel.js";
