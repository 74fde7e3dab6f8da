// openai.chat.completions.create (streaming and not) and models.list against a node: node openai-chat.mjs URL MODEL TOKEN
import OpenAI from 'openai';

const [host, model, token] = process.argv.slice(2);
const client = new OpenAI({ baseURL: `${host}/v1`, apiKey: token, maxRetries: 0 });
const request = { model, messages: [{ role: 'user', content: 'Hello' }], temperature: 0, seed: 7, max_tokens: 10 };

const whole = await client.chat.completions.create(request);

let text = '';
let finish = null;
let usage = null;
let chunks = 0;
const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
for await (const chunk of stream) {
  chunks++;
  for (const choice of chunk.choices) {
    text += choice.delta?.content ?? '';
    finish = choice.finish_reason ?? finish;
  }
  usage = chunk.usage ?? usage;
}

const models = [];
for await (const m of client.models.list()) models.push(m);

let missing = null;
try {
  await client.chat.completions.create({ ...request, model: 'no-such-model' });
} catch (e) {
  missing = { name: e.constructor.name, status: e.status, message: e.message, code: e.code };
}

console.log(JSON.stringify({ whole, streamed: { text, finish, usage, chunks }, models, missing }));
