// The app's objects, handed to the views through Preact context (made once in main.tsx).
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { AppContext } from "../app-context.ts";
import type { UserFeatures } from "../user-features.ts";

export const AppProvider = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const app = useContext(AppProvider);
  if (!app) throw new Error("useApp() outside <AppProvider.Provider>");
  return app;
}

/** The signed-in user's features: only for views shown while someone is signed in. */
export function useUser(): UserFeatures {
  const user = useApp().user.value;
  if (!user) throw new Error("useUser() while nobody is signed in");
  return user;
}
