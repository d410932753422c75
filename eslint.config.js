// typescript-eslint with type information, over every workspace.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "bench/results/**"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: [
          "./shared/tsconfig.json",
          "./shared/tsconfig.test.json",
          "./server/tsconfig.json",
          "./client/tsconfig.json",
          "./test/tsconfig.json",
          "./bench/tsconfig.json",
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      // Store interfaces are async so that memory and Redis fit the same shape.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Workspaces import each other by package name only.
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../../shared/*", "../../server/*", "../../client/*", "../shared/*", "../server/*"],
              message: "import the workspace by package name (@convoy/…)",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.test.ts", "test/**/*.ts", "server/src/stores/store-contract.ts"],
    rules: {
      // node:test's describe/it return promises the runner awaits.
      "@typescript-eslint/no-floating-promises": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { URL: "readonly", console: "readonly", process: "readonly" },
    },
  },
);
