// ollama.chat, ollama.list and ollama.ps against a node: node ollama-chat.mjs URL MODEL TOKEN
import { Ollama } from 'ollama';

const [host, model, token] = process.argv.slice(2);
const ollama = new Ollama({ host, headers: { Authorization: `Bearer ${token}` } });
const request = { model, messages: [{ role: 'user', content: 'Hello' }], options: { temperature: 0, num_predict: 10 } };

let text = '';
let final = null;
for await (const part of await ollama.chat({ ...request, stream: true })) {
  text += part.message.content;
  if (part.done) final = part;
}

const whole = await ollama.chat({ ...request, stream: false });
const list = await ollama.list();
const ps = await ollama.ps();
let missing = null;
try {
  await ollama.chat({ ...request, model: 'no-such-model' });
} catch (e) {
  missing = { name: e.name, message: e.message, status: e.status_code };
}

console.log(JSON.stringify({ streamed: { text, final }, whole, list, ps, missing }));
