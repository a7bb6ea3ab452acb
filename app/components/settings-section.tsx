import type { ReactNode } from "react";
import { BlockStack, Box, InlineGrid, Text } from "@shopify/polaris";

/**
 * A titled part of a settings page: title and description beside the card on wide screens,
 * above it on a phone, where they keep the page's side margin (Polaris' AnnotatedSection
 * puts them against the screen's edge there).
 */
export function SettingsSection({ title, description, children }: { title: string; description: ReactNode; children: ReactNode }) {
  return (
    <InlineGrid columns={{ xs: 1, md: ["oneThird", "twoThirds"] }} gap="400">
      <Box paddingInline={{ xs: "400", sm: "0" }} paddingBlockStart={{ xs: "0", md: "400" }}>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          <Text as="p" tone="subdued">
            {description}
          </Text>
        </BlockStack>
      </Box>
      <Box>{children}</Box>
    </InlineGrid>
  );
}
