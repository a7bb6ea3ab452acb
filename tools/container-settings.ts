import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The environment the Dockerfile's final stage sets (ENV), so the bench and tests run the app
 * with the image's own settings (its memory flags) rather than a copy of them.
 */
export function containerEnvironment(dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8")): Record<string, string> {
  const lines = dockerfile.replace(/\\\n/g, " ").split("\n");
  const finalStage = lines.slice(lines.map((line) => /^FROM\s/i.test(line)).lastIndexOf(true));
  const environment: Record<string, string> = {};
  for (const line of finalStage.filter((line) => /^ENV\s/i.test(line))) {
    for (const match of line.slice(4).matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) {
      environment[match[1]] = match[3] ?? match[2];
    }
  }
  return environment;
}
