// A cookie-session API client for test fixtures: each client keeps its own
// cookie jar (so several users can be signed in at once) and echoes the
// csrftoken cookie as X-CSRFToken on writes, like the browser app.
export function apiClient(baseUrl) {
  const jar = new Map();
  return async function call(method, path, body, extraHeaders = {}) {
    const headers = { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "), "X-CSRFToken": jar.get("csrftoken") ?? "", ...extraHeaders };
    let payload = body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const res = await fetch(baseUrl + path, { method, headers, body: payload });
    for (const c of res.headers.getSetCookie?.() ?? []) {
      const [kv] = c.split(";");
      const [k, v] = kv.split("=");
      jar.set(k.trim(), v);
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** Creates a user (as an admin `call`), adds them to `project` with `role`,
 *  and returns a client signed in as them. */
export async function signedInMember(baseUrl, adminCall, project, { email, password, first_name, last_name, role = "annotator" }) {
  await adminCall("POST", "/api/users", { email, password, first_name, last_name });
  await adminCall("POST", `/api/projects/${project}/members`, { email, role });
  const call = apiClient(baseUrl);
  await call("POST", "/api/auth/login", { email, password });
  return call;
}

/** One choices answer as a Label Studio result. */
export const choice = (from_name, to_name, value) => ({ from_name, to_name, type: "choices", value: { choices: [value] } });
