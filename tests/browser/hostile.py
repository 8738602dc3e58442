"""Hostile input for the browser tests: XSS payloads and the page checks that find them working.

Every payload's script, should it ever run, calls ``__pwned(n)`` (recorded by an init script) or
opens a dialog (recorded by a dialog handler), so a run names the payload that got through.
"""

import html
import re
from urllib.parse import quote

import html5lib

# {js} is the code a payload tries to run. Sources: classic vectors, event handlers on many
# elements, dangerous URL schemes (in HTML and in Markdown), parser differentials (mutation XSS),
# attribute and script-element breakouts, CSS expressions.
TEMPLATES = [
    "<script>{js}</script>",
    '<script src="data:text/javascript,{js}"></script>',
    "<script>/*</script><script>*/{js}</script>",
    "<img src=x onerror={js}>",
    '<img src="x" onerror="{js}">',
    "<img/src=x/onerror={js}>",
    "<img src=x onerror={js}//",
    "<svg onload={js}>",
    "<svg/onload={js}//",
    "<svg><script>{js}</script></svg>",
    "<svg><animate onbegin={js} attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:{js}"><text x="20" y="20">x</text></a></svg>',
    "<svg><set attributeName=onmouseover to={js}>",
    "<body onload={js}>",
    "<body onpageshow={js}>",
    '<iframe src="javascript:{js}"></iframe>',
    '<iframe srcdoc="<script>parent.{js}</script>"></iframe>',
    "<iframe onload={js}></iframe>",
    "<details open ontoggle={js}>",
    "<details/open/ontoggle={js}>",
    "<video><source onerror={js}></video>",
    "<audio src=x onerror={js}>",
    "<input autofocus onfocus={js}>",
    "<select autofocus onfocus={js}>",
    "<textarea autofocus onfocus={js}></textarea>",
    "<marquee onstart={js}>x</marquee>",
    "<div onpointerenter={js}>hover</div>",
    '<object data="javascript:{js}"></object>',
    '<embed src="javascript:{js}">',
    '<a href="javascript:{js}">click</a>',
    '<a href="JaVaScRiPt:{js}">click</a>',
    '<a href=" javascript:{js}">click</a>',
    '<a href="&#106;avascript:{js}">click</a>',
    '<a href="jav&#x09;ascript:{js}">click</a>',
    '<a href="data:text/html,<script>{js}</script>">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<form action="javascript:{js}"><button>go</button></form>',
    '<button formaction="javascript:{js}">go</button>',
    '<isindex action="javascript:{js}" type=image>',
    '<math><mtext><table><mglyph><style><img src=x onerror="{js}"></style></mglyph></table></mtext></math>',
    '<noscript><p title="</noscript><img src=x onerror={js}>"></noscript>',
    "<style><img src=x onerror={js}></style>",
    "<template><img src=x onerror={js}></template>",
    "<svg><style><img src=x onerror={js}></style></svg>",
    "<math><style><img src=x onerror={js}></style></math>",
    '<svg></p><style><a id="</style><img src=1 onerror={js}>">',
    "<xmp></xmp><img src=x onerror={js}>",
    "<textarea></textarea><img src=x onerror={js}>",
    "<title></title><img src=x onerror={js}>",
    '<!--<img src="--><img src=x onerror={js}//">',
    "<<script>{js}//<</script>",
    "<scr<script>ipt>{js}</scr</script>ipt>",
    '"><img src=x onerror={js}>',
    "'><img src=x onerror={js}>",
    '" onmouseover="{js}" x="',
    "' onfocus='{js}' autofocus x='",
    '" autofocus onfocus="{js}',
    "</script><script>{js}</script>",
    "</ScRiPt ><script>{js}</script>",
    "</title><script>{js}</script>",
    "</textarea><script>{js}</script>",
    '<div style="background:url(javascript:{js})">x</div>',
    '<div style="width:expression({js})">x</div>',
    "<style>@import 'javascript:{js}';</style>",
    '<link rel=stylesheet href="javascript:{js}">',
    '<meta http-equiv="refresh" content="0;url=javascript:{js}">',
    '<base href="javascript:{js}//">',
    "&lt;script&gt;{js}&lt;/script&gt;",
    "&#60;img src=x onerror={js}&#62;",
    "%3Cscript%3E{js}%3C%2Fscript%3E",
    "%22%3E%3Cimg%20src%3Dx%20onerror%3D{js}%3E",
    "<img src=x onerror=alert(1)>",
    "<script>alert(document.domain)</script>",
    "[click](javascript:{js})",
    "[click](JAVASCRIPT:{js})",
    "[click](java%0ascript:{js})",
    "[click](&#106;avascript:{js})",
    "[click](<javascript:{js}>)",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '[click](https://example.com/" onmouseover="{js})',
    "![pic](javascript:{js})",
    '![pic](x" onerror="{js})',
    "![pic](data:image/svg+xml,<svg onload={js}>)",
    "<javascript:{js}>",
    "[ref]\n\n[ref]: javascript:{js}",
    "javascript:{js}",
]


def _mixed_case(text):
    """Tag and scheme names in alternating case, which naive filters miss."""

    def swap(match):
        word = match.group(0)
        return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(word))

    return re.sub(r"(?<=<)/?[a-z]+|javascript|onerror|onload|script", swap, text)


def _entity_encoded(text):
    """Angle brackets and quotes as numeric entities, as a filter that decodes once would see."""
    return text.replace("<", "&#x3C;").replace(">", "&#x3E;").replace('"', "&#34;")


VARIANTS = [
    lambda t: t,
    _mixed_case,
    _entity_encoded,
    lambda t: quote(t, safe=""),
]


def build_payloads():
    """Every template in every variant, each calling __pwned with its own number."""
    payloads = []
    for template in TEMPLATES:
        for variant in VARIANTS:
            js = f"__pwned({len(payloads)})"
            payloads.append(variant(template.replace("{js}", js)))
    return payloads


PAYLOADS = build_payloads()

INIT_SCRIPT = """
window.__xss = [];
window.__pwned = function (n) { window.__xss.push(String(n)); };
"""

# Looks at the page as the browser built it: anything that could run script, or load a document,
# that the site's own templates never produce.
DOM_SCRIPT = """() => {
  const found = [];
  const urlAttrs = ["href", "src", "action", "formaction", "data", "xlink:href", "srcdoc", "poster", "background"];
  const bad = /^\\s*(javascript|vbscript|data:text\\/html)/i;
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) found.push(`${el.tagName} ${name}=${attr.value.slice(0, 40)}`);
      if (urlAttrs.includes(name) && bad.test(attr.value.replace(/[\\s\\u0000-\\u001f]/g, "")))
        found.push(`${el.tagName} ${name}=${attr.value.slice(0, 40)}`);
      if (name === "style" && /expression|javascript/i.test(attr.value)) found.push(`${el.tagName} style`);
    }
    const tag = el.tagName.toLowerCase();
    if (tag === "script" && !(el.getAttribute("src") || "").startsWith("/static/")
        && el.type !== "application/ld+json") found.push("script element: " + el.outerHTML.slice(0, 60));
    if (["iframe", "object", "embed", "base", "frame", "frameset"].includes(tag))
      found.push(`${tag} element`);
    if (tag === "meta" && /url=/i.test(el.content || "")) found.push("meta refresh to a URL");
    if (tag === "style") found.push("style element");
    if (tag === "link" && /stylesheet|import|preload/i.test(el.rel) && !el.getAttribute("href").startsWith("/static/"))
      found.push("foreign stylesheet link");
  }
  for (const ld of document.querySelectorAll('script[type="application/ld+json"]')) {
    try { JSON.parse(ld.textContent); } catch (e) { found.push("JSON-LD broken: " + ld.textContent.slice(0, 60)); }
  }
  return found;
}"""

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcdoc", "xlink:href"}
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.I)


def stored_html_problems(fragment):
    """Event-handler attributes or script URLs in a stored HTML fragment ([] when clean)."""
    tree = html5lib.parseFragment(fragment, namespaceHTMLElements=False)
    problems = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in {"script", "iframe", "object", "embed", "style", "svg", "math", "base"}:
            problems.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"{element.tag} {name}")
            cleaned = re.sub(r"[\s\x00-\x1f]", "", html.unescape(value))
            if name.lower() in URL_ATTRIBUTES and BAD_SCHEME.match(cleaned):
                problems.append(f"{element.tag} {name}={value[:40]}")
    return problems
