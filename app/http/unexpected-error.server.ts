// A loader, action or render failed in a way nobody planned for: the merchant gets the root
// error page, the operator a structured log line. The line carries what locates the bug (the
// route, the shop, the error's kind, first line and stack frames) and nothing personal: no
// query string (session tokens), no request body, and no error text past its first line,
// where database errors spell out the values they were given (a customer's name or email).

const MAX_MESSAGE = 200;
const MAX_FRAMES = 12;
const EMAIL = /[^\s@"'<>]+@[^\s@"'<>]+\.[^\s@"'<>]+/g;

export function describeUnexpectedError(error: unknown, request: Request) {
  const url = new URL(request.url);
  const failure = error instanceof Error ? error : new Error(typeof error === "string" ? error : "a non-Error value was thrown");
  const firstLine = failure.message.split("\n").find((line) => line.trim() !== "") ?? "";
  return {
    level: "error",
    event: "unexpected_error",
    method: request.method,
    path: url.pathname,
    shop: url.searchParams.get("shop") ?? undefined,
    error: {
      name: failure.name,
      code: (failure as { code?: unknown }).code ?? undefined,
      message: firstLine.replace(EMAIL, "[email]").slice(0, MAX_MESSAGE),
      stack: (failure.stack ?? "")
        .split("\n")
        .filter((line) => /^\s+at /.test(line))
        .slice(0, MAX_FRAMES)
        .map((line) => line.trim()),
    },
  };
}

export function logUnexpectedError(error: unknown, request: Request): void {
  console.error(JSON.stringify(describeUnexpectedError(error, request)));
}
