// Streams one message through the proxy with the official TypeScript SDK and prints what it accumulated.
// Usage: node sdk-stream.mjs <base-url>   (prints one JSON object on stdout)
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ baseURL: process.argv[2], apiKey: 'anyclaude', maxRetries: 0 });
const events = [];
const stream = client.messages.stream({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
  tools: [{
    name: 'Write',
    description: 'Write a file',
    input_schema: { type: 'object', properties: { file_path: { type: 'string' }, content: { type: 'string' } }, required: ['file_path', 'content'] },
  }],
  messages: [{ role: 'user', content: 'Write notes.txt' }],
});
let text = '';
stream.on('text', (delta) => { text += delta; });
stream.on('streamEvent', (event) => { events.push(event.type); });
const message = await stream.finalMessage();
console.log(JSON.stringify({ text, events, message }));
