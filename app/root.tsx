import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration, useLocation, useRouteError } from "@remix-run/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { ErrorPage } from "./components/error-page";

export default function App() {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        <link rel="stylesheet" href="https://cdn.shopify.com/static/fonts/inter/v4/styles.css" />
        {/* App Bridge's elements show in admin's own chrome once its script defines them; until
            then (or outside admin, without the script) their links and buttons stay hidden
            rather than run together at the top of the page. */}
        <style>{"ui-nav-menu:not(:defined), ui-title-bar:not(:defined), ui-save-bar:not(:defined) { display: none; }"}</style>
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

/**
 * Any error no route answered (an unexpected loader error, a page that does not exist): a
 * Polaris page with links back into the app instead of a bare "Application Error". Shopify's
 * own thrown responses are answered by app.tsx's boundary before they get here. The error
 * was logged by entry.server's handleError.
 */
export function ErrorBoundary() {
  const error = useRouteError();
  const { pathname, search } = useLocation();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{status === 404 ? "Page not found" : "Something went wrong"}</title>
        <link rel="stylesheet" href="https://cdn.shopify.com/static/fonts/inter/v4/styles.css" />
        <link rel="stylesheet" href={polarisStyles} />
        <Meta />
        <Links />
      </head>
      <body>
        <ErrorPage status={status} pathname={pathname} search={search} />
        <Scripts />
      </body>
    </html>
  );
}
