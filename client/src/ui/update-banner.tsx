// A new version of the app was installed in the background: offered, never
// forced (a reload in the middle of a message or a ride would cost more).
import { useApp } from "./use-app.ts";

export function UpdateBanner() {
  const { updates } = useApp();
  if (!updates.updateReady.value) return null;
  return (
    <div class="update-banner" role="status">
      <span>A new version of Convoy is ready.</span>
      <button type="button" onClick={() => updates.applyUpdate()}>
        Reload to update
      </button>
    </div>
  );
}
