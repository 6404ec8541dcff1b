// Reference token ids for a JSONL file of texts (one JSON string per line), one JSON array per line,
// from Hugging Face tokenizers (npm "tokenizers"), for comparing with `semantic-router tokenize --jsonl`.
// usage: node reference-ids.js TOKENIZER_JSON IN.jsonl OUT.txt
const { Tokenizer } = require('tokenizers');
const fs = require('fs');
const tok = Tokenizer.fromFile(process.argv[2]); tok.setTruncation(256); tok.disablePadding();
(async () => {
  const lines = fs.readFileSync(process.argv[3], 'utf8').trim().split('\n');
  const out = [];
  for (const l of lines) { const e = await tok.encode(JSON.parse(l)); out.push(JSON.stringify(Array.from(e.getIds()))); }
  fs.writeFileSync(process.argv[4], out.join('\n') + '\n');
})();
