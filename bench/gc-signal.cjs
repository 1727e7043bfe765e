// Preloaded into the server under test (node --expose-gc --require): SIGUSR2 runs a full GC, so
// the memory figures are read after a collection rather than whenever V8 last felt like one.
process.on("SIGUSR2", () => {
  if (typeof global.gc === "function") global.gc();
});
