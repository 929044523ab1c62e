// Types of the HTTP contract, written from api/openapi.yaml (components/schemas).
// Fields the server may leave out are optional. Keep in step with the YAML.
import type { Json, JsonObject } from "./json";

export interface ApiError {
  readonly detail?: string;
  readonly status_code?: number;
  readonly validation_errors?: { readonly [field: string]: readonly string[] };
}

export interface User {
  readonly id: number;
  readonly email: string;
  readonly username?: string;
  readonly first_name?: string;
  readonly last_name?: string;
  readonly is_superuser?: boolean;
  readonly date_joined?: string;
  readonly last_activity?: string;
}

export interface Project {
  readonly id: number;
  readonly title: string;
  readonly description?: string;
  readonly label_config: string;
  readonly expert_instruction?: string;
  readonly show_instruction?: boolean;
  readonly show_skip_button?: boolean;
  readonly enable_empty_annotation?: boolean;
  readonly show_annotation_history?: boolean;
  readonly maximum_annotations?: number;
  readonly sampling?: "Sequential sampling" | "Uniform sampling" | "Uncertainty sampling";
  readonly color?: string;
  readonly is_published?: boolean;
  readonly model_version?: string;
  readonly created_by?: JsonObject;
  readonly created_at?: string;
  readonly task_number?: number;
  readonly num_tasks_with_annotations?: number;
  readonly total_annotations_number?: number;
  readonly total_predictions_number?: number;
  readonly skipped_annotations_number?: number;
  readonly ground_truth_number?: number;
  readonly finished_task_number?: number;
  readonly parsed_label_config?: JsonObject;
  readonly settings?: JsonObject;
}

/** One region or answer, exactly as in Label Studio's JSON; unknown keys are kept. */
export interface ResultItem {
  readonly id?: string;
  readonly from_name: string;
  readonly to_name: string;
  readonly type: string;
  readonly value: JsonObject;
  readonly original_width?: number;
  readonly original_height?: number;
  readonly [extra: string]: Json | undefined;
}

/** A relation between two regions; LS writes these without from_name/to_name. */
export interface RelationItem {
  readonly type: "relation";
  readonly from_id: string;
  readonly to_id: string;
  readonly direction?: string;
  readonly labels?: readonly string[];
  readonly [extra: string]: Json | undefined;
}

export type ResultEntry = ResultItem | RelationItem;

export const isRelationItem = (e: ResultEntry): e is RelationItem =>
  e.type.toLowerCase() === "relation" && typeof e["from_id"] === "string";

export interface Annotation {
  readonly id?: number;
  readonly result: readonly ResultEntry[];
  readonly completed_by?: number;
  readonly was_cancelled?: boolean;
  readonly ground_truth?: boolean;
  readonly lead_time?: number;
  readonly task?: number;
  readonly project?: number;
  readonly created_at?: string;
  readonly updated_at?: string;
  readonly version?: number;
  /** Label Studio's "<first> <last> <email>, <id>" of the author. */
  readonly created_username?: string;
  readonly updated_by?: number | null;
  readonly last_action?: string | null;
  readonly review_state?: ReviewState;
  /** The latest review, or null when there is none. */
  readonly review?: ReviewInfo | null;
  /** Tessera's addition: the guideline version the annotation was made under (null: none). */
  readonly guideline_version?: number | null;
}

/** The caller's autosaved, unsubmitted work (Label Studio's AnnotationDraft); private to its author. */
export interface Draft {
  readonly id: number;
  readonly result: readonly ResultEntry[];
  /** Seconds spent so far. */
  readonly lead_time: number;
  readonly task: number;
  /** The annotation this is a draft of an edit of; null for a new annotation. */
  readonly annotation: number | null;
  /** The author's email. */
  readonly user?: string;
  readonly created_username?: string;
  readonly was_postponed?: boolean;
  readonly created_at?: string;
  readonly updated_at?: string;
}

export interface Prediction {
  readonly id?: number;
  readonly task?: number;
  readonly result: readonly ResultEntry[];
  readonly score?: number | null;
  readonly model_version?: string;
}

export interface Task {
  readonly id: number;
  readonly project?: number;
  readonly data: JsonObject;
  readonly meta?: JsonObject;
  readonly is_labeled?: boolean;
  readonly inner_id?: number;
  readonly total_annotations?: number;
  readonly cancelled_annotations?: number;
  readonly total_predictions?: number;
  readonly annotations?: readonly Annotation[];
  readonly predictions?: readonly Prediction[];
  /** The caller's drafts (GET /api/tasks/{id} and /next). */
  readonly drafts?: readonly Draft[];
  // Data-manager columns (GET /api/tasks list rows).
  /** Per-task agreement 0..100; null with fewer than two annotators. */
  readonly agreement?: number | null;
  /** Ids of the users who annotated. */
  readonly annotators?: readonly number[];
  /** Distinct guideline versions of the task's annotations. */
  readonly guideline_versions?: readonly number[];
  readonly prefilter_flags?: readonly PrefilterReason[];
  /** The highest prediction score, or null. */
  readonly predictions_score?: number | null;
  readonly completed_at?: string | null;
  readonly reviews_accepted?: number;
  readonly reviews_rejected?: number;
  readonly ground_truth?: boolean;
}

export interface ImportReply {
  readonly task_count?: number;
  readonly annotation_count?: number;
  readonly prediction_count?: number;
  readonly duration?: number;
  readonly data_columns?: readonly string[];
  readonly found_formats?: readonly string[];
  readonly task_ids?: readonly number[];
  /** New tasks that pre-filtering keeps out of the queue, by reason. */
  readonly filtered?: PrefilterCounts;
}

/** Pre-filtering reasons, in the order the server reports them. */
export type PrefilterReason = "duplicate" | "near_duplicate" | "blurry" | "unreadable" | "empty";
export type PrefilterCounts = { readonly [R in PrefilterReason]?: number };

/** GET/PATCH /api/projects/{id}/prefilter. */
export interface PrefilterSettings {
  readonly enabled: boolean;
  readonly duplicates: boolean;
  readonly near_duplicate_images: boolean;
  readonly image_distance: number;
  readonly near_duplicate_texts: boolean;
  readonly text_distance: number;
  readonly blurry: boolean;
  readonly blur_threshold: number;
  readonly unreadable: boolean;
  readonly min_width: number;
  readonly min_height: number;
  readonly empty: boolean;
}
export interface PrefilterState {
  readonly settings: PrefilterSettings;
  readonly flagged: PrefilterCounts;
  readonly flagged_total: number;
  /** POST .../prefilter/run only: what this run flagged. */
  readonly filtered?: PrefilterCounts;
}
export interface FlaggedTask {
  readonly task: number;
  readonly reason: PrefilterReason;
  readonly detail: string;
  readonly created_at: string;
}
export interface FlaggedPage {
  readonly tasks: readonly FlaggedTask[];
  readonly next_after: number | null;
}

/** GET /api/projects */
export interface ProjectPage {
  readonly count: number;
  readonly next: string | null;
  readonly previous: string | null;
  readonly results: readonly Project[];
}

/** GET /api/tasks */
export interface TaskPage {
  readonly tasks: readonly Task[];
  readonly total: number;
  readonly total_annotations?: number;
  readonly total_predictions?: number;
}

export type Role = "annotator" | "reviewer" | "manager" | "owner";
export interface Member {
  readonly user: User;
  readonly role: Role;
}

/** A user as the team endpoints name them (members, history, stats). */
export interface UserBrief {
  readonly id: number;
  readonly email?: string;
  readonly first_name?: string;
  readonly last_name?: string;
  readonly avatar?: string | null;
}

// ---- Review (reviewers, managers and owners) ----

export type ReviewState = "pending" | "accepted" | "rejected" | "fixed";

export interface ReviewInfo {
  readonly action: Exclude<ReviewState, "pending">;
  readonly comment: string;
  readonly reviewer: number;
  readonly version: number;
  readonly created_at: string;
}

/** One row of the review queue: an annotation with its author and review state;
 *  `agreement` (the task's score) is there with order=agreement or max_agreement. */
export interface ReviewQueueItem extends Annotation {
  readonly id: number;
  readonly task: number;
  readonly agreement?: number | null;
}

/** GET /api/projects/{id}/review/queue?annotator=&label=&state=&max_agreement=&order=&page=&page_size= */
export interface ReviewQueuePage {
  readonly count: number;
  readonly results: readonly ReviewQueueItem[];
}

/** POST /api/annotations/{id}/reviews: accept, reject with a comment, or fix and accept. */
export type ReviewRequest =
  | { readonly accepted: true; readonly comment?: string }
  | { readonly accepted: false; readonly comment: string }
  | { readonly accepted: true; readonly result: readonly ResultEntry[]; readonly comment?: string };

export interface ReviewReply {
  readonly id: number;
  readonly annotation: number;
  readonly project: number;
  readonly reviewer: number;
  readonly action: Exclude<ReviewState, "pending">;
  readonly accepted: boolean;
  readonly comment: string;
  readonly version: number;
  readonly created_at: string;
  /** The annotation after the review. */
  readonly annotation_state: Annotation;
}

export interface HistoryEvent {
  readonly type: "version" | "review";
  readonly version: number;
  /** version: submitted, updated, fixed, imported…; review: accepted, rejected, fixed. */
  readonly action: string;
  readonly user: UserBrief | null;
  readonly updated_by?: number;
  readonly created_at: string;
  readonly comment?: string;
  readonly result?: readonly ResultEntry[];
  readonly was_cancelled?: boolean;
  readonly ground_truth?: boolean;
  readonly lead_time?: number;
  /** The version that is the annotation's current state. */
  readonly current?: boolean;
}

/** GET /api/annotations/{id}/history */
export interface AnnotationHistory {
  readonly annotation: number;
  readonly task: number;
  readonly events: readonly HistoryEvent[];
}

// ---- Assignment (managers) ----

export type AssignmentType = "AN" | "RE";

export type SelectedItems =
  | { readonly all: false; readonly included: readonly number[] }
  | { readonly all: true; readonly excluded: readonly number[] };

/** POST (assign) and DELETE (unassign; users optional: everyone) /api/projects/{id}/tasks/assignees */
export interface AssignRequest {
  readonly type: AssignmentType;
  readonly users?: readonly number[];
  readonly selectedItems: SelectedItems;
}

export interface AssignReply {
  /** New assignments made (existing ones are not counted twice). */
  readonly assignments: number;
  readonly tasks: number;
  readonly users: number;
  readonly type: AssignmentType;
}

export interface UnassignReply {
  readonly removed: number;
}

// ---- Team statistics (managers) ----

export interface DayCount {
  readonly date: string; // YYYY-MM-DD (UTC)
  readonly submitted: number;
  readonly skipped: number;
}

export interface AnnotatorStat {
  readonly user: UserBrief;
  readonly submitted: number;
  readonly skipped: number;
  readonly ground_truth?: number;
  /** Seconds, over submitted annotations (0 without any). */
  readonly lead_time_median: number;
  /** null when no lead time was recorded. */
  readonly items_per_hour: number | null;
  readonly per_day: readonly DayCount[];
  readonly honeypot: { readonly answered: number; readonly correct: number; readonly accuracy: number | null };
  /** Mean pairwise agreement with peers; null when the annotator shares no task. */
  readonly agreement: number | null;
  readonly red_flag: boolean;
}

/** GET /api/projects/{id}/stats/annotators?accuracy_threshold=&agreement_threshold= */
export interface AnnotatorStats {
  readonly project?: number;
  readonly accuracy_threshold: number;
  readonly agreement_threshold: number;
  readonly annotators: readonly AnnotatorStat[];
  readonly per_day: readonly DayCount[];
  /** True right after a server start: the numbers of the last saved snapshot, while the live ones are rebuilt. */
  readonly stale?: boolean;
  /** When the numbers were computed (ISO 8601). */
  readonly as_of?: string;
}

export interface LabelCounts {
  readonly from_name: string;
  readonly type: string;
  readonly counts: { readonly [label: string]: number };
}

export interface ProjectDay {
  readonly date: string;
  readonly submitted: number;
  readonly skipped: number;
  /** Annotations submitted up to and including this day (a running sum). */
  readonly done_total: number;
}

/** GET /api/projects/{id}/stats/project */
export interface ProjectStats {
  readonly project?: number;
  readonly tasks: {
    readonly total: number;
    readonly done: number;
    readonly remaining: number;
    readonly with_annotations: number;
    readonly skipped_only: number;
  };
  readonly annotations: { readonly submitted: number; readonly skipped: number; readonly ground_truth: number };
  readonly labels: readonly LabelCounts[];
  readonly per_day: readonly ProjectDay[];
  readonly review: { readonly pending: number; readonly accepted: number; readonly rejected: number; readonly fixed: number };
  /** As in AnnotatorStats: annotation counts, labels and days from the last saved snapshot. */
  readonly stale?: boolean;
  readonly as_of?: string;
}

// ---- Quality (reviewers, managers and owners; annotators get 403) ----

/** How a control's agreement is measured. */
export type AgreementMethod = "categorical" | "ordinal" | "interval" | "regions" | "text";

/** An annotator as the quality endpoints name them. Imported annotations without
 *  an author count as their own annotator, with a negative id and no email. */
export interface QualityAnnotator {
  readonly id: number;
  readonly email: string | null;
  readonly name: string;
  /** Mean of this annotator's pairwise agreement over every control; null without pairs. */
  readonly mean_pairwise: number | null;
}

export interface LabelAgreement {
  readonly ratings: number;
  readonly specific_agreement: number | null;
  readonly kappa: number | null;
}

export interface ControlQuality {
  readonly from_name: string;
  readonly type: string;
  readonly method: AgreementMethod;
  /** Tasks with at least one pair of answers for this control. */
  readonly tasks: number;
  readonly percent_agreement: number | null;
  readonly krippendorff_alpha: number | null;
  readonly fleiss_kappa: number | null;
  readonly mean_pairwise: number | null;
  /** Which of the above is the control's headline figure. */
  readonly metric: "krippendorff_alpha" | "mean_pairwise";
  readonly value: number | null;
  readonly per_label: { readonly [label: string]: LabelAgreement };
  /** n×n over QualitySummary.annotators (Cohen's kappa for categorical controls,
   *  mean pairwise F1 or text similarity for regions and text); may be empty. */
  readonly pairwise: readonly (readonly (number | null)[])[];
}

export interface TaskScore {
  readonly task: number;
  readonly score: number;
  /** How many annotators answered the task. */
  readonly annotators: number;
}

export interface HistogramBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

export interface RedFlag {
  readonly kind: "control" | "annotator" | "tasks";
  readonly from_name?: string;
  readonly annotator?: number;
  readonly name?: string;
  readonly metric: string;
  readonly value?: number;
  readonly count?: number;
  readonly threshold: number;
}

export interface QualityCacheInfo {
  readonly seq: number;
  readonly full_rebuild: boolean;
  readonly reloaded_tasks: number;
}

/** GET /api/projects/{id}/quality?threshold=&iou_threshold=&lowest= */
export interface QualitySummary {
  readonly threshold: number;
  readonly iou_threshold?: number;
  readonly annotators: readonly QualityAnnotator[];
  readonly controls: readonly ControlQuality[];
  readonly tasks: {
    readonly count: number;
    readonly scored: number;
    readonly mean: number | null;
    readonly below_threshold: number;
    /** Ten bins over [0, 1]. */
    readonly histogram: readonly HistogramBin[];
    readonly lowest: readonly TaskScore[];
  };
  readonly red_flags: readonly RedFlag[];
  readonly cache?: QualityCacheInfo;
  /** True while the server reads the project whole (after a start, an import) and answers with its last numbers. */
  readonly stale?: boolean;
  /** When the numbers were computed (ISO 8601). */
  readonly as_of?: string;
}

export interface RankedAnnotator {
  readonly id: number;
  readonly email: string | null;
  readonly name: string;
  readonly rank: number;
  readonly estimated_accuracy: number | null;
  readonly agreement_with_others_majority: number | null;
  readonly ratings: number;
}

/** GET /api/projects/{id}/quality/annotators?control= (400 for region and text controls) */
export interface AnnotatorRanking {
  readonly control: string;
  readonly annotators: readonly RankedAnnotator[];
  readonly cache?: QualityCacheInfo;
}

/** GET /api/projects/{id}/quality/tasks?order=&limit=&offset=&max_score=&iou_threshold= */
export interface QualityTaskPage {
  readonly total: number;
  readonly tasks: readonly TaskScore[];
  readonly cache?: QualityCacheInfo;
}

export type AgreementMetric = "percent" | "cohen" | "fleiss" | "scott" | "gwet" | "brennan-prediger" | "krippendorff";
export type AgreementLevel = "nominal" | "ordinal" | "interval" | "ratio";
export type AgreementWeights = "none" | "linear" | "quadratic";

/** GET /api/projects/{id}/quality/agreement?control=&metric=&level=&weights=&ci= */
export interface AgreementCoefficient {
  readonly control: string;
  readonly metric: AgreementMetric;
  readonly value: number | null;
  readonly items: number;
  readonly annotators: number;
  readonly level?: AgreementLevel;
  readonly weights?: AgreementWeights;
  /** With ci=true: a percentile bootstrap 95% interval over tasks. */
  readonly ci95?: readonly [number | null, number | null];
  readonly ci_replicates?: number;
  readonly pairs?: number;
  readonly note?: string;
  readonly cache?: QualityCacheInfo;
}

// ---- guidelines (GET/POST /api/projects/{id}/guidelines…) ----

export interface GuidelineAuthor {
  readonly id: number;
  readonly email?: string;
  readonly first_name?: string;
  readonly last_name?: string;
}

export interface GuidelineSummary {
  readonly version: number;
  readonly note: string;
  readonly author: GuidelineAuthor | null;
  readonly created_at: string;
  readonly text_length: number;
  readonly examples_count: number;
}

export interface GuidelineList {
  readonly count: number;
  /** 0: no guideline yet. */
  readonly latest: number;
  /** The newest version the caller acknowledged (0: none). */
  readonly acknowledged: number;
  readonly results: readonly GuidelineSummary[];
}

export interface GuidelineExampleInput {
  readonly task: number;
  readonly annotation?: number | null;
  readonly kind: "correct" | "edge_case" | "mistake";
  readonly caption: string;
}

export interface GuidelineExample extends GuidelineExampleInput {
  /** The task's data, and the annotation's result (null without an annotation). */
  readonly data: { readonly [key: string]: unknown } | null;
  readonly result: readonly ResultEntry[] | null;
  /** The task was deleted since. */
  readonly missing: boolean;
}

export interface GuidelineVersion extends GuidelineSummary {
  readonly text: string;
  readonly examples: readonly GuidelineExample[];
}

export interface GuidelineDiff {
  readonly from: number;
  readonly to: number;
  readonly added: number;
  readonly removed: number;
  readonly lines: readonly { readonly op: "same" | "added" | "removed"; readonly text: string }[];
}

/** The body of /next's 428 when the caller must acknowledge a new guideline first. */
export interface GuidelineAckRequired extends ApiError {
  readonly code: "guideline_acknowledgement_required";
  readonly guideline_version: number;
  readonly acknowledged_version: number;
}

export interface GuidelineVersionStats {
  readonly version: number;
  readonly note: string | null;
  readonly created_at: string | null;
  readonly annotations: number;
  readonly skipped: number;
  readonly annotators: number;
  readonly tasks: number;
  readonly agreement: { readonly tasks_scored: number; readonly mean_task_score: number | null };
  readonly honeypot: { readonly answered: number; readonly correct: number; readonly accuracy: number | null };
}

// ---- Data manager (Label Studio's /api/dm shapes) ----

export type DmType = "Number" | "String" | "Datetime" | "List" | "Boolean";
export type DmOperator =
  | "equal" | "not_equal" | "contains" | "not_contains" | "less" | "greater" | "less_or_equal" | "greater_or_equal"
  | "in" | "not_in" | "empty";
export type DmValue = string | number | boolean | { readonly min: number | string; readonly max: number | string };

/** One filter: {"filter": "filter:tasks:data.text", "operator": "contains", "type": "String", "value": "cat"}. */
export interface DmFilterItem {
  readonly filter: string;
  readonly operator: DmOperator;
  readonly type: DmType;
  readonly value: DmValue;
}
export interface DmFilters {
  readonly conjunction: "and" | "or";
  readonly items: readonly DmFilterItem[];
}

/** The task list's `query` parameter and a view's filter part. */
export interface DmQuery {
  readonly filters?: DmFilters;
  /** ["tasks:id"] or ["-tasks:data.score"]. */
  readonly ordering?: readonly string[];
  readonly search?: string;
}

/** A saved view's data, as posted. */
export interface DmViewData extends DmQuery {
  readonly title?: string;
  readonly hiddenColumns?: JsonObject;
}

/** GET /api/dm/views?project=P */
export interface DmView {
  readonly id: number;
  readonly project: number;
  readonly user: number | null;
  readonly order: number;
  readonly data: DmViewData;
}

/** GET /api/dm/actions?project=P */
export interface DmAction {
  readonly id: string;
  readonly title: string;
  readonly order: number;
  readonly dialog?: { readonly text: string; readonly type: string };
}

/** POST /api/dm/actions?id=A&project=P */
export interface DmActionRequest extends DmQuery {
  readonly selectedItems: SelectedItems;
  /** `assign` only. */
  readonly type?: AssignmentType;
  readonly users?: readonly number[];
}
export interface DmActionReply {
  readonly processed_items: number;
  readonly detail?: string;
}

/** GET /api/projects/{id}/export/formats */
export interface ExportFormat {
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly extension?: string;
  readonly disabled?: boolean;
}
