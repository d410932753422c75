// The switch "Keep the screen on while sharing", what the browser does with
// it, and what no browser can do. Shown where sharing is chosen (ride-map.tsx).
import { useUser } from "../../ui/use-app.ts";
import type { ScreenWakeState } from "./screen-wake.ts";

const LIMITS =
  "Convoy shares your position only while it is open on screen: a phone's browser stops location when the app is in the background or the screen locks.";

function stateText(state: ScreenWakeState): string {
  switch (state.kind) {
    case "unsupported":
      return "This browser cannot keep the screen on: set the phone's screen timeout while you ride.";
    case "off":
      return "Off: the screen turns off as the phone's settings say.";
    case "waiting":
      return "The screen will stay on while you share.";
    case "asking":
      return "Asking the browser to keep the screen on…";
    case "held":
      return "Screen stays on while you share.";
    case "refused":
      return `The browser refused to keep the screen on: ${state.reason}`;
  }
}

export function ScreenWakeControl() {
  const { screenWake } = useUser();
  const state = screenWake.state.value;
  const on = screenWake.enabled.value;
  return (
    <div class="screen-wake">
      {state.kind !== "unsupported" && (
        <button
          type="button"
          role="switch"
          class="switch"
          aria-checked={on}
          aria-describedby="screen-wake-state"
          onClick={() => screenWake.setEnabled(!on)}
        >
          <span class="switch-track" aria-hidden="true" />
          Keep the screen on while sharing
        </button>
      )}
      <p
        id="screen-wake-state"
        role="status"
        class={state.kind === "refused" || state.kind === "unsupported" ? "wake-problem" : "hint"}
        data-wake={state.kind}
      >
        {stateText(state)}
      </p>
      <p class="hint">{LIMITS}</p>
    </div>
  );
}
