// Loaded into `course serve` by bench/serve.mjs (node --import): measures the server's
// event-loop delay from inside, and writes it with the server's memory to the file named by
// COURSE_BENCH_PROBE on SIGUSR2. The server itself is the built binary, unchanged.
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const file = process.env.COURSE_BENCH_PROBE;
if (file) {
  let histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  process.on("SIGUSR2", () => {
    writeFileSync(
      file,
      JSON.stringify({
        p50: histogram.percentile(50) / 1e6,
        p99: histogram.percentile(99) / 1e6,
        max: histogram.max / 1e6,
        rss: process.memoryUsage().rss,
      }),
    );
    // Each reading covers the time since the one before.
    histogram.disable();
    histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
  });
}
