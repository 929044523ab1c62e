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
