// ollama.generate against a node, streaming and not: node ollama-generate.mjs URL MODEL TOKEN
// Prints {streamed: {text, chunks, final}, whole: {...the non-streamed answer}}.
import { Ollama } from 'ollama';

const [host, model, token] = process.argv.slice(2);
const ollama = new Ollama({ host, headers: { Authorization: `Bearer ${token}` } });
const request = { model, prompt: 'Hello world, the', options: { temperature: 0, seed: 7, num_predict: 12 } };

let text = '';
let chunks = 0;
let final = null;
for await (const part of await ollama.generate({ ...request, stream: true })) {
  chunks++;
  text += part.response;
  if (part.done) final = part;
}

const whole = await ollama.generate({ ...request, stream: false });
console.log(JSON.stringify({ streamed: { text, chunks, final }, whole }));
