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
}

export interface ImportReply {
  readonly task_count?: number;
  readonly annotation_count?: number;
  readonly prediction_count?: number;
  readonly duration?: number;
  readonly data_columns?: readonly string[];
  readonly found_formats?: readonly string[];
  readonly task_ids?: readonly number[];
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
