import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

// Shopify admin opens the app at /?shop=...&host=...; the app itself lives under /app.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return new Response("Subscription billing for Shopify: install this app from your Shopify admin.", {
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
};
