// The inference benchmark's peer: node-llama-cpp generating on the same library, model, prompt and threads.
//   node node-llama-cpp.mjs MODEL THREADS CONTEXT
// Loads the model once and prints {"ready": true, ...}. Then for each line "PROMPT_TOKENS_JSON\tMAX" on stdin (the
// prompt as token ids, so every contender decodes the same input) runs one greedy generation of MAX tokens and
// prints one JSON line: count, ids (what it generated), first_ms (start → first token), gen_ms (first token → last)
// and total_ms. A line "quit" ends it.
import { getLlama } from "node-llama-cpp";
import { createInterface } from "node:readline";

const [modelPath, threadsText, contextText] = process.argv.slice(2);
const threads = Number(threadsText);
const llama = await getLlama({ gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true, logLevel: "error", progressLogs: false });
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const context = await model.createContext({ contextSize: Number(contextText), batchSize: 512, threads, sequences: 1 });
const sequence = context.getSequence();
console.log(JSON.stringify({ ready: true, build: llama.buildType, gpu: llama.gpu, threads: context.currentThreads }));

for await (const line of createInterface({ input: process.stdin })) {
  if (line === "quit") break;
  const [promptJson, maxText] = line.split("\t");
  const max = Number(maxText);
  await sequence.clearHistory();
  const started = performance.now();
  const ids = [];
  let first = 0, last = 0;
  for await (const token of sequence.evaluate(JSON.parse(promptJson), { temperature: 0 })) {
    const now = performance.now();
    if (ids.length === 0) first = now;
    last = now;
    ids.push(token);
    if (ids.length >= max) break;
  }
  console.log(JSON.stringify({ count: ids.length, ids, first_ms: first - started, gen_ms: last - first, total_ms: performance.now() - started }));
}
await context.dispose();
await model.dispose();
