import { describe, expect, it } from "vitest";
import { containerEnvironment } from "./container-settings";

describe("containerEnvironment", () => {
  it("reads the final stage's ENV, continuation lines and quotes included", () => {
    const dockerfile = 'FROM x AS build\nENV SKIP=me\nFROM y AS runtime\nENV A=1 \\\n    B="two words" \\\n    C=3\nENV D=4\n';
    expect(containerEnvironment(dockerfile)).toEqual({ A: "1", B: "two words", C: "3", D: "4" });
  });

  it("finds the image's memory settings in the Dockerfile", () => {
    const environment = containerEnvironment();
    expect(environment.NODE_OPTIONS).toMatch(/--max-old-space-size=\d+/);
    expect(environment.MALLOC_ARENA_MAX).toMatch(/^\d+$/);
    expect(environment.NODE_ENV).toBe("production");
  });
});
