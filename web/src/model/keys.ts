// A DOM-free view of a keyboard event, so commands can be tested in Node.
export interface KeyLike {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

export const key = (k: string, mods: Partial<Omit<KeyLike, "key">> = {}): KeyLike => ({
  key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods,
});

/** Ctrl on Linux/Windows, Cmd on macOS. */
export const primary = (e: KeyLike): boolean => e.ctrlKey || e.metaKey;
export const plain = (e: KeyLike): boolean => !e.ctrlKey && !e.metaKey && !e.altKey;
