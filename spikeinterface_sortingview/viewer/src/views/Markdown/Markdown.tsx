// Markdown: rendered text; raw HTML in the source is shown as text, never run.
import { Marked, type Tokens } from 'marked'
import { useMemo } from 'react'
import { str } from '../decode'
import { defineView, type ViewProps } from '../viewDefinition'

export interface MarkdownData {
  source: string
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

const SAFE_URL = /^(https?:|mailto:|#|\/|\.\/|data:image\/(png|jpeg|gif|webp);)/i

// A figure's markdown comes from whoever made the figure; escaping HTML and filtering link
// schemes keeps it from running script in the page that holds the curation.
const markdown = new Marked({
  gfm: true,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(token.text)
    },
    link(this: { parser: { parseInline: (t: Tokens.Generic[]) => string } }, token: Tokens.Link): string {
      const text = this.parser.parseInline(token.tokens)
      if (!SAFE_URL.test(token.href)) return text
      return `<a href="${escapeHtml(token.href)}" target="_blank" rel="noopener noreferrer">${text}</a>`
    },
    image(token: Tokens.Image): string {
      if (!SAFE_URL.test(token.href)) return escapeHtml(token.text)
      return `<img src="${escapeHtml(token.href)}" alt="${escapeHtml(token.text)}">`
    },
  },
})

export function renderMarkdown(source: string): string {
  return markdown.parse(source, { async: false })
}

function MarkdownView({ data, height }: ViewProps<MarkdownData>) {
  const html = useMemo(() => renderMarkdown(data.source), [data])
  return <div className="markdown-view scroll-view" style={{ height }} dangerouslySetInnerHTML={{ __html: html }} />
}

export const markdownView = defineView((raw) => ({ source: str(raw.source, 'source') }), MarkdownView, { showsSelection: false })
