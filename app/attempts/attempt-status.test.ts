import { describe, expect, it } from "vitest";
import { AttemptStatus, isForwardTransition } from "./attempt-status";

const { Pending, Processing, ActionRequired, Succeeded, Failed, Rejected } = AttemptStatus;

describe("isForwardTransition", () => {
  it.each([
    [Pending, Processing, true],
    [Pending, Succeeded, true],
    [Processing, Succeeded, true],
    [Processing, Failed, true],
    [Processing, ActionRequired, true],
    [ActionRequired, Succeeded, true],
    [ActionRequired, Failed, true],
    // Late or duplicated news never moves an attempt back or across final states.
    [Processing, Processing, false],
    [Processing, Pending, false],
    [ActionRequired, Processing, false],
    [Succeeded, Failed, false],
    [Failed, Succeeded, false],
    [Succeeded, Processing, false],
    [Rejected, Succeeded, false],
  ] as const)("%s -> %s: %s", (from, to, expected) => {
    expect(isForwardTransition(from, to)).toBe(expected);
  });
});
