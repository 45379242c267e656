// Vite's import.meta.glob (vite/client declares it for the app; the library's
// type build, tsconfig.lib.json, leaves Vite's types out).
interface ImportMeta {
  glob<T>(patterns: string | string[], options: { import: string }): Record<string, () => Promise<T>>;
}
