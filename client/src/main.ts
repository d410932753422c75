// Placeholder page until the app lands: shows whether the server is ready.
import { LIMITS } from "@convoy/shared";

const status = document.querySelector<HTMLParagraphElement>("#status");

fetch("/readyz")
  .then((res) => {
    if (status) {
      status.textContent = res.ok
        ? `Server ready. Messages hold up to ${LIMITS.messageText} characters.`
        : "Server not ready.";
    }
  })
  .catch(() => {
    if (status) status.textContent = "Server unreachable.";
  });
