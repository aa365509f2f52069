// A readable page for figURLs that cannot be shown (instead of a blank window).

export function showErrorPage(root: HTMLElement, title: string, message: string, details: Record<string, string | null>): void {
  root.replaceChildren()
  const box = el('div', 'host-error')
  box.setAttribute('data-testid', 'host-error')
  box.append(el('h1', '', title), el('p', 'host-error-message', message))
  const rows = Object.entries(details).filter((e): e is [string, string] => e[1] !== null && e[1] !== '')
  if (rows.length > 0) {
    const dl = el('dl', '')
    for (const [k, v] of rows) dl.append(el('dt', '', k), el('dd', '', v))
    box.append(el('p', '', 'The figure URL asked for:'), dl)
  }
  box.append(
    el(
      'p',
      'host-error-hint',
      'A figure URL looks like /f?v=<view>&d=sha1://<hash>&label=<label>. Check that the link is complete and that the server that made it is still running.',
    ),
  )
  root.append(box)
}

export function showLoading(root: HTMLElement, message: string): void {
  root.replaceChildren(el('div', 'host-loading', message))
}

function el(tag: string, className: string, text?: string): HTMLElement {
  const e = document.createElement(tag)
  if (className) e.className = className
  if (text !== undefined) e.textContent = text // textContent: URL parts are never interpreted as HTML
  return e
}
