import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisEnglish from "@shopify/polaris/locales/en.json";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import { readFormFields } from "../http/form-fields.server";
import { login } from "../shopify.server";

// Where a merchant lands when they open the app outside Shopify admin (or the session is
// gone): they name their shop and Shopify admin takes them on to install or open the app.

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];
export const meta: MetaFunction = () => [{ title: "Log in: Billing and dunning" }];

const LOGIN_ERRORS: Record<LoginErrorType, string> = {
  [LoginErrorType.MissingShop]: "Enter your shop domain, such as example.myshopify.com",
  [LoginErrorType.InvalidShop]: "That is not a Shopify shop domain: use the form example.myshopify.com",
};

function loginErrors(result: Awaited<ReturnType<typeof login>>) {
  return { shop: result.shop ? LOGIN_ERRORS[result.shop] : undefined };
}

export const loader = async ({ request }: LoaderFunctionArgs) => loginErrors(await login(request));

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await readFormFields(request);
  if (!shop?.trim()) return loginErrors({ shop: LoginErrorType.MissingShop });
  // login() reads the shop from the query when present: the form body has been read already.
  const url = new URL(request.url);
  url.searchParams.set("shop", shop.trim());
  return loginErrors(await login(new Request(url, { method: "POST" })));
};

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const { shop: error } = actionData ?? loaderData;

  return (
    // Outside Shopify admin: Polaris alone, no App Bridge.
    <AppProvider i18n={polarisEnglish}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h1">
                Log in to Billing and dunning
              </Text>
              <TextField
                type="text"
                name="shop"
                label="Shop domain"
                helpText="The myshopify.com domain of your shop, such as example.myshopify.com"
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={error}
              />
              <Button submit variant="primary">
                Log in
              </Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </AppProvider>
  );
}
