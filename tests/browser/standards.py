"""Checks every page must pass besides axe: document structure, strict HTML parsing, reflow."""

import html5lib

# One script run in the page: what a screen-reader or keyboard user would trip over first.
STRUCTURE_SCRIPT = """() => {
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const h1s = document.querySelectorAll("h1");
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements`);
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  if (!document.title.trim()) problems.push("empty <title>");
  const skip = document.querySelector("body a.skip-link");
  if (!skip || !skip.hash || !document.querySelector(skip.hash)) problems.push("no working skip link");
  else if (document.body.querySelector("a[href]") !== skip) problems.push("skip link is not first");
  // Page-level landmarks: header and footer count only outside articles and sections.
  for (const [selector, name] of [
    ["body > header, [role=banner]", "banner"], ["nav[aria-label], [role=navigation]", "navigation"],
    ["main", "main"], ["body > footer, [role=contentinfo]", "contentinfo"],
  ]) {
    if (!document.querySelector(selector)) problems.push(`no ${name} landmark`);
  }
  if (document.querySelectorAll("main, [role=main]").length !== 1) problems.push("not exactly one main");
  for (const control of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit", "button", "reset", "image"].includes(control.type)) continue;
    const labelled = (control.labels && [...control.labels].some((l) => l.textContent.trim()))
      || (control.getAttribute("aria-label") || "").trim()
      || control.getAttribute("aria-labelledby");
    if (!labelled) problems.push(`unlabelled ${control.tagName.toLowerCase()} name=${control.name}`);
  }
  for (const button of document.querySelectorAll("button")) {
    if (visible(button) && !(button.textContent.trim() || button.getAttribute("aria-label")))
      problems.push("button without a name");
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`img without alt: ${img.src}`);
  }
  for (const link of document.querySelectorAll("a[href]")) {
    if (visible(link) && !(link.textContent.trim() || link.getAttribute("aria-label")
        || link.querySelector("img[alt]:not([alt=''])")))
      problems.push(`link without a name: ${link.getAttribute("href")}`);
  }
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) ids[el.id] = (ids[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(ids)) if (n > 1) problems.push(`id ${id} used ${n} times`);
  return problems;
}"""

FOCUS_SCRIPT = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    skip: el.matches("a.skip-link"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    onScreen: box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0,
  };
}"""


def structure_problems(page):
    """One h1, lang, title, a working skip link, landmarks, labelled controls, alt, unique ids."""
    return page.evaluate(STRUCTURE_SCRIPT)


def skip_link_focus(page):
    """Tab once from the top of the page: the skip link shows, with a visible focus outline."""
    page.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }"
    )
    page.keyboard.press("Tab")
    return page.evaluate(FOCUS_SCRIPT)


def html_errors(html):
    """Parse errors of the HTML as served, by html5lib's strict HTML5 parser ([] when valid)."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(html)
    except html5lib.html5parser.ParseError as error:
        line, col = parser.errors[-1][0] if parser.errors else (0, 0)
        lines = html.splitlines()
        context = lines[line - 1][max(col - 80, 0) : col + 40] if 0 < line <= len(lines) else ""
        return [f"{error} at {line}:{col}: {context}"]
    return []


def horizontal_overflow(page):
    """How many CSS pixels the page is wider than its viewport (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def overflowing_elements(page):
    """The widest elements sticking out past the right edge, to say what to fix."""
    return page.evaluate(
        """() => {
      const width = document.documentElement.clientWidth;
      return [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > width + 1)
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`);
    }"""
    )
