import { buildIfStale } from "../../tools/build-if-stale";

/**
 * Before the end-to-end tests, which run the built server: build the app once, if the
 * sources changed since the last build. The other tests need no build.
 */
export default function buildAppForEndToEndTests(): void {
  buildIfStale();
}
