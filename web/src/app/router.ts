// A tiny client-side router over the History API. The server answers every
// non-API GET path with index.html, so each page has a stable URL.
import { useEffect, useState } from "preact/hooks";
import { parseThreshold } from "./dashboard";
import { type ReviewFilters, parseReviewFilters } from "./review";
import { type TaskQuery, parseTaskQuery } from "./taskTable";

export type Route =
  | { readonly page: "login"; readonly next: string }
  | { readonly page: "projects" }
  | { readonly page: "project"; readonly id: number; readonly pageNo: number; readonly query: TaskQuery }
  | { readonly page: "settings"; readonly id: number }
  | { readonly page: "label"; readonly id: number }
  | { readonly page: "task"; readonly id: number; readonly taskId: number }
  | { readonly page: "quality"; readonly id: number; readonly threshold: number | undefined }
  | { readonly page: "review"; readonly id: number; readonly filters: ReviewFilters }
  | {
      readonly page: "dashboard"; readonly id: number;
      readonly accuracyThreshold: number | undefined; readonly agreementThreshold: number | undefined;
    }
  | { readonly page: "notFound"; readonly path: string };

export function parseRoute(path: string, search = ""): Route {
  const q = new URLSearchParams(search);
  const parts = path.replace(/\/+$/, "").split("/").filter(Boolean);
  const num = (s: string | undefined) => (s && /^\d+$/.test(s) ? Number(s) : NaN);
  if (parts.length === 0) return { page: "projects" };
  if (parts[0] === "login" && parts.length === 1) return { page: "login", next: q.get("next") ?? "/projects" };
  if (parts[0] !== "projects") return { page: "notFound", path };
  if (parts.length === 1) return { page: "projects" };
  const id = num(parts[1]);
  if (Number.isNaN(id)) return { page: "notFound", path };
  if (parts.length === 2) return { page: "project", id, pageNo: Math.max(1, num(q.get("page") ?? "1") || 1), query: parseTaskQuery(q) };
  if (parts.length === 3 && parts[2] === "settings") return { page: "settings", id };
  if (parts.length === 3 && parts[2] === "label") return { page: "label", id };
  if (parts.length === 3 && parts[2] === "quality") return { page: "quality", id, threshold: thresholdParam(q.get("threshold")) };
  if (parts.length === 3 && parts[2] === "review") return { page: "review", id, filters: parseReviewFilters(q) };
  if (parts.length === 3 && parts[2] === "dashboard") {
    return {
      page: "dashboard", id,
      accuracyThreshold: parseThreshold(q.get("accuracy_threshold"), 0, 1),
      agreementThreshold: parseThreshold(q.get("agreement_threshold"), -1, 1),
    };
  }
  if (parts.length === 4 && parts[2] === "tasks" && !Number.isNaN(num(parts[3]))) return { page: "task", id, taskId: num(parts[3]) };
  return { page: "notFound", path };
}

/** ?threshold= of the quality page: a number in [-1, 1], or undefined (the default). */
function thresholdParam(raw: string | null): number | undefined {
  if (raw === null || raw.trim() === "") return undefined;
  const v = Number(raw);
  return Number.isFinite(v) && v >= -1 && v <= 1 ? v : undefined;
}

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  listeners.forEach((f) => f());
}

export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const update = () => setRoute(read());
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return route;
}

/** Follows same-origin <a href="/..."> clicks without a page load. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element).closest("a");
    const href = a?.getAttribute("href");
    if (!a || !href || !href.startsWith("/") || a.target || href.startsWith("/api/") || href.startsWith("/data/")) return;
    e.preventDefault();
    navigate(href);
  });
}
