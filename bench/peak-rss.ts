// Loaded with --import into a process the benchmark measures: prints its peak resident set
// size as it exits (getrusage's ru_maxrss, the kernel's own high-water mark).
import { writeSync } from "node:fs";

process.on("exit", () => {
  writeSync(2, `peak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
