import { useEffect, useState } from "react";

// App Bridge (the script Shopify admin's iframe loads from cdn.shopify.com) draws the title
// bar, the contextual save bar and toasts in admin's own chrome. Where it is not loaded (the
// page opened outside admin, a blocked CDN, the browser tests) its elements are inert: the
// pages then show their own title and confirmation instead, and keep working.

/** Whether App Bridge is loaded: null until known (on the server, before hydration). */
export function useAppBridgeReady(): boolean | null {
  const [ready, setReady] = useState<boolean | null>(null);
  useEffect(() => {
    setReady(appBridgeLoaded());
  }, []);
  return ready;
}

function appBridgeLoaded(): boolean {
  return typeof window !== "undefined" && "shopify" in window && typeof window.shopify?.toast?.show === "function" && Boolean(customElements.get("ui-save-bar"));
}

/** A toast in admin's chrome; false when App Bridge is not there to show it. */
export function showToast(message: string, options: { isError?: boolean } = {}): boolean {
  if (!appBridgeLoaded()) return false;
  window.shopify.toast.show(message, { duration: 5000, ...options });
  return true;
}
