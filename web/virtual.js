// A virtualised list of fixed-height items (the case board's columns): only the items in view,
// plus a few either side, are in the DOM, so a column of 10,000 cases scrolls as smoothly as one
// of ten. Keyboard (roving tabindex): Tab enters the list at one item and leaves it with the next
// Tab, ↑/↓ (and Home/End) move between items, scrolling as needed; Enter follows the item's link.

/**
 * @param h the element helper of app.js
 * @param items the data, in display order
 * @param render (item, index) => an element with a tabindex (a link, typically)
 * @param options itemHeight (px, including the gap), maxHeight (px), label (accessible name)
 */
export function virtualItems(h, items, render, { itemHeight = 88, maxHeight = 640, label }) {
  const height = Math.min(maxHeight, Math.max(itemHeight, items.length * itemHeight));
  const box = h("div", {
    class: "vitems",
    role: "list",
    "aria-label": label,
    style: `position:relative;overflow:auto;height:${height}px`,
  });
  const spacer = h("div", { style: `height:${items.length * itemHeight}px` });
  const layer = h("div", { style: "position:absolute;left:0;right:0;top:0" });
  box.append(spacer, layer);
  let first = -1;
  let last = -1;
  let current = 0;
  const focusIndex = (i) => {
    const target = Math.max(0, Math.min(items.length - 1, i));
    current = target;
    first = -1;
    const top = target * itemHeight;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + itemHeight > box.scrollTop + box.clientHeight)
      box.scrollTop = top + itemHeight - box.clientHeight;
    draw();
    layer.querySelector(`[data-index="${target}"]`)?.focus();
  };
  const draw = () => {
    const start = Math.max(0, Math.floor(box.scrollTop / itemHeight) - 3);
    const end = Math.min(items.length, start + Math.ceil((box.clientHeight || height) / itemHeight) + 6);
    if (start === first && end === last) return;
    // Keep the keyboard focus on the item it was on when that item is drawn again.
    const focused = layer.contains(document.activeElement)
      ? document.activeElement?.dataset.index
      : undefined;
    first = start;
    last = end;
    if (current < start || current >= end) current = start;
    const out = [];
    for (let i = start; i < end; i++) {
      const el = render(items[i], i);
      el.dataset.index = String(i);
      el.tabIndex = i === current ? 0 : -1;
      el.addEventListener("focus", () => {
        current = i;
        for (const other of layer.querySelectorAll("[data-index]")) other.tabIndex = other === el ? 0 : -1;
      });
      el.addEventListener("keydown", (e) => {
        const move = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: items.length - 1 }[e.key];
        if (move === undefined) return;
        e.preventDefault();
        focusIndex(move);
      });
      out.push(
        h(
          "div",
          {
            role: "listitem",
            "aria-setsize": items.length,
            "aria-posinset": i + 1,
            style: `position:absolute;left:0;right:0;top:${i * itemHeight}px;height:${itemHeight - 8}px`,
          },
          el,
        ),
      );
    }
    layer.replaceChildren(...out);
    if (focused !== undefined) layer.querySelector(`[data-index="${focused}"]`)?.focus();
  };
  box.addEventListener("scroll", draw, { passive: true });
  requestAnimationFrame(draw);
  draw();
  return box;
}
