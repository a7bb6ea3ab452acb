import type { ReactNode } from "react";
import { Page } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useAppBridgeReady } from "./app-bridge";

/**
 * A page of the embedded app: its title in admin's title bar (App Bridge), never also as a
 * Polaris page title; without App Bridge the Polaris title stands in, so the page is never
 * untitled.
 */
export function AdminPage({ title, children, narrowWidth }: { title: string; children: ReactNode; narrowWidth?: boolean }) {
  // Until the browser knows, admin is assumed: no title flashes there before App Bridge's.
  const appBridge = useAppBridgeReady();
  return (
    <Page title={appBridge === false ? title : undefined} narrowWidth={narrowWidth}>
      <TitleBar title={title} />
      {children}
    </Page>
  );
}
