/** Rewrites esbuild's keepNames helper in a bundle so that it names only what bundling renamed (see keep-names.mjs). */
export function keepNamesOnlyWhenRenamed(file: string): void;
