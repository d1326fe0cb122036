/**
 * Small DOM helpers. Text is always set as text (never parsed as HTML), so message bodies and
 * variables typed by a customer cannot inject markup.
 */
type Child = Node | string | null | undefined | false;
type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(element: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** The element with this id, checked to be of the expected kind (a missing one is a page bug). */
export function byId<T extends Element>(id: string, kind: abstract new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`#${id} is missing or not a ${kind.name}`);
  return element;
}

/**
 * Re-renders only when the data changed: polling must not rebuild lists under the user's focus or
 * screen reader every second.
 */
export class ChangeGate {
  private last = new Map<string, string>();

  changed(key: string, data: unknown): boolean {
    const serialized = JSON.stringify(data);
    if (this.last.get(key) === serialized) return false;
    this.last.set(key, serialized);
    return true;
  }
}

export function fillSelect(
  select: HTMLSelectElement,
  options: readonly { readonly value: string; readonly label: string }[],
): void {
  const previous = select.value;
  select.replaceChildren(...options.map((option) => h('option', { value: option.value }, option.label)));
  if (options.some((option) => option.value === previous)) select.value = previous;
}
