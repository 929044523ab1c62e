// A stand-in for the Tessera server, for browser tests before the C++ server
// runs: serves dist/ with the real server's CSP and fakes the API routes the
// app uses, in memory. Enforces the session cookie and X-CSRFToken on writes,
// and 404 past the last task page and at the end of the stream, like the
// contract says. Not a spec: api/openapi.yaml is.
import { createServer } from "node:http";
import { readFileSync, existsSync } from "node:fs";
import { join, extname } from "node:path";
import { makePng } from "./png.mjs";

export function startMock(distDir, { email = "admin@example.com", password = "secret" } = {}) {
  const png = makePng(400, 300);
  const state = { projects: [], tasks: [], annotations: [], drafts: [], nextId: 1 };
  const id = () => state.nextId++;
  const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml" };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const cookies = Object.fromEntries((req.headers.cookie ?? "").split(";").map((c) => c.trim().split("=")).filter((p) => p[0]));
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks);
    const json = () => JSON.parse(raw.toString("utf8") || "null");
    const path = url.pathname.replace(/\/$/, "") || "/";

    if (!path.startsWith("/api/") && !path.startsWith("/data/")) {
      const file = join(distDir, path);
      const isFile = path !== "/" && existsSync(file) && !file.endsWith("/");
      res.writeHead(200, {
        "Content-Type": isFile ? types[extname(file)] ?? "application/octet-stream" : "text/html",
        "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:",
      });
      res.end(isFile ? readFileSync(file) : readFileSync(join(distDir, "index.html")));
      return;
    }
    if (path.startsWith("/data/upload/")) {
      res.writeHead(200, { "Content-Type": "image/png" });
      res.end(png);
      return;
    }
    if (path === "/api/auth/login" && req.method === "POST") {
      const b = json();
      if (b?.email !== email || b?.password !== password) return send(401, { detail: "Wrong email or password.", status_code: 401 });
      return send(200, { id: 1, email }, { "Set-Cookie": ["sessionid=s1; HttpOnly; Path=/; SameSite=Lax", "csrftoken=c1; Path=/; SameSite=Lax"] });
    }
    if (cookies.sessionid !== "s1") return send(401, { detail: "Sign in first.", status_code: 401 });
    if (req.method !== "GET" && req.headers["x-csrftoken"] !== cookies.csrftoken) return send(403, { detail: "CSRF token missing or wrong.", status_code: 403 });
    let m;
    if (path === "/api/auth/logout") return send(200, {});
    if (path === "/api/current-user/whoami") return send(200, { id: 1, email });
    if (path === "/api/projects" && req.method === "GET") {
      const results = state.projects.map(withCounts).reverse();
      return send(200, { count: results.length, next: null, previous: null, results });
    }
    if (path === "/api/projects" && req.method === "POST") {
      const p = { id: id(), title: "", label_config: "<View></View>", show_skip_button: true, ...json() };
      state.projects.push(p);
      return send(201, withCounts(p));
    }
    if (path === "/api/projects/validate") {
      const xml = json()?.label_config ?? "";
      if (!xml.includes("<View")) return send(400, { detail: "Invalid config", validation_errors: { label_config: ["line 1: the root tag must be <View>"] } });
      return send(200, {});
    }
    if ((m = /^\/api\/projects\/(\d+)$/.exec(path))) {
      const p = state.projects.find((x) => x.id === +m[1]);
      if (!p) return send(404, { detail: "Not found." });
      if (req.method === "PATCH") Object.assign(p, json());
      return send(200, withCounts(p));
    }
    if ((m = /^\/api\/projects\/(\d+)\/members$/.exec(path))) return send(200, [{ user: { id: 1, email }, role: "owner" }]);
    if ((m = /^\/api\/projects\/(\d+)\/import$/.exec(path))) {
      const project = +m[1];
      let items;
      if ((req.headers["content-type"] ?? "").startsWith("multipart/")) {
        const names = [...raw.toString("latin1").matchAll(/filename="([^"]+)"/g)].map((x) => x[1]);
        items = names.map((n) => ({ data: { image: `/data/upload/${project}/${n}` } }));
      } else {
        const b = json();
        items = Array.isArray(b) ? b : [b];
      }
      const ids = items.map((t) => {
        const task = { id: id(), project, data: t.data ?? t };
        state.tasks.push(task);
        return task.id;
      });
      return send(201, { task_count: ids.length, task_ids: ids });
    }
    if ((m = /^\/api\/projects\/(\d+)\/next$/.exec(path))) {
      const done = new Set(state.annotations.map((a) => a.task));
      const exclude = Number(url.searchParams.get("exclude") ?? 0);  // the task on screen, when prefetching
      const t = state.tasks.find((x) => x.project === +m[1] && !done.has(x.id) && x.id !== exclude);
      return t ? send(200, { ...t, drafts: state.drafts.filter((d) => d.task === t.id) }) : send(404, { detail: "Nothing left to label." });
    }
    if (path === "/api/tasks") {
      const project = +url.searchParams.get("project");
      const page = +(url.searchParams.get("page") ?? 1);
      const size = +(url.searchParams.get("page_size") ?? 30);
      const all = state.tasks.filter((t) => t.project === project).map(withTaskCounts);
      const slice = all.slice((page - 1) * size, page * size);
      if (page > 1 && slice.length === 0) return send(404, { detail: "Past the last page." });
      return send(200, { tasks: slice, total: all.length });
    }
    if ((m = /^\/api\/tasks\/(\d+)$/.exec(path))) {
      const t = state.tasks.find((x) => x.id === +m[1]);
      return t ? send(200, { ...withTaskCounts(t), annotations: state.annotations.filter((a) => a.task === t.id) }) : send(404, { detail: "Not found." });
    }
    // One draft per task (the mock has one user); a submit deletes it.
    if ((m = /^\/api\/tasks\/(\d+)\/drafts$/.exec(path))) {
      const task = +m[1];
      if (req.method === "GET") return send(200, state.drafts.filter((d) => d.task === task));
      state.drafts = state.drafts.filter((d) => d.task !== task);
      const d = { id: id(), task, annotation: null, ...json() };
      state.drafts.push(d);
      return send(201, d);
    }
    if ((m = /^\/api\/tasks\/(\d+)\/annotations$/.exec(path))) {
      if (req.method === "GET") return send(200, state.annotations.filter((a) => a.task === +m[1]));
      const a = { id: id(), task: +m[1], was_cancelled: false, ...json() };
      state.annotations.push(a);
      state.drafts = state.drafts.filter((d) => d.task !== a.task);
      return send(201, a);
    }
    if ((m = /^\/api\/annotations\/(\d+)$/.exec(path))) {
      const a = state.annotations.find((x) => x.id === +m[1]);
      if (!a) return send(404, { detail: "Not found." });
      Object.assign(a, json());
      return send(200, a);
    }
    send(404, { detail: `No route ${path}` });
  });

  function withCounts(p) {
    const tasks = state.tasks.filter((t) => t.project === p.id);
    const finished = tasks.filter((t) => state.annotations.some((a) => a.task === t.id)).length;
    return { ...p, task_number: tasks.length, finished_task_number: finished };
  }
  function withTaskCounts(t) {
    const anns = state.annotations.filter((a) => a.task === t.id);
    return { ...t, total_annotations: anns.filter((a) => !a.was_cancelled).length, cancelled_annotations: anns.filter((a) => a.was_cancelled).length, is_labeled: anns.length > 0 };
  }

  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}`, email, password, close: () => server.close() })));
}
