import { AppProvider, BlockStack, Button, Card, InlineStack, Page, Text } from "@shopify/polaris";
import polarisEnglish from "@shopify/polaris/locales/en.json";

// What the merchant sees when a page fails unexpectedly: Polaris, what happened in words,
// and links back to the app's pages (the admin's navigation may be gone with the failure).

const APP_PAGES = [
  { path: "/app", label: "Overview" },
  { path: "/app/charges", label: "Charges" },
  { path: "/app/dunning", label: "Dunning" },
  { path: "/app/insights", label: "Insights" },
  { path: "/app/settings", label: "Settings" },
];

export function ErrorPage({ status, pathname, search }: { status: number; pathname: string; search: string }) {
  const notFound = status === 404;
  // The shop and host of the admin's URL carry the session over to the page linked to.
  const href = (path: string) => `${path}${search}`;
  return (
    <AppProvider i18n={polarisEnglish}>
      <Page title={notFound ? "Page not found" : "Something went wrong"} narrowWidth>
        <Card>
          <BlockStack gap="400">
            <Text as="p">
              {notFound
                ? "This page does not exist, or what it showed is no longer there."
                : "This page could not be shown just now. Nothing you saved was lost; the problem was recorded for the app's operators. Try again, or go to another page of the app."}
            </Text>
            <InlineStack gap="200" wrap>
              {notFound ? null : (
                <Button variant="primary" url={href(pathname)}>
                  Try again
                </Button>
              )}
              {APP_PAGES.map((page) => (
                <Button key={page.path} url={href(page.path)}>
                  {page.label}
                </Button>
              ))}
            </InlineStack>
          </BlockStack>
        </Card>
      </Page>
    </AppProvider>
  );
}
