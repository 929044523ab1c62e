// Task HTML for <HyperText>, made safe to show: DOMPurify (a maintained,
// widely used sanitizer) with an allow-list of harmless tags and attributes.
// Kept out: scripts, event handlers, iframes/objects/embeds, forms, <style>
// and style="" (CSS can load URLs), id/name/class (no clobbering of the app's
// DOM, no borrowing of its styles), and every URL but http(s)/mailto links and
// same-origin or data:image pictures (a remote <img> would tell a third party
// who opened the task; the server's CSP blocks it anyway).
import DOMPurify from "dompurify";

const TAGS = [
  "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div", "dl", "dt", "em",
  "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
  "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
  "time", "tr", "u", "ul", "var", "wbr",
];
const ATTRS = ["href", "src", "alt", "title", "colspan", "rowspan", "scope", "lang", "dir", "datetime", "cite", "start", "reversed"];
const LINK = /^(?:https?:|mailto:)/i;
const PICTURE = /^(?:data:image\/(?:png|gif|jpeg|webp);base64,|\/(?!\/))/i;

let purifier: ReturnType<typeof DOMPurify> | null = null;

function instance(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  // A private instance, so these hooks touch no other user of DOMPurify.
  const p = DOMPurify(window);
  p.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A") {
      const href = node.getAttribute("href") ?? "";
      if (!LINK.test(href.trim())) node.removeAttribute("href");
      else {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer nofollow");
      }
    }
    if (node.tagName === "IMG") {
      const src = node.getAttribute("src") ?? "";
      if (!PICTURE.test(src.trim())) node.removeAttribute("src");
    }
    if (node.hasAttribute("cite") && !LINK.test(node.getAttribute("cite") ?? "")) node.removeAttribute("cite");
  });
  purifier = p;
  return p;
}

/** `html` as a fragment holding only allowed tags and attributes. Needs a DOM. */
export function sanitizeHtml(html: string): DocumentFragment {
  return instance().sanitize(html, {
    ALLOWED_TAGS: TAGS,
    ALLOWED_ATTR: ATTRS,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    RETURN_DOM_FRAGMENT: true,
    KEEP_CONTENT: true,
    SANITIZE_DOM: true,
  });
}
