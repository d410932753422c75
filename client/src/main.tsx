// Entry point: styles, deployment config, then the app.
import "leaflet/dist/leaflet.css";
import "./styles.css";
import { render } from "preact";
import { App } from "./app.tsx";
import { loadClientConfig } from "./net/client-config.ts";

void loadClientConfig();
render(<App />, document.getElementById("app")!);
