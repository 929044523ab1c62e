import type { Region, RegionId, Shape } from "../model";
export type { Shape };
export const findRegionIn = (regions: readonly Region[], id: RegionId): Region | undefined => regions.find((r) => r.id === id);
