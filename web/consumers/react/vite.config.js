import { defineConfig } from 'vite';

// JSX through esbuild's automatic runtime (react/jsx-runtime).
export default defineConfig({ esbuild: { jsx: 'automatic' } });
