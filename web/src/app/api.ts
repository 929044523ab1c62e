// The HTTP client. Cookie session (HttpOnly sessionid); writes echo the
// csrftoken cookie as X-CSRFToken, as the server requires. Errors become
// ApiFailure with the server's `detail` and `validation_errors`.
import type {
  GuidelineDiff, GuidelineExampleInput, GuidelineList, GuidelineVersion, GuidelineVersionStats,
  AgreementCoefficient, AgreementLevel, AgreementMetric, AgreementWeights, Annotation, AnnotationHistory, AnnotatorRanking,
  AnnotatorStats, ApiError, AssignReply, AssignRequest, DmAction, DmActionReply, DmActionRequest, DmView, DmViewData, Draft, ExportFormat, FlaggedPage, ImportReply, PrefilterReason, PrefilterSettings, PrefilterState, Member, Project, ProjectPage, ProjectStats, QualitySummary,
  QualityTaskPage, ResultEntry, ReviewQueuePage, ReviewReply, ReviewRequest, ReviewState, Task, TaskPage, UnassignReply, User,
} from "../model";

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.detail ?? `HTTP ${status}`);
    this.name = "ApiFailure";
  }
  /** Every message the server gave, field errors included. */
  messages(): string[] {
    const fields = Object.values(this.body.validation_errors ?? {}).flat();
    return fields.length ? fields : [this.message];
  }
}

export function csrfToken(cookie: string = document.cookie): string {
  for (const part of cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === "csrftoken") return decodeURIComponent(v.join("="));
  }
  return "";
}

async function request<T>(method: string, path: string, body?: unknown, opts: { keepalive?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  // keepalive lets a request outlive the page (pagehide); browsers cap such bodies at 64 KiB.
  const keepalive = opts.keepalive === true && (typeof payload !== "string" || payload.length < 60000);
  const res = await fetch(path, { method, headers, body: payload, credentials: "same-origin", keepalive });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err: ApiError = typeof json === "object" && json !== null ? (json as ApiError) : { detail: text || res.statusText };
    if (res.status === 401 && !path.startsWith("/api/auth/")) onUnauthorized();
    throw new ApiFailure(res.status, err);
  }
  return json as T;
}

/** "?a=1&b=x" from the defined entries of `params` ("" when none). */
export function queryString(params: { readonly [key: string]: string | number | boolean | undefined }): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

let onUnauthorized: () => void = () => undefined;
export const setUnauthorizedHandler = (f: () => void): void => {
  onUnauthorized = f;
};

export const api = {
  login: (email: string, password: string) => request<User>("POST", "/api/auth/login", { email, password }),
  logout: () => request<void>("POST", "/api/auth/logout"),
  whoami: () => request<User>("GET", "/api/current-user/whoami"),
  projects: (page = 1, pageSize = 100) => request<ProjectPage>("GET", `/api/projects?page=${page}&page_size=${pageSize}`),
  project: (id: number) => request<Project>("GET", `/api/projects/${id}`),
  createProject: (p: { title: string; label_config?: string }) => request<Project>("POST", "/api/projects", p),
  updateProject: (id: number, p: Partial<Project>) => request<Project>("PATCH", `/api/projects/${id}`, p),
  validateConfig: (label_config: string) => request<unknown>("POST", "/api/projects/validate", { label_config }),
  members: (id: number) => request<readonly Member[]>("GET", `/api/projects/${id}/members`),
  addMember: (id: number, email: string, role: string) => request<Member>("POST", `/api/projects/${id}/members`, { email, role }),
  tasks: (project: number, page: number, pageSize: number, opts: { ordering?: string; status?: string; query?: string; view?: number; fields?: "task_only" } = {}) =>
    request<TaskPage>("GET", `/api/tasks${queryString({ project, page, page_size: pageSize, ...opts })}`),
  /** Every task of a project without annotations or predictions, in id order (for previous/next). */
  taskList: (project: number) =>
    request<TaskPage>("GET", `/api/tasks?project=${project}&page=1&page_size=10000&fields=task_only&ordering=id`),
  task: (id: number) => request<Task>("GET", `/api/tasks/${id}`),
  /** The caller's next task, reserved for them; `exclude`: the task on screen, to prefetch the one after it. */
  next: (project: number, exclude?: number) => request<Task>("GET", `/api/projects/${project}/next${queryString({ exclude })}`),
  /** Gives back the caller's reservation of `task` (keepalive: it may be sent as the page closes). */
  releaseLock: (task: number) => request<void>("DELETE", `/api/tasks/${task}/lock`, undefined, { keepalive: true }),
  importFiles: (project: number, files: readonly File[]) => {
    const form = new FormData();
    for (const f of files) form.append("file", f, f.name);
    return request<ImportReply>("POST", `/api/projects/${project}/import`, form);
  },
  submit: (task: number, result: readonly ResultEntry[], opts: { was_cancelled?: boolean; lead_time?: number; parent_prediction?: number } = {}) =>
    request<Annotation>("POST", `/api/tasks/${task}/annotations`, { result, ...opts }),
  updateAnnotation: (id: number, result: readonly ResultEntry[], lead_time?: number) =>
    request<Annotation>("PATCH", `/api/annotations/${id}`, { result, lead_time }),
  // Drafts: the caller's own, saved (created or replaced) by task or by annotation.
  saveDraft: (task: number, body: { result: readonly ResultEntry[]; lead_time: number }, keepalive = false) =>
    request<Draft>("POST", `/api/tasks/${task}/drafts`, body, { keepalive }),
  saveAnnotationDraft: (annotation: number, body: { result: readonly ResultEntry[]; lead_time: number }, keepalive = false) =>
    request<Draft>("POST", `/api/annotations/${annotation}/drafts`, body, { keepalive }),
  drafts: (task: number) => request<readonly Draft[]>("GET", `/api/tasks/${task}/drafts`),
  deleteDraft: (id: number) => request<void>("DELETE", `/api/drafts/${id}`),
  // Quality figures: reviewers and above (annotators get 403).
  quality: (project: number, opts: { threshold?: number; iou_threshold?: number; lowest?: number } = {}) =>
    request<QualitySummary>("GET", `/api/projects/${project}/quality${queryString(opts)}`),
  qualityAnnotators: (project: number, control: string) =>
    request<AnnotatorRanking>("GET", `/api/projects/${project}/quality/annotators${queryString({ control })}`),
  qualityTasks: (
    project: number,
    opts: { order?: "asc" | "desc"; limit?: number; offset?: number; max_score?: number; iou_threshold?: number } = {},
  ) => request<QualityTaskPage>("GET", `/api/projects/${project}/quality/tasks${queryString(opts)}`),
  qualityAgreement: (
    project: number,
    opts: { control?: string; metric?: AgreementMetric; level?: AgreementLevel; weights?: AgreementWeights; ci?: boolean } = {},
  ) => request<AgreementCoefficient>("GET", `/api/projects/${project}/quality/agreement${queryString(opts)}`),
  // Review: reviewers and above.
  reviewQueue: (
    project: number,
    opts: {
      annotator?: number; label?: string; state?: ReviewState; max_agreement?: number; order?: "id" | "agreement";
      page?: number; page_size?: number;
    } = {},
  ) => request<ReviewQueuePage>("GET", `/api/projects/${project}/review/queue${queryString(opts)}`),
  review: (annotation: number, body: ReviewRequest) => request<ReviewReply>("POST", `/api/annotations/${annotation}/reviews`, body),
  history: (annotation: number) => request<AnnotationHistory>("GET", `/api/annotations/${annotation}/history`),
  // Assignment and team statistics: managers and owners.
  assign: (project: number, body: AssignRequest) => request<AssignReply>("POST", `/api/projects/${project}/tasks/assignees`, body),
  unassign: (project: number, body: AssignRequest) =>
    request<UnassignReply>("DELETE", `/api/projects/${project}/tasks/assignees`, body),
  annotatorStats: (project: number, opts: { accuracy_threshold?: number; agreement_threshold?: number } = {}) =>
    request<AnnotatorStats>("GET", `/api/projects/${project}/stats/annotators${queryString(opts)}`),
  projectStats: (project: number) => request<ProjectStats>("GET", `/api/projects/${project}/stats/project`),
  // Guidelines: members read and acknowledge; managers publish.
  guidelines: (project: number) => request<GuidelineList>("GET", `/api/projects/${project}/guidelines`),
  guideline: (project: number, version: number | "latest") =>
    request<GuidelineVersion>("GET", `/api/projects/${project}/guidelines/${version}`),
  publishGuideline: (project: number, body: { text: string; note: string; examples: readonly GuidelineExampleInput[] }) =>
    request<GuidelineVersion>("POST", `/api/projects/${project}/guidelines`, body),
  guidelineDiff: (project: number, version: number, against: number) =>
    request<GuidelineDiff>("GET", `/api/projects/${project}/guidelines/${version}/diff${queryString({ against })}`),
  acknowledgeGuideline: (project: number, version: number) =>
    request<{ version: number; acknowledged: number; latest: number }>("POST", `/api/projects/${project}/guidelines/${version}/acknowledge`),
  // Pre-filtering on import: managers.
  prefilter: (project: number) => request<PrefilterState>("GET", `/api/projects/${project}/prefilter`),
  updatePrefilter: (project: number, settings: Partial<PrefilterSettings>) =>
    request<PrefilterState>("PATCH", `/api/projects/${project}/prefilter`, settings),
  flaggedTasks: (project: number, opts: { reason?: PrefilterReason; after?: number; limit?: number } = {}) =>
    request<FlaggedPage>("GET", `/api/projects/${project}/prefilter/tasks${queryString(opts)}`),
  releaseFlagged: (project: number, body: { selectedItems: { all: boolean; included?: readonly number[]; excluded?: readonly number[] }; reason?: PrefilterReason }) =>
    request<{ released: number }>("POST", `/api/projects/${project}/prefilter/release`, body),
  runPrefilter: (project: number) => request<PrefilterState>("POST", `/api/projects/${project}/prefilter/run`, {}),
  // The data manager: saved views (members read, managers write) and bulk actions (managers).
  views: (project: number) => request<readonly DmView[]>("GET", `/api/dm/views${queryString({ project })}`),
  createView: (project: number, data: DmViewData) => request<DmView>("POST", "/api/dm/views", { project, data }),
  updateView: (id: number, data: Partial<DmViewData>) => request<DmView>("PATCH", `/api/dm/views/${id}`, { data }),
  deleteView: (id: number) => request<void>("DELETE", `/api/dm/views/${id}`),
  actions: (project: number) => request<readonly DmAction[]>("GET", `/api/dm/actions${queryString({ project })}`),
  runAction: (project: number, action: string, body: DmActionRequest) =>
    request<DmActionReply>("POST", `/api/dm/actions${queryString({ id: action, project })}`, body),
  exportFormats: (project: number) => request<readonly ExportFormat[]>("GET", `/api/projects/${project}/export/formats`),
  guidelineStats: (project: number) =>
    request<{ versions: readonly GuidelineVersionStats[]; stale?: boolean; as_of?: string }>("GET", `/api/projects/${project}/stats/guidelines`),
};
