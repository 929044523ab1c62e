// Test helper: where the shared Label Studio conformance files are. They sit
// in shared/ beside the repository (TESSERA_CONFORMANCE overrides).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export function conformanceDir(): string {
  const dir = process.env["TESSERA_CONFORMANCE"] ?? resolve(here, "../../../../shared/conformance/label-studio");
  if (!existsSync(dir)) throw new Error(`conformance files not found at ${dir}; set TESSERA_CONFORMANCE`);
  return dir;
}

export interface Case {
  readonly name: string;
  readonly config: string;
  readonly annotationFiles: readonly { readonly file: string; readonly json: unknown }[];
}

export function conformanceCases(): Case[] {
  const dir = conformanceDir();
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const base = join(dir, d.name);
      const annDir = join(base, "annotations");
      const files = existsSync(annDir) ? readdirSync(annDir).filter((f) => f.endsWith(".json")).sort() : [];
      return {
        name: d.name,
        config: readFileSync(join(base, "config.xml"), "utf8"),
        annotationFiles: files.map((f) => ({ file: join(annDir, f), json: JSON.parse(readFileSync(join(annDir, f), "utf8")) as unknown })),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
