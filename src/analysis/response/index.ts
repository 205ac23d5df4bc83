export * from "./response.ts";
