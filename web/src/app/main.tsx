import { render } from "preact";
import { App } from "./App";
import { interceptLinks } from "./router";
import "./style.css";

const root = document.getElementById("app");
if (root) {
  interceptLinks(document.body);
  render(<App />, root);
}
