// What the wall's browser test measures (tests/e2e/test_wall_display.py);
// each is an expression Playwright evaluates in the page.

// OVERFLOWS: everything that overflows its box or its panel, and the page
// itself if it scrolls: [what, how]. Elements not drawn (hidden pages) have
// no boxes.
() => {
  const bad = [];
  const page = document.documentElement;
  if (page.scrollHeight > innerHeight || page.scrollWidth > innerWidth) bad.push(["page", "scrolls"]);
  for (const panel of document.querySelectorAll(".wall-panel")) {
    for (const el of [panel, panel.querySelector(".wall-body")]) {
      if (el.scrollHeight > el.clientHeight || el.scrollWidth > el.clientWidth) {
        bad.push([el.className, `${el.scrollHeight}/${el.clientHeight} ${el.scrollWidth}/${el.clientWidth}`]);
      }
    }
    const box = panel.getBoundingClientRect();
    if (box.bottom > innerHeight + 0.5 || box.right > innerWidth + 0.5) bad.push([panel.id, "off the screen"]);
    for (const el of panel.querySelectorAll("*")) {
      if (!el.getClientRects().length) continue;
      const r = el.getBoundingClientRect();
      if (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5 || r.left < box.left - 0.5 || r.right > box.right + 0.5) {
        bad.push([`${panel.id} ${el.tagName}.${el.className}`, el.textContent.slice(0, 40)]);
      }
    }
  }
  return bad;
}

// FONT_SIZES: the smallest computed font size of any text drawn, and of the
// items' titles.
() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let smallest = Infinity;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el.getClientRects().length) continue;
    smallest = Math.min(smallest, parseFloat(getComputedStyle(el).fontSize));
  }
  const titles = [...document.querySelectorAll(".wall-title")].filter((el) => el.getClientRects().length)
    .map((el) => parseFloat(getComputedStyle(el).fontSize));
  return { smallest, titles: Math.min(...titles) };
}
