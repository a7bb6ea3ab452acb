/**
 * The string fields of a submitted form. A body that is not a form (JSON, a broken
 * multipart body) is answered 400 with the reason: an admin action never fails with a 500
 * on what a client sent.
 */
export async function readFormFields(request: Request): Promise<Record<string, string>> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new Response("The form could not be read: send application/x-www-form-urlencoded or multipart/form-data.", {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) if (typeof value === "string") fields[name] = value;
  return fields;
}
