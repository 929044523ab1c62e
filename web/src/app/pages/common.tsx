// Small shared pieces of the pages.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiFailure } from "../api";

export function errorText(e: unknown): string {
  if (e instanceof ApiFailure) return e.messages().join("\n");
  return e instanceof Error ? e.message : String(e);
}

export function ErrorBox(props: { error: string }): JSX.Element | null {
  if (!props.error) return null;
  return <pre class="error" role="alert">{props.error}</pre>;
}

/** Loads `f()` when `deps` change: [value, error, reload]. */
export function useLoad<T>(f: () => Promise<T>, deps: readonly unknown[]): [T | undefined, string, () => void] {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState("");
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setError("");
    f().then(
      (v) => live && setValue(v),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return [value, error, () => setTick((t) => t + 1)];
}
